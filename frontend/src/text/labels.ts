/**
 * The `labels` attribute of `<lw-entity-annotation>`: strings, a Ground Truth label-category file
 * (`{"labels": [{"label": …}]}`), or Ground Truth's crowd-entity-annotation objects
 * `{label, shortDisplayName?, fullDisplayName?}`; ours adds an optional `key` (one character, the
 * label's own hotkey besides 1–9). Pure: no DOM.
 */
import { parseAttributeLiteral } from "../lib/loose-json";

export interface EntityLabel {
  label: string;
  /** Shown in the tags over the text (GT's shortDisplayName; the label itself when absent). */
  short: string;
  /** Shown on the label buttons and in tooltips. */
  full: string;
  /** A letter key that picks this label, or null. */
  key: string | null;
  colour: string;
}

/** Ground Truth's order of colours (as its outputs show), then the rest of category20. */
export const TEXT_PALETTE: readonly string[] = [
  "#2ca02c", "#1f77b4", "#ff7f0e", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
  "#98df8a", "#aec7e8", "#ffbb78", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
];

/** Keys the editor itself uses: a label may not take them as its own key. */
const RESERVED_KEYS = new Set(["r", "s", "z", "y"]);

function str(v: unknown): string | null {
  return typeof v === "string" && v.trim() ? v.trim() : null;
}

/** Parses the attribute; unreadable entries are left out and named in `problems`. */
export function parseEntityLabels(attr: string | null | undefined): { labels: EntityLabel[]; problems: string[] } {
  const text = (attr ?? "").trim();
  const problems: string[] = [];
  if (!text) return { labels: [], problems };
  let items: unknown[];
  try {
    let parsed = parseAttributeLiteral(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) parsed = (parsed as { labels?: unknown }).labels;
    items = Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    if (/[[\]{}]/.test(text)) return { labels: [], problems: ["labels is not valid JSON"] };
    items = text.split(",");
  }
  const labels: EntityLabel[] = [];
  const usedKeys = new Set<string>();
  items.forEach((item, i) => {
    const obj = item && typeof item === "object" ? (item as Record<string, unknown>) : null;
    const label = obj ? str(obj.label) : typeof item === "number" ? String(item) : str(item);
    if (label === null) {
      problems.push(`labels[${i}] has no label`);
      return;
    }
    if (labels.some((l) => l.label === label)) return; // a hotkey must mean one label
    let key = obj ? str(obj.key)?.toLowerCase() ?? null : null;
    if (key !== null && (key.length !== 1 || /[0-9]/.test(key) || RESERVED_KEYS.has(key) || usedKeys.has(key))) {
      problems.push(`labels[${i}].key "${key}" is taken or not one letter`);
      key = null;
    }
    if (key) usedKeys.add(key);
    labels.push({
      label,
      short: (obj && str(obj.shortDisplayName)) || label,
      full: (obj && str(obj.fullDisplayName)) || label,
      key,
      colour: TEXT_PALETTE[labels.length % TEXT_PALETTE.length]!,
    });
  });
  return { labels, problems };
}

/** A plain list of names (`relation-labels`, `document-labels`): JSON, a JS-ish literal, or commas. */
export function parseNameList(attr: string | null | undefined): string[] {
  const text = (attr ?? "").trim();
  if (!text) return [];
  let items: unknown[];
  try {
    const parsed = parseAttributeLiteral(text);
    const list = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as { labels?: unknown }).labels : parsed;
    items = Array.isArray(list) ? list : [list];
  } catch {
    items = text.split(",");
  }
  const out: string[] = [];
  for (const item of items) {
    const name = item && typeof item === "object" ? str((item as { label?: unknown }).label) : str(item);
    if (name !== null && !out.includes(name)) out.push(name);
  }
  return out;
}
