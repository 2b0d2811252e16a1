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

/** The new-session body: one model as `connection_id`, several (side by side) as `connection_ids`. */
export function sessionBody(ids: number[], title: string): Record<string, unknown> {
  return ids.length === 1 ? { connection_id: ids[0], title } : { connection_ids: ids, title };
}

/** A stored turn as `GET …/sessions/{id}` lists it (the fields the page follows). */
export interface FollowedTurn {
  id: number;
  pending: boolean;
  stale: boolean;
}

/**
 * What a page waiting on replies does next, from the session's stored turns: `"resume"` when a reply
 * is pending with a stale heartbeat (the server writing it died: ask for it again), `"wait"` while a
 * live process is still writing one, `"reload"` when none is pending (show the stored replies).
 */
export function followStep(turns: FollowedTurn[]): "resume" | "wait" | "reload" {
  const pending = turns.filter((t) => t.pending);
  if (pending.length === 0) return "reload";
  return pending.some((t) => t.stale) ? "resume" : "wait";
}

/** Why Finish is disabled while a reply streams or waits (the server would answer 409). */
export const FINISH_BLOCKED = "A reply is still being written: wait for it to end (or stop it), then finish.";

/** The note on a reply still pending: waiting for a writer, being asked again, or being written. */
export function pendingNote(t: { queued?: boolean; stale?: boolean }): string {
  if (t.stale) return "interrupted (the server stopped): asking again…";
  if (t.queued) return "queued: waiting for a free writer…";
  return "writing…";
}
