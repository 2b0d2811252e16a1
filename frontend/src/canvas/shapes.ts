/**
 * The shape model for point-list annotations: polygons (3+ vertices), keypoints (one point
 * each), open polylines (2+ vertices) and lines (exactly 2). Plain data plus undoable commands, like `BoxModel`; no DOM, no Konva. Coordinates are
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
  sameValues,
  withAttribute,
  type AttributeValue,
  type AttributeValues,
  type ObjectMeta,
  type OutputMeta,
} from "./object-meta";

export type ShapeKind = "polygon" | "point" | OpenShapeKind;

/** Open vertex lists: a polyline (2+ vertices, not closed) and a line (exactly 2 vertices). */
export type OpenShapeKind = "polyline" | "line";

/** The output key of each open kind (what the `polyline` / `line` task types read). */
export const OPEN_SHAPE_KEY = { polyline: "polylines", line: "lines" } as const;

/** A shape: its points, label, view state and meta (attribute values, assist provenance). */
export interface Shape extends ObjectMeta {
  readonly id: number;
  readonly kind: ShapeKind;
  label: string;
  points: Point[];
  /** A view aid: not drawn or hit, still in the output. */
  hidden: boolean;
  /** Cannot be hit, moved, edited, relabelled or deleted (unlock it from the region list). */
  locked: boolean;
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

export interface ShapeCommand {
  readonly title: string;
  apply(m: ShapeModel): void;
  revert(m: ShapeModel): void;
}

export type ShapeModelEvent =
  | { kind: "reset" }
  | { kind: "added"; ids: number[] }
  | { kind: "removed"; ids: number[] }
  | { kind: "changed"; ids: number[] };

/** How many steps undo goes back (as the box model). */
export const SHAPE_HISTORY_LIMIT = 500;

export class ShapeModel {
  private _shapes: Shape[] = [];
  private readonly _byId = new Map<number, Shape>();
  private _nextId = 1;
  private _image: Size = { width: 0, height: 0 };
  private _frame: AttributeValues = EMPTY_ATTRIBUTES;
  private readonly _undo: ShapeCommand[] = [];
  private readonly _redo: ShapeCommand[] = [];
  private readonly _listeners = new Set<(e: ShapeModelEvent) => void>();

  get shapes(): readonly Shape[] {
    return this._shapes;
  }

  get size(): number {
    return this._shapes.length;
  }

  get(id: number): Shape | undefined {
    return this._byId.get(id);
  }

  get image(): Size {
    return this._image;
  }

  setImageSize(size: Size): void {
    this._image = { width: Math.round(size.width), height: Math.round(size.height) };
    this.emit({ kind: "reset" });
  }

  /** The whole image's attribute values (Ground Truth's frameAttributes). */
  get frameAttributes(): AttributeValues {
    return this._frame;
  }

  get canUndo(): boolean {
    return this._undo.length > 0;
  }

  get canRedo(): boolean {
    return this._redo.length > 0;
  }

  get undoTitle(): string | null {
    return this._undo[this._undo.length - 1]?.title ?? null;
  }

  get redoTitle(): string | null {
    return this._redo[this._redo.length - 1]?.title ?? null;
  }

  subscribe(fn: (e: ShapeModelEvent) => void): () => void {
    this._listeners.add(fn);
    return () => this._listeners.delete(fn);
  }

  private emit(e: ShapeModelEvent): void {
    for (const fn of this._listeners) fn(e);
  }

  execute(cmd: ShapeCommand): void {
    cmd.apply(this);
    this._undo.push(cmd);
    if (this._undo.length > SHAPE_HISTORY_LIMIT) this._undo.shift();
    this._redo.length = 0;
  }

  undo(): boolean {
    const cmd = this._undo.pop();
    if (!cmd) return false;
    cmd.revert(this);
    this._redo.push(cmd);
    return true;
  }

  redo(): boolean {
    const cmd = this._redo.pop();
    if (!cmd) return false;
    cmd.apply(this);
    this._undo.push(cmd);
    return true;
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
    return this.add({ id: this._nextId++, kind: "polygon", label, points: pts, hidden: false, locked: false, ...newMeta(meta) }, "Draw polygon");
  }

  /**
   * Finishes a drawn open shape into the model: a polyline needs 2+ distinct vertices, a line
   * exactly 2; returns its id, or null.
   */
  addOpen(kind: OpenShapeKind, label: string, vertices: readonly Point[], meta?: Partial<ObjectMeta>): number | null {
    const pts = dedupeRuns(vertices.map((p) => this.clampPoint(p)));
    if (pts.length < 2 || (kind === "line" && pts.length !== 2)) return null;
    return this.add({ id: this._nextId++, kind, label, points: pts, hidden: false, locked: false, ...newMeta(meta) }, kind === "line" ? "Draw line" : "Draw polyline");
  }

  addPoint(label: string, p: Point, meta?: Partial<ObjectMeta>): number {
    return this.add({ id: this._nextId++, kind: "point", label, points: [this.clampPoint(p)], hidden: false, locked: false, ...newMeta(meta) }, "Place point");
  }

  private add(shape: Shape, title: string): number {
    this.execute(new AddShape(shape, this._shapes.length, title));
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
    this.patch(s, { points: s.points.map((p) => ({ ...p })) }, { points: after }, title);
    return true;
  }

  /** One undoable patch; a worker's change to a model-made shape marks it edited (undo unmarks it). */
  private patch(s: Shape, before: ShapePatch, after: ShapePatch, title: string): void {
    if (s.source === "model" && !s.edited && (after.points || after.label !== undefined || after.attributes)) {
      before = { ...before, edited: false };
      after = { ...after, edited: true };
    }
    this.execute(new PatchShape(s.id, before, after, title));
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

  setLabel(id: number, label: string): boolean {
    const s = this._byId.get(id);
    if (!s || s.label === label) return false;
    this.patch(s, { label: s.label }, { label }, "Change label");
    return true;
  }

  /** Sets one attribute of a shape (null or "" clears it) as one undoable step. */
  setAttribute(id: number, name: string, value: AttributeValue | null): boolean {
    const s = this._byId.get(id);
    if (!s) return false;
    const attributes = withAttribute(s.attributes, name, value);
    if (sameValues(attributes, s.attributes)) return false;
    this.patch(s, { attributes: s.attributes }, { attributes }, value === null || value === "" ? `Clear ${name}` : `Set ${name}`);
    return true;
  }

  /** Sets one of the image's attributes (null or "" clears it) as one undoable step. */
  setFrameAttribute(name: string, value: AttributeValue | null): boolean {
    const after = withAttribute(this._frame, name, value);
    if (sameValues(after, this._frame)) return false;
    this.execute(new SetShapeFrameAttributes(this._frame, after, value === null || value === "" ? `Clear ${name}` : `Set ${name}`));
    return true;
  }

  setHidden(id: number, hidden: boolean): boolean {
    const s = this._byId.get(id);
    if (!s || s.hidden === hidden) return false;
    this.execute(new PatchShape(id, { hidden: s.hidden }, { hidden }, hidden ? "Hide" : "Show"));
    return true;
  }

  setLocked(id: number, locked: boolean): boolean {
    const s = this._byId.get(id);
    if (!s || s.locked === locked) return false;
    this.execute(new PatchShape(id, { locked: s.locked }, { locked }, locked ? "Lock" : "Unlock"));
    return true;
  }

  deleteShape(id: number): boolean {
    const s = this._byId.get(id);
    if (!s) return false;
    this.execute(new RemoveShape(cloneShape(s), this._shapes.indexOf(s)));
    return true;
  }

  // ---- low-level, for commands only --------------------------------------------------------

  /** @internal */
  _insert(s: Shape, index: number): void {
    const copy = cloneShape(s);
    this._shapes.splice(Math.min(index, this._shapes.length), 0, copy);
    this._byId.set(copy.id, copy);
    if (copy.id >= this._nextId) this._nextId = copy.id + 1;
  }

  /** @internal */
  _remove(id: number): void {
    const s = this._byId.get(id);
    if (!s) return;
    this._shapes.splice(this._shapes.indexOf(s), 1);
    this._byId.delete(id);
  }

  /** @internal */
  _patch(id: number, patch: ShapePatch): void {
    const s = this._byId.get(id);
    if (!s) return;
    if (patch.label !== undefined) s.label = patch.label;
    if (patch.hidden !== undefined) s.hidden = patch.hidden;
    if (patch.locked !== undefined) s.locked = patch.locked;
    if (patch.points) s.points = patch.points.map((p) => ({ ...p }));
    if (patch.attributes) s.attributes = patch.attributes;
    if (patch.edited !== undefined) s.edited = patch.edited;
  }

  /** @internal */
  _setFrame(values: AttributeValues): void {
    this._frame = values;
  }

  /** @internal */
  _emit(e: ShapeModelEvent): void {
    this.emit(e);
  }

  // ---- loading and output ------------------------------------------------------------------

  /** Replaces every shape (initial-value, a draft) and the image's attribute values, and forgets the history. */
  load(shapes: readonly LoadedShape[], frameAttributes: AttributeValues = EMPTY_ATTRIBUTES): void {
    this._shapes = [];
    this._byId.clear();
    this._undo.length = 0;
    this._redo.length = 0;
    this._frame = frameAttributes;
    for (const s of shapes) {
      this._insert(
        { id: this._nextId, kind: s.kind, label: s.label, points: [...s.points], hidden: false, locked: false, ...newMeta(s.meta) },
        this._shapes.length,
      );
    }
    this.emit({ kind: "reset" });
  }

  /** Replaces the image's attribute values without an undo step (a draft or initial value). */
  loadFrameAttributes(values: AttributeValues): void {
    this._frame = values;
    this.emit({ kind: "reset" });
  }

  private withFrame<T extends FrameOutput>(out: T): T {
    if (Object.keys(this._frame).length) out.frameAttributes = { ...this._frame };
    return out;
  }

  polygonOutput(): PolygonOutput {
    return this.withFrame<PolygonOutput>({
      polygons: this._shapes
        .filter((s) => s.kind === "polygon")
        .map((s) => ({ label: s.label, vertices: s.points.map((p) => ({ x: p.x, y: p.y })), ...metaOutput(s) })),
      inputImageProperties: { ...this._image },
    });
  }

  openOutput(kind: OpenShapeKind): OpenShapeOutput {
    return this.withFrame({
      [OPEN_SHAPE_KEY[kind]]: this._shapes
        .filter((s) => s.kind === kind)
        .map((s) => ({ label: s.label, vertices: s.points.map((p) => ({ x: p.x, y: p.y })), ...metaOutput(s) })),
      inputImageProperties: { ...this._image },
    } as OpenShapeOutput);
  }

  keypointOutput(): KeypointOutput {
    return this.withFrame<KeypointOutput>({
      keypoints: this._shapes
        .filter((s) => s.kind === "point")
        .map((s) => ({ label: s.label, x: s.points[0]!.x, y: s.points[0]!.y, ...metaOutput(s) })),
      inputImageProperties: { ...this._image },
    });
  }
}

function newMeta(meta: Partial<ObjectMeta> | undefined): ObjectMeta {
  return copyMeta({ attributes: EMPTY_ATTRIBUTES, ...meta });
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

function cloneShape(s: Shape): Shape {
  return { ...s, points: s.points.map((p) => ({ ...p })) };
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

// ---- commands ------------------------------------------------------------------------------

export class AddShape implements ShapeCommand {
  constructor(
    private readonly shape: Shape,
    private readonly index: number,
    readonly title: string,
  ) {}
  apply(m: ShapeModel): void {
    m._insert(this.shape, this.index);
    m._emit({ kind: "added", ids: [this.shape.id] });
  }
  revert(m: ShapeModel): void {
    m._remove(this.shape.id);
    m._emit({ kind: "removed", ids: [this.shape.id] });
  }
}

export class RemoveShape implements ShapeCommand {
  readonly title: string;
  constructor(
    private readonly shape: Shape,
    private readonly index: number,
  ) {
    this.title = `Delete ${shape.kind}`;
  }
  apply(m: ShapeModel): void {
    m._remove(this.shape.id);
    m._emit({ kind: "removed", ids: [this.shape.id] });
  }
  revert(m: ShapeModel): void {
    m._insert(this.shape, this.index);
    m._emit({ kind: "added", ids: [this.shape.id] });
  }
}

type ShapePatch = Partial<Pick<Shape, "label" | "points" | "hidden" | "locked" | "attributes" | "edited">>;

export class SetShapeFrameAttributes implements ShapeCommand {
  constructor(
    private readonly before: AttributeValues,
    private readonly after: AttributeValues,
    readonly title: string,
  ) {}
  apply(m: ShapeModel): void {
    m._setFrame(this.after);
    m._emit({ kind: "changed", ids: [] });
  }
  revert(m: ShapeModel): void {
    m._setFrame(this.before);
    m._emit({ kind: "changed", ids: [] });
  }
}

export class PatchShape implements ShapeCommand {
  constructor(
    private readonly id: number,
    private readonly before: ShapePatch,
    private readonly after: ShapePatch,
    readonly title: string,
  ) {}
  apply(m: ShapeModel): void {
    m._patch(this.id, this.after);
    m._emit({ kind: "changed", ids: [this.id] });
  }
  revert(m: ShapeModel): void {
    m._patch(this.id, this.before);
    m._emit({ kind: "changed", ids: [this.id] });
  }
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
