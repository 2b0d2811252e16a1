import { describe, expect, it } from "vitest";
import { figure, isCanonicalValue, readStoredAnswer } from "../../src/elements/model-evaluation/canonical";
import { EvaluationModel, parseCriteria, parseReplies } from "../../src/elements/model-evaluation/model";

// the review page presets <lw-model-evaluation> with the stored answer: canonical (one worker's, or
// a reviewer's adjustment) or consolidated (core/consolidation/structured/evaluation.py), keyed by model id
const THREE = parseReplies([{ response: "4", modelIdentifier: "m1" }, { response: "5", modelIdentifier: "m2" },
  { response: "four", modelIdentifier: "m3" }], null).replies;
const TWO = THREE.slice(0, 2);
const CRITERIA = parseCriteria([{ name: "accuracy", method: "likert" }, { name: "toxicity", method: "thumbs" },
  { name: "preferred", method: "choice" }, { name: "overall", method: "rank" },
  { name: "duel", method: "comparison-likert" }]);

/** A seed whose shown order differs from the item's, so nothing passes by staying in place. */
function shuffled(replies: typeof THREE): EvaluationModel {
  for (let i = 0; ; i++) {
    const m = new EvaluationModel(replies, `seed-${i}`, CRITERIA);
    if (m.shown[0]!.model !== replies[0]!.model) return m;
  }
}

describe("stored model-evaluation answers as the element's preset", () => {
  it("tells a stored value from a posted one", () => {
    expect(isCanonicalValue({ models: ["m1"], criteria: {} })).toBe(true);
    expect(isCanonicalValue({ criteria: { accuracy: { method: "likert", ratings: { m1: 4.67 } } } })).toBe(true);
    expect(isCanonicalValue({ displayOrder: ["m1"], criteria: { accuracy: [5], preferred: 1 } })).toBe(false);
    expect(isCanonicalValue(null)).toBe(false);
  });

  it("maps a worker's canonical value onto another shown order and posts it back in that order", () => {
    const canonical = { models: ["m1", "m2", "m3"], displayOrder: ["m2", "m3", "m1"], criteria: {
      accuracy: { method: "likert", ratings: { m1: 5, m2: 2, m3: 4 } },
      toxicity: { method: "thumbs", ratings: { m1: "up", m2: "down", m3: "up" } },
      preferred: { method: "choice", chosen: "m3" },
      overall: { method: "rank", ranks: { m1: 1, m2: 3, m3: 2 } } } };
    const m = shuffled(THREE);
    expect(m.load(canonical)).toEqual([]);
    const shown = m.shown.map((r) => r.model);
    const byModel = { m1: [5, "up", 1], m2: [2, "down", 3], m3: [4, "up", 2] } as Record<string, (number | string)[]>;
    expect(m.problem()).toBeNull();
    expect(m.value()).toEqual({ displayOrder: shown, criteria: {
      accuracy: shown.map((x) => byModel[x]![0]), toxicity: shown.map((x) => byModel[x]![1]),
      preferred: shown.indexOf("m3") + 1, overall: shown.map((x) => byModel[x]![2]) } });
    expect(m.note("accuracy", "m1")).toBeNull();  // whole numbers need no note
  });

  it("rounds a consolidated Likert mean onto the radios and keeps the exact figure as a note", () => {
    const consolidated = { criteria: {
      accuracy: { method: "likert", ratings: { m1: 4.67, m2: 1.5, m3: 3 } },
      overall: { method: "rank", ranks: { m1: 2, m2: 1, m3: 3 }, scores: { m1: 0.3312, m2: 0.5, m3: 0.1688 } } } };
    const m = shuffled(THREE);
    expect(m.load(consolidated)).toEqual([]);
    expect([m.get("accuracy", "m1"), m.get("accuracy", "m2"), m.get("accuracy", "m3")]).toEqual([5, 2, 3]);
    expect(m.note("accuracy", "m1")).toBe("consolidated 4.67");
    expect(m.note("accuracy", "m2")).toBe("consolidated 1.5");
    expect(m.note("accuracy", "m3")).toBeNull();
    expect([m.get("overall", "m1"), m.get("overall", "m2"), m.get("overall", "m3")]).toEqual([2, 1, 3]);
    expect(m.note("overall", "m2")).toBe("score 0.5");
    // the reviewer's correction: the note goes with the answer it described; a new rank drops the scores
    m.set("accuracy", "m1", 4);
    expect(m.note("accuracy", "m1")).toBeNull();
    expect(m.note("accuracy", "m2")).toBe("consolidated 1.5");
    m.set("overall", "m3", 1);
    expect(m.note("overall", "m2")).toBeNull();
    expect(m.problem()).toBe("Answer “toxicity” for every response.");  // a criterion the stored value lacks
  });

  it("mirrors a comparison onto the shown order, keeps the winner's side and reads a tie", () => {
    const m = shuffled(TWO);  // shown B-first: m2 is A
    expect(m.shown.map((r) => r.model)).toEqual(["m2", "m1"]);
    const duel = (choice: number | null, winner: string) => ({ criteria: {
      duel: { method: "comparison-likert", left: "m1", right: "m2", choice, winner } } });
    expect(m.load(duel(1, "m1"))).toEqual([]);
    expect(m.get("duel")).toBe(5);  // m1 much better: B much better as shown
    expect(m.note("duel")).toBeNull();
    m.load(duel(2.5, "m1"));  // a median between two buttons stays on the winner's side
    expect(m.get("duel")).toBe(4);
    expect(m.note("duel")).toBe("consolidated 3.5");
    m.load(duel(3, "tie"));
    expect(m.get("duel")).toBe(3);
    m.load(duel(null, "m2"));
    expect(m.get("duel")).toBe(2);
    expect(m.value().criteria.duel).toBe(2);
  });

  it("names what it cannot read: a changed method, unknown models, a choice not shown", () => {
    const [likert, , choice] = CRITERIA;
    expect(readStoredAnswer(likert!, { method: "thumbs", ratings: { m1: "up" } }, ["m1", "m2"]).problems)
      .toEqual(["initial value: “accuracy” was answered by thumbs; it is asked by likert now"]);
    const odd = readStoredAnswer(likert!, { method: "likert", ratings: { m1: 4, gone: 2 } }, ["m1", "m2"]);
    expect(odd.presets).toEqual([{ model: "m1", answer: 4 }]);
    expect(odd.problems).toEqual(["initial value: “accuracy” names models this item does not show: gone"]);
    expect(readStoredAnswer(choice!, { method: "choice", chosen: "gone" }, ["m1"]).problems)
      .toEqual(["initial value: “preferred”: the chosen model \"gone\" is not shown"]);
    expect(figure(4.666)).toBe("4.67");
    expect(figure(4)).toBe("4");
  });
});
