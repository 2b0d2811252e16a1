import { describe, expect, it } from "vitest";
import { FINISH_BLOCKED, followStep, labelPayload, pendingNote, sessionBody, taxonomyLines } from "../../src/lib/redteam-labels";

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

describe("new session body", () => {
  it("names one model as connection_id and several, side by side, as connection_ids", () => {
    expect(sessionBody([4], "t")).toEqual({ connection_id: 4, title: "t" });
    expect(sessionBody([4, 7], "")).toEqual({ connection_ids: [4, 7], title: "" });
  });
});

describe("following pending replies", () => {
  it("reloads when nothing is pending, waits on a live writer, resumes a stale one", () => {
    expect(followStep([{ id: 1, pending: false, stale: false }])).toBe("reload");
    expect(followStep([{ id: 1, pending: true, stale: false }, { id: 2, pending: false, stale: false }])).toBe("wait");
    expect(followStep([{ id: 1, pending: true, stale: false }, { id: 2, pending: true, stale: true }])).toBe("resume");
    expect(followStep([])).toBe("reload");
  });
});

describe("pending replies and Finish", () => {
  it("says whether a pending reply is queued, being asked again, or being written", () => {
    expect(pendingNote({ queued: true, stale: false })).toBe("queued: waiting for a free writer…");
    expect(pendingNote({ queued: false, stale: true })).toMatch(/^interrupted/);
    expect(pendingNote({})).toBe("writing…");
  });
  it("explains why Finish waits", () => {
    expect(FINISH_BLOCKED).toMatch(/still being written/);
  });
});
