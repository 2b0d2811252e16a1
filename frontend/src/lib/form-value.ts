/**
 * The form's output, as Ground Truth's `<crowd-form>` builds it: one key per element `name`.
 * Classifiers give `{label}` / `{labels}`; plain HTML controls in custom templates give strings,
 * `{on}` for a lone checkbox, arrays for checkbox groups and multiple selects.
 * Pure: the DOM is reached through small adapter objects, so tests use plain ones.
 */

import type { JsonObject, JsonValue } from "./json";

// ---- classifier values ------------------------------------------------------------------

export type SingleValue = { label: string };
export type MultiValue = { labels: string[] };

export function singleValue(label: string | null): SingleValue | null {
  return label === null ? null : { label };
}

/** A single-label draft: `{label}`, or a bare string; only a label the element offers counts. */
export function readSingle(v: unknown, categories: readonly string[]): string | null {
  const label = typeof v === "string" ? v : v && typeof v === "object" ? (v as { label?: unknown }).label : null;
  return typeof label === "string" && categories.includes(label) ? label : null;
}

export interface MultiState {
  labels: string[];
  /** The worker chose the exclusion category ("None of the above"). */
  excluded: boolean;
}

export const EMPTY_MULTI: MultiState = { labels: [], excluded: false };

/** Labels are kept in the categories' order, whatever order they were clicked in. */
function ordered(labels: Iterable<string>, categories: readonly string[]): string[] {
  const set = new Set(labels);
  return categories.filter((c) => set.has(c));
}

/**
 * Toggle one category. When `exclusive` names one of the categories, that category behaves as
 * the exclusion category: choosing it clears the others, choosing another clears it.
 */
export function toggleLabel(
  state: MultiState,
  label: string,
  categories: readonly string[],
  exclusive: string | null = null,
): MultiState {
  if (!categories.includes(label)) return state;
  const has = state.labels.includes(label);
  let labels = has ? state.labels.filter((l) => l !== label) : [...state.labels, label];
  if (!has && exclusive !== null) {
    labels = label === exclusive ? [label] : labels.filter((l) => l !== exclusive);
  }
  return { labels: ordered(labels, categories), excluded: false };
}

/** Toggle the separate exclusion button: choosing it clears every label. */
export function toggleExclusion(state: MultiState): MultiState {
  return state.excluded ? { labels: state.labels, excluded: false } : { labels: [], excluded: true };
}

/** As Ground Truth: with the exclusion category chosen the output is an empty list. */
export function multiValue(state: MultiState): MultiValue {
  return { labels: [...state.labels] };
}

export function readMulti(v: unknown, categories: readonly string[]): MultiState {
  const raw = Array.isArray(v) ? v : v && typeof v === "object" ? (v as { labels?: unknown }).labels : null;
  if (!Array.isArray(raw)) return EMPTY_MULTI;
  const labels = raw.filter((l): l is string => typeof l === "string");
  return { labels: ordered(labels, categories), excluded: false };
}

// ---- plain HTML controls -----------------------------------------------------------------

/** What the serialiser needs from an `<input>`, `<textarea>` or `<select>`. */
export interface ControlLike {
  tag: "input" | "textarea" | "select";
  /** Lower-case input type ("text", "checkbox", …); "select-one"/"select-multiple"/"textarea" otherwise. */
  type: string;
  name: string;
  disabled: boolean;
  value: string;
  checked: boolean;
  /** For selects: the values of the selected options (settable). */
  selectedValues: string[];
}

const SKIPPED_TYPES = new Set(["button", "submit", "reset", "image", "file"]);

function usable(c: ControlLike): boolean {
  return Boolean(c.name) && !c.disabled && !SKIPPED_TYPES.has(c.type);
}

function groupByName(controls: readonly ControlLike[]): Map<string, ControlLike[]> {
  const groups = new Map<string, ControlLike[]>();
  for (const c of controls) {
    if (!usable(c)) continue;
    const g = groups.get(c.name);
    if (g) g.push(c);
    else groups.set(c.name, [c]);
  }
  return groups;
}

function groupValue(group: ControlLike[]): JsonValue | undefined {
  const first = group[0]!;
  if (first.type === "checkbox") {
    const boxes = group.filter((c) => c.type === "checkbox");
    if (boxes.length === 1) return { on: first.checked };
    return boxes.filter((c) => c.checked).map((c) => c.value);
  }
  if (first.type === "radio") {
    const chosen = group.find((c) => c.type === "radio" && c.checked);
    return chosen ? chosen.value : null;
  }
  if (first.type === "select-multiple") return [...first.selectedValues];
  if (first.type === "select-one") return first.selectedValues[0] ?? "";
  // Text-like inputs, textarea, single select. Duplicated names: the last one wins, as in GT.
  return group[group.length - 1]!.value;
}

export function serializeControls(controls: readonly ControlLike[]): JsonObject {
  const out: JsonObject = {};
  for (const [name, group] of groupByName(controls)) {
    const v = groupValue(group);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** The inverse of `serializeControls`: puts a draft's values back into the controls. */
export function restoreControls(value: JsonObject, controls: readonly ControlLike[]): void {
  for (const [name, group] of groupByName(controls)) {
    if (!Object.prototype.hasOwnProperty.call(value, name)) continue;
    const v = value[name];
    const first = group[0]!;
    if (first.type === "checkbox") {
      const boxes = group.filter((c) => c.type === "checkbox");
      if (boxes.length === 1) {
        first.checked = Boolean(v && typeof v === "object" && !Array.isArray(v) && v.on === true);
      } else {
        const on = Array.isArray(v) ? v : [];
        for (const b of boxes) b.checked = on.includes(b.value);
      }
    } else if (first.type === "radio") {
      for (const r of group) r.checked = r.type === "radio" && typeof v === "string" && r.value === v;
    } else if (first.type === "select-multiple") {
      first.selectedValues = Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
    } else if (first.type === "select-one") {
      first.selectedValues = typeof v === "string" ? [v] : [];
      first.value = typeof v === "string" ? v : "";
    } else if (typeof v === "string" || typeof v === "number") {
      group[group.length - 1]!.value = String(v);
    }
  }
}

/** Merge element values over control values: a named `<lw-*>` element wins over a stray input. */
export function mergeFormValue(controls: JsonObject, elements: ReadonlyArray<[string, JsonValue | null]>): JsonObject {
  const out: JsonObject = { ...controls };
  for (const [name, v] of elements) {
    if (name && v !== null) out[name] = v;
  }
  return out;
}
