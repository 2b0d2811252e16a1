/**
 * Ground Truth's `editsAllowed` in an adjustment job, as the editors apply it: a label-category
 * file may say `"editsAllowed": "none"` on a label, on an object attribute (`categoryAttributes`,
 * `categoryGlobalAttributes`) and on a frame attribute. The server refuses an answer that changes
 * any of them (src/labelworks/core/tasktypes/edit_limits.py); the editors keep the worker from
 * making such a change in the first place:
 *
 * - a "none" label's earlier objects (loaded from initial-value or a draft) are edit-locked: not
 *   moved, reshaped, relabelled or deleted, and no object is drawn, pasted or relabelled to it;
 * - a "none" object attribute keeps its value on earlier objects (new objects may be given one);
 * - a "none" frame attribute keeps the image's value.
 *
 * Pure: no DOM. `NO_LIMITS` (the default) allows everything.
 */
import { parseAttributeLiteral } from "../lib/loose-json";

/** What the tooltip and messages say about an edit-locked thing. */
export const EDIT_LOCKED_REASON = "editsAllowed: none";
/** The colour edit-locked objects are drawn in (greyed: there, but not the worker's to change). */
export const EDIT_LOCKED_COLOUR = "#9a9a9a";

export interface EditLimits {
  /** Labels whose earlier objects may not change and which no object may be given. */
  readonly labels: ReadonlySet<string>;
  /** Frame attributes whose value may not change. */
  readonly frame: ReadonlySet<string>;
  /** Whether attribute `name` of an earlier object labelled `label` keeps its value. */
  attributeFixed(label: string, name: string): boolean;
  /** Whether anything at all is limited (the editors skip every check otherwise). */
  readonly any: boolean;
}

export const NO_LIMITS: EditLimits = {
  labels: new Set(),
  frame: new Set(),
  attributeFixed: () => false,
  any: false,
};

function fixedNames(raw: unknown): Set<string> {
  const out = new Set<string>();
  if (!Array.isArray(raw)) return out;
  for (const a of raw) {
    if (a && typeof a === "object" && (a as Record<string, unknown>).editsAllowed === "none") {
      const name = (a as Record<string, unknown>).name;
      if (typeof name === "string" && name.trim()) out.add(name.trim());
    }
  }
  return out;
}

/**
 * The limits a `labels` attribute declares: a label-category file (JSON or a loose literal) with
 * `editsAllowed` on its labels and attributes. A plain list of labels or bad JSON limits nothing.
 */
export function parseEditLimits(attr: string | null | undefined): EditLimits {
  const text = (attr ?? "").trim();
  if (!text.startsWith("{") || !text.includes("editsAllowed")) return NO_LIMITS;
  let doc: unknown;
  try {
    doc = parseAttributeLiteral(text);
  } catch {
    return NO_LIMITS;
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return NO_LIMITS;
  const d = doc as Record<string, unknown>;
  const labels = new Set<string>();
  const global = fixedNames(d.categoryGlobalAttributes);
  const own = new Map<string, Set<string>>();
  for (const entry of Array.isArray(d.labels) ? d.labels : []) {
    if (!entry || typeof entry !== "object") continue;
    const e = entry as Record<string, unknown>;
    const label = typeof e.label === "string" ? e.label.trim() : "";
    if (!label) continue;
    if (e.editsAllowed === "none") labels.add(label);
    const names = fixedNames(e.categoryAttributes ?? e.attributes);
    if (names.size) own.set(label, names);
  }
  const frame = fixedNames(d.frameAttributes);
  const any = labels.size > 0 || frame.size > 0 || global.size > 0 || own.size > 0;
  if (!any) return NO_LIMITS;
  return {
    labels,
    frame,
    attributeFixed: (label, name) => global.has(name) || (own.get(label)?.has(name) ?? false),
    any,
  };
}
