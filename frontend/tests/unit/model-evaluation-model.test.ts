import { describe, expect, it } from "vitest";
import { EvaluationModel, parseCriteria, parseReplies } from "../../src/elements/model-evaluation/model";

const REPLIES = parseReplies(
  [{ response: "4", modelIdentifier: "m1" }, { response: "5", modelIdentifier: "m2" }],
  { m3: { text: "four" }, m1: { text: "m1 brought its own" } },
).replies;
const CRITERIA = parseCriteria([
  { name: "accuracy", description: "Correct?", method: "likert" }, { name: "toxicity", method: "thumbs" },
  { name: "preferred", method: "choice" }, { name: "overall", method: "rank" },
  { name: "head to head", method: "comparison-likert" }, { name: "bogus", method: "stars" },
]);

describe("model-evaluation model", () => {
  it("takes modelResponses first, then generations of other models", () => {
    expect(REPLIES).toEqual([{ model: "m1", text: "4" }, { model: "m2", text: "5" }, { model: "m3", text: "four" }]);
    expect(parseReplies([{ response: "x" }], null).problems).toEqual(["responses[0] needs a 'response' text and a 'modelIdentifier'"]);
  });

  it("drops unknown methods and asks a comparison Likert only of two responses", () => {
    expect(CRITERIA.map((c) => c.name)).toEqual(["accuracy", "toxicity", "preferred", "overall", "head to head"]);
    expect(new EvaluationModel(REPLIES, "", CRITERIA).criteria.map((c) => c.method)).not.toContain("comparison-likert");
    expect(new EvaluationModel(REPLIES.slice(0, 2), "", CRITERIA).criteria.map((c) => c.method)).toContain("comparison-likert");
  });

  it("shuffles per seed, the same for the same seed", () => {
    const orders = new Set(["a", "b", "c", "d", "e", "f"].map((s) => new EvaluationModel(REPLIES, s, CRITERIA).shown.map((r) => r.model).join()));
    expect(orders.size).toBeGreaterThan(1);
    expect(new EvaluationModel(REPLIES, "s", CRITERIA).shown).toEqual(new EvaluationModel(REPLIES, "s", CRITERIA).shown);
  });

  it("posts answers in the shown order with that order, and names what is missing", () => {
    const m = new EvaluationModel(REPLIES, "seed-7", CRITERIA);
    const shown = m.shown.map((r) => r.model);
    expect(m.problem()).toBe("Answer “accuracy” for every response.");
    shown.forEach((id, i) => { m.set("accuracy", id, 5 - i); m.set("toxicity", id, i ? "up" : "down"); m.set("overall", id, i + 1); });
    expect(m.problem()).toBe("Answer “preferred”.");
    m.set("preferred", "", 2);
    expect(m.problem()).toBeNull();
    expect(m.value()).toEqual({ displayOrder: shown, criteria: {
      accuracy: [5, 4, 3], toxicity: ["down", "up", "up"], preferred: 2, overall: [1, 2, 3] } });
  });

  it("moves a rank given twice to the response that got it last", () => {
    const m = new EvaluationModel(REPLIES, "", CRITERIA);
    m.set("overall", "m1", 1);
    m.set("overall", "m2", 1);
    expect(m.value().criteria.overall).toEqual([null, 1, null]);
  });

  it("restores a posted value under another shown order", () => {
    const posted = { displayOrder: ["m3", "m1", "m2"], criteria: { accuracy: [1, 2, 3], preferred: 1 } };
    const m = new EvaluationModel(REPLIES, "", CRITERIA);
    expect(m.load(posted)).toEqual([]);
    expect(m.get("accuracy", "m3")).toBe(1);
    expect(m.value().criteria.accuracy).toEqual([2, 3, 1]);
  });
});
