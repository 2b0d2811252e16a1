/**
 * The red-team page's form values turned into what the API takes (docs/redteam.md): pure, so the
 * rules are tested without a page.
 */

/** A reply's label controls as read from the page: select values are "" when nothing is chosen. */
export interface LabelControls {
  harmCategory: string;
  attackTechnique: string;
  severity: string;
  modelFailed: boolean;
  note: string;
}

/** The PATCH body: an empty select clears its label (null); severity is the number 0-4. */
export function labelPayload(c: LabelControls): Record<string, string | number | boolean | null> {
  return {
    harm_category: c.harmCategory || null,
    attack_technique: c.attackTechnique || null,
    severity: c.severity === "" ? null : Number(c.severity),
    model_failed: c.modelFailed,
    note: c.note,
  };
}

/** A taxonomy textarea: one name a line, trimmed, blank lines dropped. */
export function taxonomyLines(text: string): string[] {
  return text.split("\n").map((line) => line.trim()).filter((line) => line !== "");
}
