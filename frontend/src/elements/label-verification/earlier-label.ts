/**
 * An earlier label from an output-manifest line (`<attr>` and `<attr>-metadata`, Ground Truth's
 * shapes) turned into things to draw. Pure: no DOM.
 *
 *   groundtruth/object-detection  {annotations: [{class_id, left, top, width, height}], image_size}
 *   groundtruth/polygon           {annotations: [{class_id, points: [{x, y}]}]}   (closed)
 *   groundtruth/polyline, /line   {annotations: [{class_id, points: [{x, y}]}]}   (open)
 *   groundtruth/keypoint          {annotations: [{class_id, x, y}]}
 *   groundtruth/semantic-segmentation  a PNG label map (its URL comes as `mask-src`) and
 *                                      `internal-color-map` {"0": {class-name, hex-color}}
 *
 * An object whose shape does not match its type is guessed from its keys (a rectangle has
 * `width`, a point `x`, a vertex list `points` or `vertices`); one that is none of them is counted
 * in `skipped`, never drawn wrong.
 */
import type { Point } from "../../canvas/geometry";

/** Attribute name → value (Ground Truth's `label-category-attributes`, `frame-attributes`). */
export type AttributeMap = Readonly<Record<string, string | number>>;

/** One earlier object; `attributes` are its label-category attribute values, if it has any. */
export type Drawable = (
  | { kind: "box"; label: string; left: number; top: number; width: number; height: number }
  | { kind: "polygon" | "polyline"; label: string; points: Point[] }
  | { kind: "point"; label: string; x: number; y: number }
) & { attributes?: AttributeMap };

export interface LegendEntry {
  label: string;
  colour: string | null; // a mask class's own colour; null: the label palette picks one
}

export interface EarlierLabel {
  type: string;
  objects: Drawable[];
  /** Image size recorded with the label, if any (a hint before the image loads). */
  size: { width: number; height: number } | null;
  /** Mask classes (semantic segmentation) and their colours, from `internal-color-map`. */
  maskClasses: LegendEntry[];
  /** The mask's background colour (lowercase #rrggbb), when the colour map names one. */
  maskBackground: string | null;
  skipped: number;
  /** The image's attribute values (`frame-attributes`). */
  frameAttributes: AttributeMap;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** String and number values of `a[key]` (or its camel-case twin), as the manifest carries them. */
function attributeMap(a: Obj, key: string, camel: string): AttributeMap {
  const raw = isObj(a[key]) ? a[key] : isObj(a[camel]) ? a[camel] : null;
  const out: Record<string, string | number> = {};
  if (raw) for (const [k, v] of Object.entries(raw)) if (typeof v === "string" || num(v) !== null) out[k] = v as string | number;
  return out;
}

/** "occluded: partly; note: red", or "" for none. */
export function attributeText(values: AttributeMap | undefined): string {
  return values ? Object.entries(values).map(([k, v]) => `${k}: ${v}`).join("; ") : "";
}

function parseJson(raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  if (!raw.trim()) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

function points(a: Obj): Point[] | null {
  const list = Array.isArray(a.points) ? a.points : Array.isArray(a.vertices) ? a.vertices : null;
  if (!list) return null;
  const out: Point[] = [];
  for (const p of list) {
    const x = isObj(p) ? num(p.x) : null;
    const y = isObj(p) ? num(p.y) : null;
    if (x === null || y === null) return null;
    out.push({ x, y });
  }
  return out;
}

function className(a: Obj, classMap: Obj): string {
  if (typeof a.label === "string") return a.label;
  const id = a.class_id;
  const name = classMap[String(id)];
  return typeof name === "string" ? name : id === undefined ? "?" : String(id);
}

function drawable(a: Obj, type: string, label: string): Drawable | null {
  const [left, top, width, height] = [num(a.left), num(a.top), num(a.width), num(a.height)];
  if (left !== null && top !== null && width !== null && height !== null) {
    return { kind: "box", label, left, top, width, height };
  }
  const pts = points(a);
  if (pts && pts.length >= 2) {
    const open = type.endsWith("/polyline") || type.endsWith("/line") || pts.length < 3;
    return { kind: open ? "polyline" : "polygon", label, points: pts };
  }
  const [x, y] = [num(a.x), num(a.y)];
  if (x !== null && y !== null) return { kind: "point", label, x, y };
  return null;
}

/** Reads `label-data` and `label-metadata` (JSON text or values). */
export function parseEarlierLabel(dataRaw: unknown, metaRaw: unknown): EarlierLabel {
  const data = parseJson(dataRaw);
  const meta = parseJson(metaRaw);
  const type = isObj(meta) && typeof meta.type === "string" ? meta.type : "";
  const classMap = isObj(meta) && isObj(meta["class-map"]) ? meta["class-map"] : {};
  const out: EarlierLabel = { type, objects: [], size: null, maskClasses: [], maskBackground: null, skipped: 0, frameAttributes: {} };
  if (isObj(data)) {
    const list = Array.isArray(data.annotations)
      ? data.annotations
      : Array.isArray(data.boundingBoxes)
        ? data.boundingBoxes
        : [];
    for (const a of list) {
      const d = isObj(a) ? drawable(a, type, className(a, classMap)) : null;
      if (d) {
        const attributes = attributeMap(a as Obj, "label-category-attributes", "labelCategoryAttributes");
        if (Object.keys(attributes).length) d.attributes = attributes;
        out.objects.push(d);
      }
      else out.skipped += 1;
    }
    out.frameAttributes = attributeMap(data, "frame-attributes", "frameAttributes");
    const sizes = data.image_size;
    const first = Array.isArray(sizes) && isObj(sizes[0]) ? sizes[0] : null;
    const w = first ? num(first.width) : null;
    const h = first ? num(first.height) : null;
    if (w && h && w > 0 && h > 0) out.size = { width: w, height: h };
  }
  const colourMap = isObj(meta) ? meta["internal-color-map"] : undefined;
  if (isObj(colourMap)) {
    for (const [id, entry] of Object.entries(colourMap)) {
      if (!isObj(entry)) continue;
      const name = typeof entry["class-name"] === "string" ? entry["class-name"] : `class ${id}`;
      const hex = typeof entry["hex-color"] === "string" ? entry["hex-color"].toLowerCase() : null;
      if (id === "0" || name.toUpperCase() === "BACKGROUND") {
        out.maskBackground = hex;
        continue;
      }
      out.maskClasses.push({ label: name, colour: hex });
    }
  }
  return out;
}

/** Objects per label, in first-seen order (the legend). */
export function countByLabel(objects: readonly Drawable[]): { label: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.label, (counts.get(o.label) ?? 0) + 1);
  return [...counts].map(([label, count]) => ({ label, count }));
}

/**
 * How to lay the mask over the photo so that its background leaves the photo as it is without
 * reading the mask's pixels (a cross-origin image in a sandboxed frame cannot be read): a white
 * background multiplies, a black one screens, anything else is painted at the chosen opacity.
 */
export function maskBlend(background: string | null): GlobalCompositeOperation {
  if (background === "#ffffff" || background === "#fff") return "multiply";
  if (background === "#000000" || background === "#000") return "screen";
  return "source-over";
}

function nearSegment(p: Point, a: Point, b: Point, slack: number): boolean {
  const dx = b.x - a.x, dy = b.y - a.y;
  const len = dx * dx + dy * dy;
  const t = len ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len)) : 0;
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy)) <= slack;
}

function insidePolygon(p: Point, pts: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const a = pts[i]!, b = pts[j]!;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/**
 * The object under image point `p` (its index), or null: a point or a line within `slack` image
 * px, else the smallest box or polygon containing it (so a small object inside a big one is found).
 */
export function objectAt(objects: readonly Drawable[], p: Point, slack: number): number | null {
  let best: number | null = null;
  let bestArea = Infinity;
  objects.forEach((o, i) => {
    let area = Infinity;
    if (o.kind === "point") area = Math.hypot(o.x - p.x, o.y - p.y) <= slack ? 0 : Infinity;
    else if (o.kind === "polyline") area = o.points.some((a, k) => k > 0 && nearSegment(p, o.points[k - 1]!, a, slack)) ? 0 : Infinity;
    else if (o.kind === "box") {
      const inside = p.x >= o.left && p.x <= o.left + o.width && p.y >= o.top && p.y <= o.top + o.height;
      area = inside ? o.width * o.height : Infinity;
    } else if (insidePolygon(p, o.points)) {
      const xs = o.points.map((q) => q.x), ys = o.points.map((q) => q.y);
      area = (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys));
    }
    if (area < bestArea) {
      bestArea = area;
      best = i;
    }
  });
  return best;
}
