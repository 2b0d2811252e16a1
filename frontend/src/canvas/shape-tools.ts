/**
 * The shape tools: one handler per tool (polygon, point, polyline / line, select) and the geometry
 * they share. `ShapeController` (shape-controller.ts) owns them and routes input to the current one.
 */
import { CLICK_SLOP_PX, HANDLE_RADIUS_PX, type PointerInput } from "./controller";
import type { Point } from "./geometry";
import type { OpenShapeKind, Shape } from "./shapes";

import type { ShapeController, ShapeToolName } from "./shape-controller";

export interface ShapeTool {
  readonly name: ShapeToolName;
  readonly cursor: string;
  down(p: PointerInput): void;
  move(p: PointerInput): void;
  up(p: PointerInput): void;
  cancel(): void;
}

function isClick(a: Point, b: Point): boolean {
  return Math.abs(a.x - b.x) < CLICK_SLOP_PX && Math.abs(a.y - b.y) < CLICK_SLOP_PX;
}

export function dist2(a: Point, b: Point): number {
  return (a.x - b.x) ** 2 + (a.y - b.y) ** 2;
}

/** Even-odd ray casting: is `p` inside the polygon `pts`? */
export function pointInPolygon(p: Point, pts: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const a = pts[i]!, b = pts[j]!;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/** Distance from `p` to the segment a–b. */
export function segmentDistance(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x, dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2)) : 0;
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

export function polygonArea(pts: readonly Point[]): number {
  let a = 0;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) a += (pts[j]!.x + pts[i]!.x) * (pts[j]!.y - pts[i]!.y);
  return Math.abs(a / 2);
}

/** Dragging one vertex (index) or the whole shape (null) of a shape; one command on release. */
class DragGesture {
  private last: Point[];
  private readonly base: readonly Point[];
  constructor(
    private readonly c: ShapeController,
    private readonly shape: Shape,
    private readonly vertex: number | null,
    private readonly start: Point,
    /** A vertex inserted on an edge: the points with it, committed even by a plain click. */
    private readonly inserted: Point[] | null = null,
  ) {
    this.base = inserted ?? shape.points;
    this.last = [...this.base];
    if (inserted) this.c.view.showPreview(shape.id, inserted);
  }

  get insertsVertex(): boolean {
    return this.inserted !== null;
  }

  move(p: PointerInput): void {
    const m = this.c.model;
    if (this.vertex !== null) {
      const q = m.clampPoint(this.snapped(p.image));
      this.last = this.base.map((v, i) => (i === this.vertex ? q : v));
    } else {
      const dx = p.image.x - this.start.x;
      const dy = p.image.y - this.start.y;
      this.last = this.shape.points.map((v) => m.clampPoint({ x: v.x + dx, y: v.y + dy }));
    }
    this.c.view.showPreview(this.shape.id, this.last);
  }

  /** A polygon, polyline or line vertex snaps to another shape's vertex nearby (shared borders, joined lines). */
  private snapped(p: Point): Point {
    return this.shape.kind === "point" ? p : this.c.snap(p, this.shape.id);
  }

  up(p: PointerInput): void {
    this.c.view.showPreview(this.shape.id, null);
    if (this.inserted) this.c.model.setPoints(this.shape.id, this.last, "Add vertex");
    else if (this.vertex !== null) this.c.model.moveVertex(this.shape.id, this.vertex, this.snapped(p.image));
    else this.c.model.moveShape(this.shape.id, p.image.x - this.start.x, p.image.y - this.start.y);
  }

  cancel(): void {
    this.c.view.showPreview(this.shape.id, null);
  }
}

/**
 * What the polygon and the polyline / line tools share: the vertices placed so far (the draft,
 * not in the model until it is finished), the rubber band to the pointer, Backspace / Ctrl+Z
 * taking back the last vertex, Esc dropping it all, and, while not drawing, a drag on a vertex of
 * the selected shape moving it (a click there starts a new shape at that vertex instead).
 */
abstract class DraftTool implements ShapeTool {
  abstract readonly name: "polygon" | OpenShapeKind;
  readonly cursor = "crosshair";
  protected vertices: Point[] = [];
  private hover: Point | null = null;
  private drag: DragGesture | null = null;
  private start: Point | null = null;

  constructor(protected readonly c: ShapeController) {}

  get draft(): readonly Point[] {
    return this.vertices;
  }

  down(p: PointerInput): void {
    if (p.button !== 0) return;
    this.start = p.screen;
    if (!this.vertices.length) {
      const grab = this.c.vertexAt(p.image);
      if (grab) this.drag = new DragGesture(this.c, grab.shape, grab.index, p.image);
    }
  }

  move(p: PointerInput): void {
    if (this.drag) this.drag.move(p);
    else this.hoverAt(p.image);
  }

  up(p: PointerInput): void {
    const drag = this.drag;
    const start = this.start;
    this.drag = null;
    this.start = null;
    if (drag) {
      // A click (no drag) on the selected shape's vertex starts a new one there (snapped).
      if (start && isClick(start, p.screen)) drag.cancel();
      else return drag.up(p);
    }
    if (!start || this.c.currentLabel === null) return;
    this.click(p);
  }

  /** A click while drawing (or to start): add a vertex, or finish the shape. */
  protected abstract click(p: PointerInput): void;

  /** Finishes the shape being drawn into the model; false when it cannot be one yet. */
  abstract close(): boolean;

  /** Whether `p` is within the handle radius of vertex `q`. */
  protected near(q: Point | undefined, p: Point): boolean {
    const r = HANDLE_RADIUS_PX / this.c.view.viewport.scale;
    return q !== undefined && dist2(q, p) <= r * r;
  }

  /**
   * Adds the clicked point as a vertex, snapped to another shape's vertex (neighbouring regions
   * share border points; a road polyline continues exactly from another one's end); the first
   * vertex clears the selection.
   */
  protected addVertex(p: PointerInput): void {
    if (!this.vertices.length) this.c.select(null);
    this.vertices.push(this.c.model.clampPoint(this.c.snap(p.image, null)));
    this.hover = p.image;
  }

  hoverAt(p: Point): void {
    if (!this.vertices.length) return;
    this.hover = p;
    this.c.view.showDraft(this.vertices, this.hover);
  }

  /** Hands a finished shape's id on: drops the draft and selects the new shape. */
  protected finished(id: number | null): boolean {
    this.discard();
    if (id !== null) this.c.select(id);
    return id !== null;
  }

  removeLast(): boolean {
    if (!this.vertices.length) return false;
    this.vertices.pop();
    this.show();
    return true;
  }

  /** Drops the shape being drawn. */
  discard(): boolean {
    if (!this.vertices.length) return false;
    this.vertices = [];
    this.hover = null;
    this.show();
    return true;
  }

  protected show(): void {
    this.c.view.showDraft(this.vertices.length ? this.vertices : null, this.hover);
    this.c.draftChanged();
  }

  cancel(): void {
    this.drag?.cancel();
    this.drag = null;
    this.start = null;
  }
}

/**
 * Polygon: each click adds a vertex; a click on the first vertex (with 3 or more) or Enter
 * closes it into one `AddObjects` with the current label; Esc drops it; Backspace (or Ctrl+Z)
 * removes the last vertex. Not drawing, a drag on a vertex of the selected polygon moves it.
 */
export class PolygonTool extends DraftTool {
  readonly name = "polygon" as const;

  protected click(p: PointerInput): void {
    if (this.vertices.length >= 3 && this.near(this.vertices[0], p.image)) {
      this.close();
      return;
    }
    this.addVertex(p);
    this.show();
  }

  /** Closes the polygon being drawn; false when it has fewer than 3 vertices. */
  close(): boolean {
    const label = this.c.currentLabel;
    if (this.vertices.length < 3 || label === null) return false;
    return this.finished(this.c.model.addPolygon(label, this.vertices));
  }
}

/**
 * Polyline / line: each click adds a vertex. A polyline is finished by Enter or a click on its
 * last vertex (a double click) with 2 or more; a line is finished by its second click. Either
 * becomes one `AddObjects` with the current label, selected. Esc drops it; Backspace (or Ctrl+Z)
 * removes the last vertex. Not drawing, a drag on a vertex of the selected shape moves it.
 */
export class OpenShapeTool extends DraftTool {
  constructor(
    c: ShapeController,
    readonly name: OpenShapeKind,
  ) {
    super(c);
  }

  protected click(p: PointerInput): void {
    if (this.near(this.vertices[this.vertices.length - 1], p.image)) {
      // The second click of a double click (or a click on the last vertex) finishes a polyline;
      // a line cannot end where it starts.
      if (this.name === "polyline") this.close();
      return;
    }
    this.addVertex(p);
    if (this.name === "line" && this.vertices.length === 2) {
      this.close();
      return;
    }
    this.show();
  }

  /** Finishes the shape being drawn; false when it has too few vertices. */
  close(): boolean {
    const label = this.c.currentLabel;
    if (this.vertices.length < 2 || label === null) return false;
    return this.finished(this.c.model.addOpen(this.name, label, this.vertices));
  }
}

/** Point: a click places a keypoint with the current label; a press on one selects it, a drag moves it. */
export class PointTool implements ShapeTool {
  readonly name = "point" as const;
  readonly cursor = "crosshair";
  private drag: DragGesture | null = null;
  private start: Point | null = null;

  constructor(private readonly c: ShapeController) {}

  down(p: PointerInput): void {
    if (p.button !== 0) return;
    this.start = p.screen;
    const grab = this.c.vertexAt(p.image, true);
    if (grab) {
      this.c.select(grab.shape.id);
      this.drag = new DragGesture(this.c, grab.shape, grab.index, p.image);
    }
  }

  move(p: PointerInput): void {
    this.drag?.move(p);
  }

  up(p: PointerInput): void {
    const { drag, start } = this;
    this.drag = null;
    this.start = null;
    if (!start) return;
    if (drag) {
      if (isClick(start, p.screen)) drag.cancel();
      else drag.up(p);
      return;
    }
    const label = this.c.currentLabel;
    if (label === null) return;
    // The new point is not selected: keypoints are placed in a run, label after label (2, click,
    // 3, click…), and a selected point would take the next label instead.
    this.c.select(null);
    this.c.model.addPoint(label, p.image);
    this.c.pointPlaced(label);
  }

  cancel(): void {
    this.drag?.cancel();
    this.drag = null;
    this.start = null;
  }
}

/** Select: a click selects the shape under the pointer; a drag on a vertex moves it, elsewhere on the shape moves the shape. */
export class ShapeSelectTool implements ShapeTool {
  readonly name = "select" as const;
  readonly cursor = "default";
  private drag: DragGesture | null = null;
  private start: Point | null = null;

  constructor(private readonly c: ShapeController) {}

  down(p: PointerInput): void {
    if (p.button !== 0) return;
    this.start = p.screen;
    const grab = this.c.vertexAt(p.image);
    if (grab && p.shift && (grab.shape.kind === "polygon" || grab.shape.kind === "polyline")) {
      // Shift+click on a vertex removes it (a polygon keeps at least 3, a polyline 2).
      this.c.removeVertex(grab.shape.id, grab.index);
      this.start = null;
      return;
    }
    if (grab) {
      this.drag = new DragGesture(this.c, grab.shape, grab.index, p.image);
      return;
    }
    const edge = this.c.edgeAt(p.image);
    if (edge) {
      // A press on an edge of the selected polygon adds a vertex there, dragged from the start.
      const pts = [...edge.shape.points];
      pts.splice(edge.index + 1, 0, this.c.model.clampPoint(p.image));
      this.drag = new DragGesture(this.c, edge.shape, edge.index + 1, p.image, pts);
      return;
    }
    const id = this.c.hitTest(p.image);
    this.c.select(id);
    const shape = id === null ? undefined : this.c.model.get(id);
    if (shape) this.drag = new DragGesture(this.c, shape, null, p.image);
  }

  move(p: PointerInput): void {
    this.drag?.move(p);
  }

  up(p: PointerInput): void {
    if (this.drag && this.start && (this.drag.insertsVertex || !isClick(this.start, p.screen))) this.drag.up(p);
    else this.drag?.cancel();
    this.drag = null;
    this.start = null;
  }

  cancel(): void {
    this.drag?.cancel();
    this.drag = null;
    this.start = null;
  }
}

