/**
 * The shape model for point-list annotations: polygons (3+ vertices), keypoints (one point
 * each), open polylines (2+ vertices) and lines (exactly 2). On the shared object model (`object-model.ts`), like `BoxModel`; no DOM, no Konva. Coordinates are
 * image pixels, rounded to 0.01 px and clamped inside the image for every edit the worker makes
 * (loaded values are kept as given).
 */
import type { Point, Size } from "./geometry";
import {
  EMPTY_ATTRIBUTES,
  copyMeta,
  hasMeta,
  metaOutput,
  parseAttributeValues,
  parseMeta,
  type AttributeValue,
  type AttributeValues,
  type ObjectMeta,
  type OutputMeta,
} from "./object-meta";
import { ObjectModel, type AnnotationObject, type ObjectModelEvent } from "./object-model";

export type ShapeKind = "polygon" | "point" | OpenShapeKind;

/** Open vertex lists: a polyline (2+ vertices, not closed) and a line (exactly 2 vertices). */
export type OpenShapeKind = "polyline" | "line";

/** The output key of each open kind (what the `polyline` / `line` task types read). */
export const OPEN_SHAPE_KEY = { polyline: "polylines", line: "lines" } as const;

/** A shape: its points, label, view state and meta (attribute values, assist provenance). */
export interface Shape extends AnnotationObject {
  readonly kind: ShapeKind;
  points: Point[];
}

export interface OutputPolygon extends OutputMeta {
  label: string;
  vertices: Point[];
}

export interface OutputKeypoint extends OutputMeta {
  label: string;
  x: number;
  y: number;
}

/** The whole image's attribute values (present when there are some). */
interface FrameOutput {
  frameAttributes?: Record<string, AttributeValue>;
}

export interface PolygonOutput extends FrameOutput {
  polygons: OutputPolygon[];
  inputImageProperties: Size;
}

export interface KeypointOutput extends FrameOutput {
  keypoints: OutputKeypoint[];
  inputImageProperties: Size;
}

/** `{polylines: [...]}` or `{lines: [...]}` (one key, by kind), with the image size. */
export type OpenShapeOutput = { [K in (typeof OPEN_SHAPE_KEY)[OpenShapeKind]]?: OutputPolygon[] } & { inputImageProperties: Size } & FrameOutput;

/** The shape model's events: the shared object model's. */
export type ShapeModelEvent = ObjectModelEvent;

export class ShapeModel extends ObjectModel<Shape> {
  /** Hide / lock step titles name no kind ("Hide", "Lock"). */
  protected readonly noun = "";

  /** Shapes in drawing order (later ones on top). Do not mutate: use commands. */
  get shapes(): readonly Shape[] {
    return this._objects;
  }

  // ---- convenience commands ----------------------------------------------------------------

  /** A point inside the image, rounded to 0.01 px (no image size yet: rounded only). */
  clampPoint(p: Point): Point {
    const W = this._image.width;
    const H = this._image.height;
    const x = W ? Math.min(Math.max(p.x, 0), W) : p.x;
    const y = H ? Math.min(Math.max(p.y, 0), H) : p.y;
    return { x: round2(x), y: round2(y) };
  }

  /** Closes a drawn polygon (3+ distinct vertices) into the model; returns its id, or null. */
  addPolygon(label: string, vertices: readonly Point[], meta?: Partial<ObjectMeta>): number | null {
    const pts = dedupe(vertices.map((p) => this.clampPoint(p)));
    if (pts.length < 3) return null;
    return this.add("polygon", label, pts, meta, "Draw polygon");
  }

  /**
   * Finishes a drawn open shape into the model: a polyline needs 2+ distinct vertices, a line
   * exactly 2; returns its id, or null.
   */
  addOpen(kind: OpenShapeKind, label: string, vertices: readonly Point[], meta?: Partial<ObjectMeta>): number | null {
    const pts = dedupeRuns(vertices.map((p) => this.clampPoint(p)));
    if (pts.length < 2 || (kind === "line" && pts.length !== 2)) return null;
    return this.add(kind, label, pts, meta, kind === "line" ? "Draw line" : "Draw polyline");
  }

  addPoint(label: string, p: Point, meta?: Partial<ObjectMeta>): number {
    return this.add("point", label, [this.clampPoint(p)], meta, "Place point");
  }

  private add(kind: ShapeKind, label: string, points: Point[], meta: Partial<ObjectMeta> | undefined, title: string): number {
    const shape: Shape = { id: this.allocateId(), kind, label, points, hidden: false, locked: false, ...newMeta(meta) };
    this.addObjects([shape], title);
    return shape.id;
  }

  /** Replaces a shape's points (vertex drag, whole-shape move) as one step. */
  setPoints(id: number, points: readonly Point[], title: string): boolean {
    const s = this._byId.get(id);
    if (!s) return false;
    const after = points.map((p) => this.clampPoint(p));
    if (after.length === s.points.length && after.every((p, i) => p.x === s.points[i]!.x && p.y === s.points[i]!.y)) {
      return false;
    }
    return this.patchObject(id, { points: after }, title);
  }

  /** Moves vertex `index` of a shape to `p`. */
  moveVertex(id: number, index: number, p: Point): boolean {
    const s = this._byId.get(id);
    if (!s || index < 0 || index >= s.points.length) return false;
    const pts = s.points.map((q, i) => (i === index ? p : q));
    return this.setPoints(id, pts, s.kind === "point" ? "Move point" : "Move vertex");
  }

  /** Moves the whole shape by (dx, dy), kept inside the image without being deformed. */
  moveShape(id: number, dx: number, dy: number): boolean {
    const s = this._byId.get(id);
    if (!s) return false;
    const { width: W, height: H } = this._image;
    if (W && H) {
      const xs = s.points.map((p) => p.x);
      const ys = s.points.map((p) => p.y);
      dx = Math.min(Math.max(dx, -Math.min(...xs)), W - Math.max(...xs));
      dy = Math.min(Math.max(dy, -Math.min(...ys)), H - Math.max(...ys));
    }
    return this.setPoints(id, s.points.map((p) => ({ x: p.x + dx, y: p.y + dy })), `Move ${s.kind}`);
  }

  deleteShape(id: number): boolean {
    return this.removeObjects([id], ([s]) => `Delete ${s!.kind}`);
  }

  /** Shapes keep their own copy of the points: a command's before/after never aliases them. */
  protected override clone(s: Shape): Shape {
    return { ...s, points: s.points.map((p) => ({ ...p })) };
  }

  /** @internal */
  override _patch(id: number, patch: Partial<Shape>): void {
    super._patch(id, patch.points ? { ...patch, points: patch.points.map((p) => ({ ...p })) } : patch);
  }

  // ---- loading and output ------------------------------------------------------------------

  /** Replaces every shape (initial-value, a draft) and the image's attribute values, and forgets the history. */
  load(shapes: readonly LoadedShape[], frameAttributes: AttributeValues = EMPTY_ATTRIBUTES): void {
    this.loadObjects(
      shapes,
      (s, id) => ({ id, kind: s.kind, label: s.label, points: [...s.points], hidden: false, locked: false, ...newMeta(s.meta) }),
      frameAttributes,
    );
  }

  polygonOutput(): PolygonOutput {
    return this.withFrame<PolygonOutput>({
      polygons: this.verticesOf("polygon"),
      inputImageProperties: { ...this._image },
    });
  }

  openOutput(kind: OpenShapeKind): OpenShapeOutput {
    return this.withFrame({
      [OPEN_SHAPE_KEY[kind]]: this.verticesOf(kind),
      inputImageProperties: { ...this._image },
    } as OpenShapeOutput);
  }

  keypointOutput(): KeypointOutput {
    return this.withFrame<KeypointOutput>({
      keypoints: this._objects
        .filter((s) => s.kind === "point")
        .map((s) => ({ label: s.label, x: s.points[0]!.x, y: s.points[0]!.y, ...metaOutput(s) })),
      inputImageProperties: { ...this._image },
    });
  }

  /** The output entries `{label, vertices}` of every shape of `kind`. */
  private verticesOf(kind: ShapeKind): OutputPolygon[] {
    return this._objects
      .filter((s) => s.kind === kind)
      .map((s) => ({ label: s.label, vertices: s.points.map((p) => ({ x: p.x, y: p.y })), ...metaOutput(s) }));
  }
}

function newMeta(meta: Partial<ObjectMeta> | undefined): ObjectMeta {
  return copyMeta({ attributes: EMPTY_ATTRIBUTES, ...meta });
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Drops a vertex equal to the one before it (a double click adds the same point twice). */
function dedupeRuns(pts: Point[]): Point[] {
  const out: Point[] = [];
  for (const p of pts) {
    const last = out[out.length - 1];
    if (!last || last.x !== p.x || last.y !== p.y) out.push(p);
  }
  return out;
}

/** As `dedupeRuns`, and a closing vertex equal to the first is dropped too (a polygon is closed). */
function dedupe(pts: Point[]): Point[] {
  const out = dedupeRuns(pts);
  const first = out[0];
  const last = out[out.length - 1];
  if (out.length > 1 && first && last && first.x === last.x && first.y === last.y) out.pop();
  return out;
}

// ---- parsing -------------------------------------------------------------------------------

/** A shape as loaded: kind, label, points and its meta (attribute values, provenance). */
export interface LoadedShape {
  kind: ShapeKind;
  label: string;
  points: Point[];
  meta?: ObjectMeta;
}

export interface ParsedShapes {
  shapes: LoadedShape[];
  /** The answer's `frameAttributes` (absent or empty when none). */
  frameAttributes?: AttributeValues;
  problems: string[];
}

/** Sets `out.frameAttributes` from the answer's, when it has some. */
function withFrame(out: ParsedShapes, value: unknown): void {
  if (!value || typeof value !== "object" || Array.isArray(value)) return;
  const frame = parseAttributeValues((value as { frameAttributes?: unknown }).frameAttributes);
  if (Object.keys(frame).length) out.frameAttributes = frame;
}

/** The shape with the meta of its raw object, when it has any. */
function withMeta(shape: LoadedShape, raw: Record<string, unknown>): LoadedShape {
  const meta = parseMeta(raw);
  if (hasMeta(meta)) shape.meta = meta;
  return shape;
}

function num(v: unknown): number | null {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : null;
}

function labelOf(v: unknown): string {
  return typeof v === "string" ? v : v === undefined || v === null ? "" : String(v);
}

/** `{polygons: [...]}` (Ground Truth's output) or a bare array of `{label, vertices}`. */
export function parsePolygons(value: unknown): ParsedShapes {
  return parseVertexLists(value, "polygon", "polygons", 3, null);
}

/** `{polylines: [...]}` or a bare array of `{label, vertices}` (2 or more vertices each). */
export function parsePolylines(value: unknown): ParsedShapes {
  return parseVertexLists(value, "polyline", "polylines", 2, null);
}

/** `{lines: [...]}` or a bare array of `{label, vertices}` (exactly 2 vertices each). */
export function parseLines(value: unknown): ParsedShapes {
  return parseVertexLists(value, "line", "lines", 2, 2);
}

function parseVertexLists(value: unknown, kind: "polygon" | OpenShapeKind, key: string, min: number, max: number | null): ParsedShapes {
  const out: ParsedShapes = { shapes: [], problems: [] };
  if (value === null || value === undefined || value === "") return out;
  const list = Array.isArray(value) ? value : typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(list)) {
    out.problems.push(`expected an array of ${key} or an object with ${key}`);
    return out;
  }
  list.forEach((item, i) => {
    const r = item && typeof item === "object" ? (item as Record<string, unknown>) : null;
    if (!r || !Array.isArray(r.vertices)) {
      out.problems.push(`${kind} ${i}: "vertices" is missing or not an array`);
      return;
    }
    const pts: Point[] = [];
    for (const [j, v] of (r.vertices as unknown[]).entries()) {
      const x = num((v as Record<string, unknown> | null)?.x);
      const y = num((v as Record<string, unknown> | null)?.y);
      if (x === null || y === null) {
        out.problems.push(`${kind} ${i}: vertex ${j} needs numeric x and y`);
        return;
      }
      pts.push({ x, y });
    }
    if (max !== null && max === min && pts.length !== min) {
      out.problems.push(`${kind} ${i}: needs exactly ${min} vertices`);
      return;
    }
    if (pts.length < min) {
      out.problems.push(`${kind} ${i}: needs at least ${min} vertices`);
      return;
    }
    out.shapes.push(withMeta({ kind, label: labelOf(r.label), points: pts }, r));
  });
  withFrame(out, value);
  return out;
}

/** `{keypoints: [...]}` (Ground Truth's output) or a bare array of `{label, x, y}`. */
export function parseKeypoints(value: unknown): ParsedShapes {
  const out: ParsedShapes = { shapes: [], problems: [] };
  if (value === null || value === undefined || value === "") return out;
  const list = Array.isArray(value) ? value : typeof value === "object" ? (value as { keypoints?: unknown }).keypoints : undefined;
  if (!Array.isArray(list)) {
    out.problems.push("expected an array of keypoints or an object with keypoints");
    return out;
  }
  list.forEach((item, i) => {
    const r = item && typeof item === "object" ? (item as Record<string, unknown>) : null;
    const x = num(r?.x);
    const y = num(r?.y);
    if (!r || x === null || y === null) {
      out.problems.push(`keypoint ${i}: needs numeric x and y`);
      return;
    }
    out.shapes.push(withMeta({ kind: "point", label: labelOf(r.label), points: [{ x, y }] }, r));
  });
  withFrame(out, value);
  return out;
}
