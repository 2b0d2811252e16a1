import { describe, expect, it } from "vitest";
import { labelPayload, taxonomyLines } from "../../src/lib/redteam-labels";

describe("red-team label payload", () => {
  it("sends chosen labels, the severity as a number and the verdict", () => {
    expect(labelPayload({ harmCategory: "cyber", attackTechnique: "role-play", severity: "3", modelFailed: true, note: "n" }))
      .toEqual({ harm_category: "cyber", attack_technique: "role-play", severity: 3, model_failed: true, note: "n" });
  });
  it("clears what is not chosen (severity 0 is a choice, not a blank)", () => {
    expect(labelPayload({ harmCategory: "", attackTechnique: "", severity: "", modelFailed: false, note: "" }))
      .toEqual({ harm_category: null, attack_technique: null, severity: null, model_failed: false, note: "" });
    expect(labelPayload({ harmCategory: "", attackTechnique: "", severity: "0", modelFailed: false, note: "" }).severity).toBe(0);
  });
});

describe("taxonomy lines", () => {
  it("takes one trimmed name a line and drops blank lines", () => {
    expect(taxonomyLines(" bio \n\nchem\n  \n")).toEqual(["bio", "chem"]);
    expect(taxonomyLines("")).toEqual([]);
  });
});
