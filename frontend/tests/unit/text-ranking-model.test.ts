import { describe, expect, it } from "vitest";
import { RankingModel, isStoredRanking, parseDimensions, parseResponses, shuffledOrder } from "../../src/elements/text-ranking/model";

const RESPONSES = parseResponses(["one", { id: "b", text: "two" }, { response: "three" }]).responses;
const DIMS = parseDimensions([{ name: "helpfulness" }, { name: "honesty", allowTie: true }]);

describe("responses and dimensions", () => {
  it("gives ids as the server does", () => {
    expect(RESPONSES.map((r) => r.id)).toEqual(["r1", "b", "r3"]);
    expect(parseResponses([{ id: 1 }]).problems).toEqual(["responses[0]: no text"]);
    expect(DIMS.map((d) => d.allowTie)).toEqual([false, true]);
  });
});

describe("shuffle", () => {
  it("is fixed by the seed and differs between seeds", () => {
    const items = Array.from({ length: 8 }, (_, i) => i);
    expect(shuffledOrder(items, "abc")).toEqual(shuffledOrder(items, "abc"));
    expect(shuffledOrder(items, "abc")).not.toEqual(shuffledOrder(items, "abd"));
    expect([...shuffledOrder(items, "abc")].sort()).toEqual(items);
    expect(shuffledOrder(items, "")).toEqual(items);
  });
});

describe("ranking", () => {
  it("swaps ranks where ties are not allowed and keeps ties where they are", () => {
    const m = new RankingModel(RESPONSES, "", DIMS, [], []);
    m.setRank("helpfulness", "r1", 1);
    m.setRank("helpfulness", "b", 2);
    m.setRank("helpfulness", "b", 1); // r1 takes b's old rank
    expect([m.rankOf("helpfulness", "r1"), m.rankOf("helpfulness", "b")]).toEqual([2, 1]);
    m.setRank("honesty", "r1", 1);
    m.setRank("honesty", "b", 1);
    expect([m.rankOf("honesty", "r1"), m.rankOf("honesty", "b")]).toEqual([1, 1]);
    expect(m.problem({ likertRequired: true, classesRequired: false, rationaleRequired: false })).toContain("“helpfulness”");
  });

  it("moves a response in the order and ranks all by position", () => {
    const m = new RankingModel(RESPONSES, "", DIMS, [], []);
    m.move("helpfulness", "r3", 0);
    expect(m.order("helpfulness")).toEqual(["r3", "r1", "b"]);
    expect(m.value().ordinalRankingDimensions[0]!.responseRankings).toEqual([2, 3, 1]);
  });

  it("posts ranks, the Likert choice and classes in the order shown, and loads them back by id", () => {
    const two = RESPONSES.slice(0, 2);
    const m = new RankingModel(two, "seed-7", DIMS, ["A better", "same", "B better"], ["good", "bad"], false);
    const [first, second] = m.shown.map((r) => r.id);
    m.setRank("helpfulness", first!, 2);
    m.setRank("helpfulness", second!, 1);
    m.setRank("honesty", first!, 1);
    m.setRank("honesty", second!, 1);
    m.likert = 3;
    m.toggleClass(first!, "good");
    m.toggleClass(first!, "bad"); // single class: replaces
    m.rationale = "B is right";
    const value = m.value();
    expect(value).toEqual({
      displayOrder: [first, second],
      ordinalRankingDimensions: [{ name: "helpfulness", responseRankings: [2, 1] }, { name: "honesty", responseRankings: [1, 1] }],
      pairwiseChoice: { left: first, right: second, choice: 3 },
      responseClassifications: [{ responseId: first, labels: ["bad"] }, { responseId: second, labels: [] }],
      rationale: "B is right",
    });
    expect(m.problem({ likertRequired: true, classesRequired: false, rationaleRequired: true })).toBeNull();
    // another annotator's order: the same judgement, whatever the positions
    const other = new RankingModel(two, "", DIMS, ["A better", "same", "B better"], ["good", "bad"], false);
    other.load(value);
    expect(other.rankOf("helpfulness", first!)).toBe(2);
    expect(other.likert).toBe(other.shown[0]!.id === first ? 3 : 1);
    expect(other.classes.get(first!)).toEqual(["bad"]);
  });
});

describe("stored ranking values", () => {
  it("reads a canonical value's ranks in the item's order, whatever order its worker saw", () => {
    // the server keeps ranks in responseIds' order; displayOrder only records how that worker saw them
    const stored = { responseIds: ["r1", "b", "r3"], displayOrder: ["r3", "r1", "b"],
      ordinalRankingDimensions: [{ name: "helpfulness", responseRankings: [3, 1, 2] }] };
    expect(isStoredRanking(stored)).toBe(true);
    expect(isStoredRanking({ displayOrder: ["r1"], ordinalRankingDimensions: [] })).toBe(false);
    const m = new RankingModel(RESPONSES, "x", DIMS, [], [], false);
    m.load(stored);
    expect([m.rankOf("helpfulness", "r1"), m.rankOf("helpfulness", "b"), m.rankOf("helpfulness", "r3")]).toEqual([3, 1, 2]);
  });
});
