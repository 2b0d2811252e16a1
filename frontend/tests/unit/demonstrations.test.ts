import { describe, expect, it } from "vitest";
import { addExchange, chatProblem, initialTurns, parseMessages, removeAdded, restoreTurns, toOutput as chatOutput } from "../../src/elements/chat-editor/chat-model";
import { forbiddenIn, parseGuidance, textProblem, wordBudget, wordCount } from "../../src/elements/demonstration/guidance";
import { addReference, emptyPair, fromOutput, passageRuns, qaProblem, toOutput } from "../../src/elements/question-answer-generation/qa-model";
import { captionsProblem, formatTime, nextCaption, setTime, toOutput as captionsOutput } from "../../src/elements/video-caption/captions-model";

describe("guidance", () => {
  it("reads the attribute, loose JSON included, and falls back on bad keys", () => {
    const g = parseGuidance("{minWords: 2, maxWords: 5, forbiddenPhrases: ['As an AI', ''], requireTags: true, maxQuestions: -1}");
    expect([g.minWords, g.maxWords, g.forbiddenPhrases, g.requireTags, g.maxQuestions, g.minQuestions]).toEqual([2, 5, ["As an AI"], true, null, 1]);
    expect(parseGuidance("not json at all {").minWords).toBeNull();
  });

  it("counts words and folds case and spaces for forbidden phrases, as the server does", () => {
    expect(wordCount("  one two\nthree ")).toBe(3);
    expect(wordCount("   ")).toBe(0);
    expect(forbiddenIn("Well, AS  an\tai I think", ["as an AI"])).toBe("as an AI");
    expect(forbiddenIn("fine", ["as an AI"])).toBeNull();
    expect(textProblem("one", "caption", 2, null, [])).toBe("The caption has 1 words; write at least 2.");
    expect(textProblem("a b c", "caption", null, 2, [])).toBe("The caption has 3 words; write at most 2.");
    expect(textProblem("  ", "reply", null, null, [])).toBe("The reply is empty.");
    expect(wordBudget("a b", 1, 4)).toBe("2 words · 1–4");
  });
});

describe("question-answer pairs", () => {
  const text = "Ada 👩🏽‍💻 wrote code.";

  it("adds references grapheme-aligned and outputs code points", () => {
    const emoji = text.indexOf("👩");
    // a drag ending inside the emoji's cluster takes the whole cluster
    let p = addReference(text, emptyPair(), emoji, emoji + 1);
    expect(p.references).toEqual([{ start: emoji, end: emoji + "👩🏽‍💻".length }]);
    p = addReference(text, p, 0, 4); // "Ada " trimmed to "Ada"
    expect(addReference(text, p, 0, 3)).toBe(p); // the same reference again is a no-op
    const out = toOutput(text, [{ ...p, question: " Who? ", answer: "Ada.", tags: ["b", "a"] }], ["a", "b"]);
    expect(out.questionAnswerPairs[0]).toEqual({
      question: "Who?", answer: "Ada.", tags: ["a", "b"],
      references: [{ startOffset: 0, endOffset: 3 }, { startOffset: 4, endOffset: 8 }],
    });
    expect(fromOutput(text, out)[0]!.references).toEqual(p.references);
  });

  it("finds the first problem with the pair it is in", () => {
    const g = parseGuidance('{"minQuestions": 1, "maxQuestions": 2, "answerMaxWords": 2, "requireTags": true}');
    const ok = { question: "Who?", answer: "Ada.", tags: ["a"], references: [{ start: 0, end: 3 }] };
    expect(qaProblem([ok], g)).toBeNull();
    expect(qaProblem([], g)?.pair).toBe(-1);
    expect(qaProblem([ok, ok, ok], g)?.message).toBe("Write at most 2 questions.");
    expect(qaProblem([ok, { ...ok, answer: "It was Ada." }], g)).toEqual({ pair: 1, message: "Question 2: The answer has 3 words; write at most 2." });
    expect(qaProblem([{ ...ok, references: [] }], g)?.message).toContain("highlight");
    expect(qaProblem([{ ...ok, tags: [] }], g)?.message).toBe("Question 1: choose a tag.");
    expect(qaProblem([ok, { ...ok, question: "who?" }], g)?.message).toBe("Question 2 repeats question 1.");
  });

  it("cuts the passage into marked and plain runs", () => {
    expect(passageRuns("abcdef", [{ start: 1, end: 3 }, { start: 2, end: 4 }])).toEqual([
      { start: 0, end: 1, marked: false }, { start: 1, end: 2, marked: true }, { start: 2, end: 3, marked: true },
      { start: 3, end: 4, marked: true }, { start: 4, end: 6, marked: false }]);
  });
});

describe("chat editor", () => {
  const base = parseMessages(JSON.stringify([{ role: "user", content: "2+2?" }, { role: "assistant", content: "5" }, { role: "user", content: "Sure?" }, { role: "tool", content: "x" }]));

  it("adds the next reply after a user turn and flags edits with their original", () => {
    expect(base.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    const turns = initialTurns(base);
    expect(turns.length).toBe(4);
    turns[1] = { ...turns[1]!, content: "4." };
    turns[3] = { ...turns[3]!, content: "Yes, 4." };
    expect(chatOutput(turns).messages).toEqual([
      { role: "user", content: "2+2?" },
      { role: "assistant", content: "4.", edited: true, original: "5" },
      { role: "user", content: "Sure?" },
      { role: "assistant", content: "Yes, 4.", edited: true, added: true }]);
    expect(restoreTurns(base, chatOutput(turns))).toEqual(turns);
  });

  it("checks edited and new replies, and adds and removes exchanges", () => {
    const g = parseGuidance('{"minWords": 2, "forbiddenPhrases": ["as an AI"], "allowNewTurns": true}');
    const turns = initialTurns(base);
    expect(chatProblem(turns, g)).toEqual({ turn: 3, message: "Turn 4: The reply is empty." });
    turns[3] = { ...turns[3]!, content: "As an AI, yes." };
    expect(chatProblem(turns, g)?.message).toContain("forbidden");
    turns[3] = { ...turns[3]!, content: "Yes, four." };
    expect(chatProblem(turns, g)).toBeNull(); // the unedited "5" is the item's, not checked
    const more = addExchange(turns);
    expect(chatProblem(more, g)?.turn).toBe(4);
    expect(removeAdded(more, 5)).toEqual(turns);
    expect(removeAdded(more, 1)).toEqual(more); // the item's turns stay
  });
});

describe("video captions", () => {
  it("starts a new caption where the last ended, clamps to the duration, sorts the output", () => {
    const first = setTime(setTime({ start: null, end: null, text: "b" }, "start", 2.0004, 5), "end", 9, 5);
    expect(first).toEqual({ start: 2, end: 5, text: "b" });
    expect(nextCaption([first], 5)).toEqual({ start: 5, end: null, text: "" });
    expect(nextCaption([{ start: 0, end: 4, text: "" }], 1.5).start).toBe(1.5);
    expect(captionsOutput([first, { start: 0, end: 2, text: " a " }, { start: 1, end: null, text: "c" }]).captions).toEqual([
      { start: 0, end: 2, text: "a" }, { start: 2, end: 5, text: "b" }]);
    expect(formatTime(65.25)).toBe("1:05.250");
  });

  it("finds the caption to fix", () => {
    const g = parseGuidance('{"maxWords": 3, "maxCaptions": 2}');
    expect(captionsProblem([{ start: 0, end: null, text: "a" }], g, 4)?.message).toBe("Caption 1: set its end.");
    expect(captionsProblem([{ start: 2, end: 1, text: "a" }], g, 4)?.message).toContain("after the start");
    expect(captionsProblem([{ start: 0, end: 5, text: "a" }], g, 4)?.message).toContain("past the video's end");
    expect(captionsProblem([{ start: 0, end: 1, text: "a b c d" }], g, 4)?.caption).toBe(0);
    expect(captionsProblem([{ start: 0, end: 1, text: "a" }], g, 4)).toBeNull();
  });
});

describe("word diff of an edited turn", () => {
  it("keeps common words and marks removed and added ones", async () => {
    const { wordDiff } = await import("../../src/elements/chat-editor/chat-model");
    expect(wordDiff("7 times 8 is 54.", "7 times 8 is 56.")).toEqual([
      { kind: "same", text: "7 times 8 is " }, { kind: "removed", text: "54." }, { kind: "added", text: "56." }]);
    expect(wordDiff("5", "2+2 is 4.")).toEqual([{ kind: "removed", text: "5" }, { kind: "added", text: "2+2 is 4." }]);
    const parts = wordDiff("a b c d", "a x c d e");
    expect(parts.filter((p) => p.kind !== "removed").map((p) => p.text).join("")).toBe("a x c d e");
    expect(parts.filter((p) => p.kind !== "added").map((p) => p.text).join("").trim()).toBe("a b c d"); // spacing follows the edit
  });
});

describe("references by quote (keyboard)", () => {
  it("finds the first free exact occurrence, then ignoring case and spaces", async () => {
    const { findQuote } = await import("../../src/elements/question-answer-generation/qa-model");
    const text = "Ada met Ada.\nThen  ADA left.";
    expect(findQuote(text, " Ada ")).toEqual({ start: 0, end: 3 });
    expect(findQuote(text, "Ada", [{ start: 0, end: 3 }])).toEqual({ start: 8, end: 11 });
    expect(findQuote(text, "then ada")).toEqual({ start: 13, end: 22 });
    expect(findQuote(text, "Bob")).toBeNull();
    expect(findQuote(text, "   ")).toBeNull();
    expect(findQuote("a (b) c", "(b)")).toEqual({ start: 2, end: 5 });
  });
});
