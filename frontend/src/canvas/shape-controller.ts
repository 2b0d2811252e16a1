/**
 * The shape controller: pointer and key input (already in image coordinates) → shape-model
 * commands, selection and viewport changes, for polygons, keypoints, polylines and lines. One
 * handler per tool (polygon, point, polyline / line, select; pan is the box controller's
 * `PanTool`). The view is reached only through `ShapeViewPort`, so this runs without a canvas
 * (tests/unit/canvas-shapes.test.ts, canvas-open-shapes.test.ts).
 */
import type { AttributeValues } from "./object-meta";
import {
  HANDLE_RADIUS_PX,
  NUDGE_BIG,
  PASTE_OFFSET,
  PanTool,
  type KeyInput,
  type PointerInput,
  type ToolHandler,
} from "./controller";
import type { Point, Size } from "./geometry";
import type { Shape, ShapeKind, ShapeModel } from "./shapes";
import { nextSetLabel } from "./skeleton";
import { actualSize, fit, panBy, zoomAt, type Viewport } from "./viewport";

import {
  OpenShapeTool,
  PointTool,
  PolygonTool,
  ShapeSelectTool,
  dist2,
  pointInPolygon,
  polygonArea,
  segmentDistance,
  type ShapeTool,
} from "./shape-tools";

export { pointInPolygon, polygonArea, segmentDistance } from "./shape-tools";
export interface ShapeViewPort {
  readonly viewport: Viewport;
  setViewport(v: Viewport): void;
  containerSize(): Size;
  /** The polygon being drawn (its vertices and the pointer, for the rubber band), or null. */
  showDraft(vertices: readonly Point[] | null, pointer: Point | null): void;
  /** A shape's points while it is dragged (before the command), or null when done. */
  showPreview(id: number, points: readonly Point[] | null): void;
  setCursor(cursor: string): void;
}

export type ShapeToolName = "polygon" | "point" | "polyline" | "line" | "select" | "pan";

export type ShapeControllerEvent =
  | { kind: "selection"; id: number | null }
  | { kind: "tool"; tool: ShapeToolName }
  | { kind: "label"; index: number }
  | { kind: "draft" }
  | { kind: "viewport" };

export class ShapeController {
  readonly tools: Record<ShapeToolName, ShapeTool | ToolHandler>;
  readonly polygonTool: PolygonTool;
  /** The tool that holds a shape being drawn: the polygon tool, or the polyline / line tool. */
  readonly draftTool: PolygonTool | OpenShapeTool;
  private _tool: ShapeToolName;
  private gesture: ShapeTool | ToolHandler | null = null;
  private spaceHeld = false;
  private hoverCursor = "";
  private clipboard: { kind: ShapeKind; label: string; points: Point[]; attributes: AttributeValues } | null = null;
  private _selected: number | null = null;
  private _labelIndex = 0;
  private readonly listeners = new Set<(e: ShapeControllerEvent) => void>();
  /**
   * Keypoint-set mode (`<lw-keypoint keypoint-set>`): each label is one named point per
   * instance, so placing a point arms the next label the instance still lacks.
   */
  keypointSet = false;

  constructor(
    readonly model: ShapeModel,
    readonly view: ShapeViewPort,
    private _labels: readonly string[],
    /** What this editor draws: polygons, keypoints, polylines or lines (its drawing tool follows). */
    readonly kind: ShapeKind,
  ) {
    this.polygonTool = new PolygonTool(this);
    const polyline = new OpenShapeTool(this, "polyline");
    const line = new OpenShapeTool(this, "line");
    this.draftTool = kind === "polyline" ? polyline : kind === "line" ? line : this.polygonTool;
    this.tools = {
      polygon: this.polygonTool,
      point: new PointTool(this),
      polyline,
      line,
      select: new ShapeSelectTool(this),
      pan: new PanTool(this),
    };
    this._tool = kind;
    model.subscribe((e) => {
      if (this._selected !== null && (e.kind === "removed" || e.kind === "reset") && !model.get(this._selected)) {
        this.select(null);
      }
    });
  }

  subscribe(fn: (e: ShapeControllerEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: ShapeControllerEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  get labels(): readonly string[] {
    return this._labels;
  }

  setLabels(labels: readonly string[]): void {
    this._labels = labels;
    if (this._labelIndex >= labels.length) this._labelIndex = 0;
    this.emit({ kind: "label", index: this._labelIndex });
  }

  get labelIndex(): number {
    return this._labelIndex;
  }

  get currentLabel(): string | null {
    return this._labels[this._labelIndex] ?? null;
  }

  get tool(): ShapeToolName {
    return this._tool;
  }

  /** The drawing tool of this editor's kind. */
  get drawTool(): ShapeToolName {
    return this.kind;
  }

  get cursor(): string {
    return this.spaceHeld ? "grab" : this.tools[this._tool].cursor;
  }

  get selectedId(): number | null {
    return this._selected;
  }

  get selected(): Shape | null {
    return this._selected === null ? null : this.model.get(this._selected) ?? null;
  }

  /** True while a polygon, polyline or line is being drawn (vertices placed, not finished). */
  get drafting(): boolean {
    return this.draftTool.draft.length > 0;
  }

  /** @internal the polygon tool's draft changed. */
  draftChanged(): void {
    this.emit({ kind: "draft" });
  }

  setTool(tool: ShapeToolName): void {
    this.gesture?.cancel();
    this.gesture = null;
    if (tool !== this.draftTool.name && tool !== "pan") this.draftTool.discard();
    this._tool = tool;
    this.view.setCursor(this.cursor);
    this.emit({ kind: "tool", tool });
  }

  select(id: number | null): void {
    if (id !== null && !this.model.get(id)) id = null;
    if (id === this._selected) return;
    this._selected = id;
    this.emit({ kind: "selection", id });
  }

  /** Chooses the label for new shapes; a selected shape takes it too. */
  chooseLabel(index: number): boolean {
    const label = this._labels[index];
    if (label === undefined) return false;
    this._labelIndex = index;
    this.emit({ kind: "label", index });
    const sel = this.selected;
    if (sel && !sel.locked) this.model.setLabel(sel.id, label);
    return true;
  }

  /** @internal the point tool placed a point with `label`: in keypoint-set mode, arm the next one. */
  pointPlaced(label: string): void {
    if (!this.keypointSet || !this._labels.length) return;
    this._labelIndex = nextSetLabel(this.model.shapes, this._labels, label);
    this.emit({ kind: "label", index: this._labelIndex });
  }

  deleteSelected(): boolean {
    const sel = this.selected;
    return sel && !sel.locked ? this.model.deleteShape(sel.id) : false;
  }

  undo(): boolean {
    // While drawing, undo takes back the last vertex (the draft is not in the model yet).
    if (this.draftTool.removeLast()) return true;
    return this.step(() => this.model.undo());
  }

  redo(): boolean {
    return this.step(() => this.model.redo());
  }

  private step(run: () => boolean): boolean {
    this.gesture?.cancel();
    this.gesture = null;
    let touched: number | null = null;
    const off = this.model.subscribe((e) => {
      if ((e.kind === "added" || e.kind === "changed") && e.ids.length) touched = e.ids[e.ids.length - 1]!;
    });
    const done = run();
    off();
    if (touched !== null) this.select(touched);
    return done;
  }

  nudge(dx: number, dy: number): boolean {
    const sel = this.selected;
    return sel && !sel.locked ? this.model.moveShape(sel.id, dx, dy) : false;
  }

  /**
   * The vertex under `p` (within HANDLE_RADIUS_PX on screen): of the selected shape, or of any
   * keypoint (`anyPoint`: points are grabbed directly, they have no inside to click first).
   */
  vertexAt(p: Point, anyPoint = false): { shape: Shape; index: number } | null {
    const r2 = (HANDLE_RADIUS_PX / this.view.viewport.scale) ** 2;
    const candidates: Shape[] = [];
    const sel = this.selected;
    if (sel && !sel.hidden && !sel.locked) candidates.push(sel);
    if (anyPoint || this.kind === "point") {
      const shapes = this.model.shapes;
      for (let i = shapes.length - 1; i >= 0; i--) {
        const s = shapes[i]!;
        if (s.kind === "point" && !s.hidden && !s.locked) candidates.push(s);
      }
    }
    for (const s of candidates) {
      let best = -1;
      let bestD = r2;
      s.points.forEach((q, i) => {
        const d = dist2(q, p);
        if (d <= bestD) {
          bestD = d;
          best = i;
        }
      });
      if (best >= 0) return { shape: s, index: best };
    }
    return null;
  }

  /**
   * `p`, or the nearest vertex of another polygon, polyline or line within HANDLE_RADIUS_PX on
   * screen, so that neighbouring regions share their border points exactly and open shapes join
   * end to end. Keypoints are not snap targets (they are what is being marked, not geometry).
   */
  snap(p: Point, exclude: number | null): Point {
    let best: Point = p;
    let bestD = (HANDLE_RADIUS_PX / this.view.viewport.scale) ** 2;
    for (const s of this.model.shapes) {
      if (s.kind === "point" || s.id === exclude || s.hidden) continue;
      for (const q of s.points) {
        const d = dist2(q, p);
        if (d <= bestD) {
          bestD = d;
          best = q;
        }
      }
    }
    return best === p ? p : { x: best.x, y: best.y };
  }

  /** Removes vertex `index` of a polygon (keeping at least 3) or a polyline (keeping 2). */
  removeVertex(id: number, index: number): boolean {
    const s = this.model.get(id);
    const min = s?.kind === "polygon" ? 3 : s?.kind === "polyline" ? 2 : Infinity;
    if (!s || s.locked || s.points.length <= min) return false;
    return this.model.setPoints(id, s.points.filter((_, i) => i !== index), "Remove vertex");
  }

  /** The edge of the selected polygon or polyline within HANDLE_RADIUS_PX of `p` (index of its first vertex). */
  edgeAt(p: Point): { shape: Shape; index: number } | null {
    const s = this.selected;
    if (!s || (s.kind !== "polygon" && s.kind !== "polyline") || s.hidden || s.locked) return null;
    const r = HANDLE_RADIUS_PX / this.view.viewport.scale;
    // A polyline is open: no edge from its last vertex back to the first.
    const edges = s.kind === "polygon" ? s.points.length : s.points.length - 1;
    for (let i = 0; i < edges; i++) {
      if (segmentDistance(p, s.points[i]!, s.points[(i + 1) % s.points.length]!) <= r) return { shape: s, index: i };
    }
    return null;
  }

  /** Copies the selected shape (kept here: the frame has no clipboard access). */
  copy(): boolean {
    const s = this.selected;
    if (!s) return false;
    this.clipboard = { kind: s.kind, label: s.label, points: s.points.map((q) => ({ ...q })), attributes: s.attributes };
    return true;
  }

  /** Pastes the copied shape PASTE_OFFSET px down and right (so it is seen), and selects it. */
  paste(): boolean {
    const clip = this.clipboard;
    if (!clip) return false;
    const pts = clip.points.map((q) => this.model.clampPoint({ x: q.x + PASTE_OFFSET, y: q.y + PASTE_OFFSET }));
    // A copy is the worker's own shape: it keeps the attribute values, not an assist's provenance.
    const meta = { attributes: clip.attributes };
    const id =
      clip.kind === "polygon"
        ? this.model.addPolygon(clip.label, pts, meta)
        : clip.kind === "point"
          ? this.model.addPoint(clip.label, pts[0]!, meta)
          : this.model.addOpen(clip.kind, clip.label, pts, meta);
    if (id === null) return false;
    this.select(id);
    this.clipboard = { ...clip, points: pts };
    return true;
  }

  /**
   * The shape under `p`: a keypoint, polyline or line within the handle radius (topmost), else
   * the smallest polygon containing it.
   */
  hitTest(p: Point): number | null {
    const r2 = (HANDLE_RADIUS_PX / this.view.viewport.scale) ** 2;
    const shapes = this.model.shapes;
    let best: Shape | null = null;
    let bestArea = Infinity;
    for (let i = shapes.length - 1; i >= 0; i--) {
      const s = shapes[i]!;
      if (s.hidden || s.locked) continue;
      if (s.kind === "point") {
        if (dist2(s.points[0]!, p) <= r2) return s.id;
      } else if (s.kind === "polyline" || s.kind === "line") {
        for (let j = 1; j < s.points.length; j++) {
          if (segmentDistance(p, s.points[j - 1]!, s.points[j]!) ** 2 <= r2) return s.id;
        }
      } else if (pointInPolygon(p, s.points)) {
        const a = polygonArea(s.points);
        if (a < bestArea) {
          best = s;
          bestArea = a;
        }
      }
    }
    return best ? best.id : null;
  }

  // ---- viewport ----------------------------------------------------------------------------

  setViewport(v: Viewport): void {
    this.view.setViewport(v);
    this.emit({ kind: "viewport" });
  }

  zoomAt(factor: number, anchor: Point): void {
    this.setViewport(zoomAt(this.view.viewport, factor, anchor));
  }

  fit(): void {
    this.setViewport(fit(this.model.image, this.view.containerSize()));
  }

  /** Pans (zoom kept) so the shape is in the middle of the view, unless it is wholly in view already. */
  reveal(id: number): void {
    const sh = this.model.get(id);
    if (!sh) return;
    const v = this.view.viewport;
    const size = this.view.containerSize();
    const xs = sh.points.map((p) => p.x * v.scale + v.x);
    const ys = sh.points.map((p) => p.y * v.scale + v.y);
    const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
    if (x0 >= 0 && y0 >= 0 && x1 <= size.width && y1 <= size.height) return;
    this.setViewport(panBy(v, size.width / 2 - (x0 + x1) / 2, size.height / 2 - (y0 + y1) / 2));
  }

  actualSize(): void {
    const s = this.view.containerSize();
    this.setViewport(actualSize(this.view.viewport, { x: s.width / 2, y: s.height / 2 }));
  }

  // ---- input -------------------------------------------------------------------------------

  pointerDown(p: PointerInput): void {
    this.gesture?.cancel();
    this.gesture = p.button === 1 || this.spaceHeld ? this.tools.pan : this.tools[this._tool];
    this.gesture.down(p);
  }

  pointerMove(p: PointerInput): void {
    this.gesture?.move(p);
  }

  pointerUp(p: PointerInput): void {
    const g = this.gesture;
    this.gesture = null;
    g?.up(p);
  }

  /** No button down: the rubber band follows, and the cursor says what a press would do. */
  pointerHover(p: PointerInput): void {
    if (this._tool === this.draftTool.name) this.draftTool.hoverAt(p.image);
    if (this.spaceHeld || this._tool === "pan" || this.drafting) return;
    let cursor = this.cursor;
    if (this.vertexAt(p.image)) cursor = "move";
    else if (this._tool === "select" && this.edgeAt(p.image)) cursor = "copy";
    else if (this._tool === "select" && this.hitTest(p.image) !== null) cursor = "move";
    if (cursor !== this.hoverCursor) {
      this.hoverCursor = cursor;
      this.view.setCursor(cursor);
    }
  }

  pointerCancel(): void {
    this.gesture?.cancel();
    this.gesture = null;
  }

  keyDown(k: KeyInput): boolean {
    const mod = k.ctrl || k.meta;
    const key = k.key.length === 1 ? k.key.toLowerCase() : k.key;
    if (mod && !k.alt) {
      if (key === "z") return k.shift ? this.redo() || true : this.undo() || true;
      if (key === "y") return this.redo() || true;
      if (key === "c") return this.copy();
      if (key === "v") return this.paste();
      return false;
    }
    if (k.alt) return false;
    switch (key) {
      case "Enter":
        return this.draftTool.close();
      case "Backspace":
        return this.draftTool.removeLast() || this.deleteSelected();
      case "Delete":
        return this.deleteSelected();
      case "Escape":
        if (this.gesture) {
          this.pointerCancel();
          return true;
        }
        if (this.draftTool.discard()) return true;
        if (this._selected !== null) {
          this.select(null);
          return true;
        }
        return false;
      case " ":
        if (!this.spaceHeld) {
          this.spaceHeld = true;
          this.view.setCursor(this.cursor);
        }
        return true;
      case "p":
      case "k":
      case "l":
        this.setTool(this.drawTool);
        return true;
      case "v":
        this.setTool("select");
        return true;
      case "h":
        this.setTool("pan");
        return true;
      case "f":
        this.fit();
        return true;
      case "ArrowLeft":
        return this.nudge(k.shift ? -NUDGE_BIG : -1, 0);
      case "ArrowRight":
        return this.nudge(k.shift ? NUDGE_BIG : 1, 0);
      case "ArrowUp":
        return this.nudge(0, k.shift ? -NUDGE_BIG : -1);
      case "ArrowDown":
        return this.nudge(0, k.shift ? NUDGE_BIG : 1);
      default:
        return false;
    }
  }

  keyUp(k: KeyInput): void {
    if (k.key === " " && this.spaceHeld) {
      this.spaceHeld = false;
      this.view.setCursor(this.cursor);
    }
  }
}
