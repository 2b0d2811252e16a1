/**
 * What an annotation object carries besides its geometry and label, shared by the box and shape
 * models: Ground Truth's label-category attribute values, and where the object came from when an
 * assist made it. Plain data and pure functions; no DOM.
 *
 * Output keys are Ground Truth's video-frame worker response: an object's values under
 * `labelCategoryAttributes` and the image's under `frameAttributes` (the Python task types check
 * both against the project's label-category file).
 */

/** One attribute value: a choice or free text (string) or a number. */
export type AttributeValue = string | number;

/** Attribute name → value; a name without a value is absent (never `""` or `null`). */
export type AttributeValues = Readonly<Record<string, AttributeValue>>;

export const OBJECT_ATTRIBUTES_KEY = "labelCategoryAttributes";
export const FRAME_ATTRIBUTES_KEY = "frameAttributes";

export interface ObjectMeta {
  attributes: AttributeValues;
  /** "model": an assist proposed the object (it stays so when the worker edits it). */
  source?: "model";
  /** The assist's model name. */
  model?: string;
  /** A worker changed a model-made object (its label, geometry or attributes). */
  edited?: boolean;
  /** The model's confidence, 0..1. */
  score?: number;
}

/** The output keys of an object's meta: attributes only when there are some. */
export interface OutputMeta {
  labelCategoryAttributes?: Record<string, AttributeValue>;
  source?: "model";
  model?: string;
  edited?: boolean;
  score?: number;
}

export const EMPTY_ATTRIBUTES: AttributeValues = Object.freeze({});

/** `values` with `name` set to `value`, or removed when `value` is null or `""`. */
export function withAttribute(values: AttributeValues, name: string, value: AttributeValue | null): AttributeValues {
  const out: Record<string, AttributeValue> = { ...values };
  if (value === null || value === "") delete out[name];
  else out[name] = value;
  return out;
}

export function sameValues(a: AttributeValues, b: AttributeValues): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** An object's meta as output keys (copies: the caller may keep them). */
export function metaOutput(m: ObjectMeta): OutputMeta {
  const out: OutputMeta = {};
  if (Object.keys(m.attributes).length) out.labelCategoryAttributes = { ...m.attributes };
  if (m.source) out.source = m.source;
  if (m.model) out.model = m.model;
  if (m.edited) out.edited = true;
  if (m.score !== undefined) out.score = m.score;
  return out;
}

/** Attribute values from an untrusted object: strings and finite numbers kept, others dropped. */
export function parseAttributeValues(raw: unknown): AttributeValues {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return EMPTY_ATTRIBUTES;
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if ((typeof v === "string" && v !== "") || (typeof v === "number" && Number.isFinite(v))) out[k] = v;
  }
  return out;
}

/** The meta of a loaded object (`labelCategoryAttributes`, or `attributes`, and provenance). */
export function parseMeta(r: Record<string, unknown>): ObjectMeta {
  const meta: ObjectMeta = { attributes: parseAttributeValues(r[OBJECT_ATTRIBUTES_KEY] ?? r.attributes) };
  if (r.source === "model") meta.source = "model";
  if (typeof r.model === "string" && r.model) meta.model = r.model;
  if (r.edited === true) meta.edited = true;
  if (typeof r.score === "number" && r.score >= 0 && r.score <= 1) meta.score = r.score;
  return meta;
}

/** Whether a loaded object carries any meta (parsers leave an empty one out). */
export function hasMeta(m: ObjectMeta): boolean {
  return Object.keys(m.attributes).length > 0 || !!m.source || !!m.model || !!m.edited || m.score !== undefined;
}

/** A copy of the meta fields of `o` (for commands and snapshots). */
export function copyMeta(o: ObjectMeta): ObjectMeta {
  const meta: ObjectMeta = { attributes: o.attributes };
  if (o.source) meta.source = o.source;
  if (o.model) meta.model = o.model;
  if (o.edited) meta.edited = true;
  if (o.score !== undefined) meta.score = o.score;
  return meta;
}
