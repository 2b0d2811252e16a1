/**
 * Reading a stored model-evaluation answer back into `<lw-model-evaluation>`: the canonical value
 * the server keeps (core/tasktypes/evaluation.py: per criterion `{method, ratings | ranks | chosen |
 * left, right, choice, winner}` keyed by model id) and the consolidated one (the same shape, with
 * Likert means such as 4.67, Bradley-Terry `scores` beside the ranks, a comparison `choice` that is
 * a median such as 2.5 and a `winner` that may be "tie"). The review page presets its task frame
 * with these, so each is mapped onto the element's own shown order; a value the controls cannot hold
 * exactly (a mean between two radios) is rounded onto them and its exact figure kept as a note.
 */
import type { Criterion, Thumb } from "./model";

export const LIKERT_POINTS = 5;

/** One answer to preset: `model` is "" for the whole-item methods (choice, comparison). */
export interface Preset {
  model: string;
  answer: number | Thumb;
  /** the stored figure when the control shows it rounded, or what the consolidation adds (scores) */
  note?: string;
}

function plain(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

/** A stored (canonical or consolidated) value, not the element's posted shape (answers in arrays or positions). */
export function isCanonicalValue(raw: unknown): boolean {
  if (!plain(raw)) return false;
  if (Array.isArray(raw.models)) return true;
  return plain(raw.criteria) && Object.values(raw.criteria).some(plain);
}

/** 4.666 → "4.67", 4.5 → "4.5", 4 → "4". */
export function figure(x: number): string {
  return String(Math.round(x * 100) / 100);
}

function finite(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** The 1-5 comparison as stored (1 = the item's left response much better), rounded onto the five
 * buttons without crossing the middle: a left win of 2.5 stays a left win (2), a tie is 3. */
function comparisonPoint(choice: unknown, winner: unknown, left: string, right: string): number | null {
  if (!finite(choice)) return winner === left ? 2 : winner === right ? 4 : winner === "tie" ? 3 : null;
  const r = Math.min(LIKERT_POINTS, Math.max(1, Math.round(choice)));
  if (winner === left && r >= 3) return 2;
  if (winner === right && r <= 3) return 4;
  if (winner === "tie") return 3;
  return r;
}

/**
 * The presets for one criterion from its stored answer, with what could not be read. `shown` is the
 * element's order of model ids (the reviewer's, not the original worker's: the stored answer names
 * models, so no order has to be undone).
 */
export function readStoredAnswer(c: Criterion, v: Record<string, unknown>, shown: readonly string[]):
  { presets: Preset[]; problems: string[] } {
  const presets: Preset[] = [];
  const problems: string[] = [];
  const where = `initial value: “${c.name}”`;
  if (typeof v.method === "string" && v.method !== c.method) {
    problems.push(`${where} was answered by ${v.method}; it is asked by ${c.method} now`);
    return { presets, problems };
  }
  const perModel = (key: string): Record<string, unknown> | null => {
    const per = v[key];
    if (!plain(per)) {
      problems.push(`${where} has no ${key}`);
      return null;
    }
    const unknown = Object.keys(per).filter((m) => !shown.includes(m));
    if (unknown.length) problems.push(`${where} names models this item does not show: ${unknown.join(", ")}`);
    return per;
  };
  switch (c.method) {
    case "thumbs": {
      const ratings = perModel("ratings");
      for (const m of shown) {
        const t = ratings?.[m];
        if (t === "up" || t === "down") presets.push({ model: m, answer: t });
      }
      break;
    }
    case "likert": {
      const ratings = perModel("ratings");
      for (const m of shown) {
        const x = ratings?.[m];
        if (!finite(x)) continue;
        const r = Math.min(LIKERT_POINTS, Math.max(1, Math.round(x)));
        presets.push(r === x ? { model: m, answer: r } : { model: m, answer: r, note: `consolidated ${figure(x)}` });
      }
      break;
    }
    case "rank": {
      const ranks = perModel("ranks");
      const scores = plain(v.scores) ? v.scores : {};
      for (const m of shown) {
        const x = ranks?.[m];
        if (!finite(x)) continue;
        const r = Math.min(shown.length, Math.max(1, Math.round(x)));
        const s = scores[m];
        presets.push(finite(s) ? { model: m, answer: r, note: `score ${figure(s)}` } : { model: m, answer: r });
      }
      break;
    }
    case "choice": {
      const i = shown.indexOf(String(v.chosen));
      if (i < 0) problems.push(`${where}: the chosen model ${JSON.stringify(v.chosen)} is not shown`);
      else presets.push({ model: "", answer: i + 1 });
      break;
    }
    case "comparison-likert": {
      const left = String(v.left ?? shown[0]);
      const right = String(v.right ?? shown[1]);
      const point = comparisonPoint(v.choice, v.winner, left, right);
      const swapped = shown[0] === right && shown[1] === left;
      if (point === null || (!swapped && !(shown[0] === left && shown[1] === right))) {
        problems.push(`${where} compares ${left} and ${right}, not the responses shown`);
        break;
      }
      // the element's buttons run from "A much better" to "B much better": mirror when B is the item's left
      const mirror = (x: number): number => (swapped ? LIKERT_POINTS + 1 - x : x);
      const exact = finite(v.choice) && !Number.isInteger(v.choice) ? `consolidated ${figure(mirror(v.choice))}` : undefined;
      presets.push(exact ? { model: "", answer: mirror(point), note: exact } : { model: "", answer: mirror(point) });
      break;
    }
  }
  return { presets, problems };
}
