/**
 * The shape controller: pointer and key input (already in image coordinates) → shape-model
 * commands, selection and viewport changes, for polygons, keypoints, polylines and lines. One
 * handler per tool (polygon, point, polyline / line, select; pan is the box controller's
 * `PanTool`). The view is reached only through `ShapeViewPort`, so this runs without a canvas
 * (tests/unit/canvas-shapes.test.ts, canvas-open-shapes.test.ts).
 */
import { isFrozen } from "./object-model";
import type { AttributeValues } from "./object-meta";
import type { Point, Rect } from "./geometry";
import {
  HANDLE_RADIUS_PX,
  ObjectController,
  PASTE_OFFSET,
  PanTool,
  type ObjectControllerEvent,
  type PointerInput,
  type ToolHandler,
  type ViewportHost,
} from "./object-controller";
import type { Shape, ShapeKind, ShapeModel } from "./shapes";
import { nextSetLabel } from "./skeleton";

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
export interface ShapeViewPort extends ViewportHost {
  /** The polygon being drawn (its vertices and the pointer, for the rubber band), or null. */
  showDraft(vertices: readonly Point[] | null, pointer: Point | null): void;
  /** A shape's points while it is dragged (before the command), or null when done. */
  showPreview(id: number, points: readonly Point[] | null): void;
}

export type ShapeToolName = "polygon" | "point" | "polyline" | "line" | "select" | "pan";

export type ShapeControllerEvent = ObjectControllerEvent<ShapeToolName> | { kind: "draft" };

export class ShapeController extends ObjectController<Shape, ShapeModel, ShapeViewPort, ShapeToolName, ShapeControllerEvent> {
  readonly tools: Record<ShapeToolName, ShapeTool | ToolHandler>;
  readonly polygonTool: PolygonTool;
  /** The tool that holds a shape being drawn: the polygon tool, or the polyline / line tool. */
  readonly draftTool: PolygonTool | OpenShapeTool;
  private clipboard: { kind: ShapeKind; label: string; points: Point[]; attributes: AttributeValues } | null = null;
  /**
   * Keypoint-set mode (`<lw-keypoint keypoint-set>`): each label is one named point per
   * instance, so placing a point arms the next label the instance still lacks.
   */
  keypointSet = false;

  constructor(
    model: ShapeModel,
    view: ShapeViewPort,
    labels: readonly string[],
    /** What this editor draws: polygons, keypoints, polylines or lines (its drawing tool follows). */
    readonly kind: ShapeKind,
  ) {
    super(model, view, labels, kind);
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
  }

  /** The drawing tool of this editor's kind. */
  get drawTool(): ShapeToolName {
    return this.kind;
  }

  /** True while a polygon, polyline or line is being drawn (vertices placed, not finished). */
  get drafting(): boolean {
    return this.draftTool.draft.length > 0;
  }

  /** @internal the polygon tool's draft changed. */
  draftChanged(): void {
    this.emit({ kind: "draft" });
  }

  /** Another tool than the drawing one (or pan) drops the shape being drawn. */
  override setTool(tool: ShapeToolName): void {
    if (tool !== this.draftTool.name && tool !== "pan") {
      this.gesture?.cancel();
      this.gesture = null;
      this.draftTool.discard();
    }
    super.setTool(tool);
  }

  /** @internal the point tool placed a point with `label`: in keypoint-set mode, arm the next one. */
  pointPlaced(label: string): void {
    if (!this.keypointSet || !this._labels.length) return;
    this._labelIndex = nextSetLabel(this.model.shapes, this._labels, label);
    this.emit({ kind: "label", index: this._labelIndex });
  }

  protected deleteObject(id: number): boolean {
    return this.model.deleteShape(id);
  }

  protected moveBy(s: Shape, dx: number, dy: number): boolean {
    return this.model.moveShape(s.id, dx, dy);
  }

  protected boundsOf(s: Shape): Rect {
    const xs = s.points.map((p) => p.x);
    const ys = s.points.map((p) => p.y);
    const left = Math.min(...xs), top = Math.min(...ys);
    return { left, top, width: Math.max(...xs) - left, height: Math.max(...ys) - top };
  }

  override undo(): boolean {
    // While drawing, undo takes back the last vertex (the draft is not in the model yet).
    if (this.draftTool.removeLast()) return true;
    return super.undo();
  }
  /**
   * The vertex under `p` (within HANDLE_RADIUS_PX on screen): of the selected shape, or of any
   * keypoint (`anyPoint`: points are grabbed directly, they have no inside to click first).
   */
  vertexAt(p: Point, anyPoint = false): { shape: Shape; index: number } | null {
    const r2 = (HANDLE_RADIUS_PX / this.view.viewport.scale) ** 2;
    const candidates: Shape[] = [];
    const sel = this.selected;
    if (sel && !sel.hidden && !isFrozen(sel)) candidates.push(sel);
    if (anyPoint || this.kind === "point") {
      const shapes = this.model.shapes;
      for (let i = shapes.length - 1; i >= 0; i--) {
        const s = shapes[i]!;
        if (s.kind === "point" && !s.hidden && !isFrozen(s)) candidates.push(s);
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
    if (!s || isFrozen(s) || s.points.length <= min) return false;
    return this.model.setPoints(id, s.points.filter((_, i) => i !== index), "Remove vertex");
  }

  /** The edge of the selected polygon or polyline within HANDLE_RADIUS_PX of `p` (index of its first vertex). */
  edgeAt(p: Point): { shape: Shape; index: number } | null {
    const s = this.selected;
    if (!s || (s.kind !== "polygon" && s.kind !== "polyline") || s.hidden || isFrozen(s)) return null;
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
    // editsAllowed: none: a copy would add an object of a label that takes no new ones.
    if (!clip || !this.model.mayUseLabel(clip.label)) return false;
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
      if (s.hidden || isFrozen(s)) continue;
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

  /** No button down: the rubber band follows, and the cursor says what a press would do. */
  protected hoverCursorAt(p: PointerInput): string | null {
    if (this._tool === this.draftTool.name) this.draftTool.hoverAt(p.image);
    if (this.spaceHeld || this._tool === "pan" || this.drafting) return null;
    if (this.vertexAt(p.image)) return "move";
    if (this._tool === "select" && this.edgeAt(p.image)) return "copy";
    if (this._tool === "select" && this.hitTest(p.image) !== null) return "move";
    return this.cursor;
  }

  /** Esc drops the shape being drawn before it clears the selection. */
  protected override escape(): boolean {
    return this.draftTool.discard();
  }

  protected toolKey(key: string): boolean | undefined {
    switch (key) {
      case "Enter":
        return this.draftTool.close();
      case "Backspace":
        return this.draftTool.removeLast() || this.deleteSelected();
      case "p":
      case "k":
      case "l":
        this.setTool(this.drawTool);
        return true;
      default:
        return undefined;
    }
  }
}
