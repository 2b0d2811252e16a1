/**
 * Ground Truth's label-category attributes, read from the same `labels` attribute the image
 * elements take: a label-category file may give each label `categoryAttributes`, every label
 * `categoryGlobalAttributes`, and the whole image `frameAttributes`. Each attribute is
 * `{name, type: "string" | "number", enum?, description?, minimum?, maximum?, isRequired?}`: a
 * choice (string with enum), free text (string without) or a number in a range. Pure: no DOM.
 * The server checks the same rules (src/labelworks/core/labels.py, tasktypes/image_objects.py).
 */
import { parseAttributeLiteral } from "../../lib/loose-json";
import type { AttributeValue, AttributeValues } from "../../canvas/object-meta";

export interface AttributeSpec {
  name: string;
  type: "string" | "number";
  /** The choices of a string attribute; empty: free text. */
  enum: readonly string[];
  description: string;
  minimum: number | null;
  maximum: number | null;
  required: boolean;
}

export interface AttributeSchema {
  /** Each label's attributes: its own, then the global ones. */
  byLabel: ReadonlyMap<string, readonly AttributeSpec[]>;
  /** The whole image's attributes. */
  frame: readonly AttributeSpec[];
}

export const NO_ATTRIBUTES: AttributeSchema = { byLabel: new Map(), frame: [] };

function specOf(raw: unknown): AttributeSpec | null {
  if (!raw || typeof raw !== "object") return null;
  const r = raw as Record<string, unknown>;
  const name = typeof r.name === "string" ? r.name.trim() : "";
  if (!name) return null;
  const type = r.type === "number" ? "number" : "string";
  const values = type === "string" && Array.isArray(r.enum) ? r.enum.filter((v): v is string => typeof v === "string" && v !== "") : [];
  const bound = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
  return {
    name,
    type,
    enum: [...new Set(values)],
    description: typeof r.description === "string" ? r.description : "",
    minimum: type === "number" ? bound(r.minimum) : null,
    maximum: type === "number" ? bound(r.maximum) : null,
    required: r.isRequired === true || r.required === true,
  };
}

function specList(raw: unknown): AttributeSpec[] {
  if (!Array.isArray(raw)) return [];
  const out: AttributeSpec[] = [];
  for (const item of raw) {
    const spec = specOf(item);
    if (spec && !out.some((s) => s.name === spec.name)) out.push(spec);
  }
  return out;
}

/** The attributes a `labels` attribute declares (none for a plain list of labels or bad JSON). */
export function parseAttributeSchema(attr: string | null | undefined): AttributeSchema {
  const text = (attr ?? "").trim();
  if (!text.startsWith("{")) return NO_ATTRIBUTES;
  let doc: unknown;
  try {
    doc = parseAttributeLiteral(text);
  } catch {
    return NO_ATTRIBUTES;
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return NO_ATTRIBUTES;
  const d = doc as Record<string, unknown>;
  const global = specList(d.categoryGlobalAttributes);
  const byLabel = new Map<string, AttributeSpec[]>();
  if (Array.isArray(d.labels)) {
    for (const entry of d.labels) {
      if (!entry || typeof entry !== "object") continue;
      const e = entry as Record<string, unknown>;
      const label = typeof e.label === "string" ? e.label.trim() : "";
      if (!label) continue;
      const own = specList(e.categoryAttributes ?? e.attributes).filter((s) => !global.some((g) => g.name === s.name));
      if (own.length || global.length) byLabel.set(label, [...own, ...global]);
    }
  }
  return { byLabel, frame: specList(d.frameAttributes) };
}

export function hasAttributes(schema: AttributeSchema): boolean {
  return schema.frame.length > 0 || schema.byLabel.size > 0;
}

export function attributesOf(schema: AttributeSchema, label: string): readonly AttributeSpec[] {
  return schema.byLabel.get(label) ?? [];
}

/** Why `value` does not fit `spec` ("" when it does); absent values are `checkRequired`'s business. */
export function attributeProblem(spec: AttributeSpec, value: AttributeValue | undefined): string {
  if (value === undefined) return spec.required ? `choose a value for “${spec.name}”` : "";
  if (spec.type === "number") {
    if (typeof value !== "number" || !Number.isFinite(value)) return `“${spec.name}” must be a number`;
    if (spec.minimum !== null && value < spec.minimum) return `“${spec.name}” must be at least ${spec.minimum}`;
    if (spec.maximum !== null && value > spec.maximum) return `“${spec.name}” must be at most ${spec.maximum}`;
    return "";
  }
  if (typeof value !== "string") return `“${spec.name}” must be text`;
  if (spec.enum.length && !spec.enum.includes(value)) return `“${value}” is not a choice of “${spec.name}”`;
  return "";
}

/** The first problem of a set of values against `specs` (unknown names are dropped on output, not blamed). */
export function firstProblem(specs: readonly AttributeSpec[], values: AttributeValues): { name: string; message: string } | null {
  for (const spec of specs) {
    const message = attributeProblem(spec, values[spec.name]);
    if (message) return { name: spec.name, message };
  }
  return null;
}

/** A typed value from a form control's text: a number for number attributes (null when blank or not a number). */
export function valueFromInput(spec: AttributeSpec, text: string): AttributeValue | null {
  if (spec.type !== "number") return text === "" ? null : text;
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : null;
}

/**
 * Objects as output, each keeping only the attribute values its label has: values set under an
 * earlier label stay in the model (changing back restores them) but are not the answer.
 */
export function pruneAttributes<T extends { label: string; labelCategoryAttributes?: Record<string, AttributeValue> }>(
  objects: readonly T[],
  schema: AttributeSchema,
): T[] {
  return objects.map((o) => {
    const values = o.labelCategoryAttributes;
    if (!values) return o;
    const names = new Set(attributesOf(schema, o.label).map((s) => s.name));
    const kept = Object.entries(values).filter(([k]) => names.has(k));
    if (kept.length === Object.keys(values).length) return o;
    const copy = { ...o };
    if (kept.length) copy.labelCategoryAttributes = Object.fromEntries(kept);
    else delete copy.labelCategoryAttributes;
    return copy;
  });
}
