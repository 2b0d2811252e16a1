/**
 * The Konva view of the shape model, with the box view's layout: three non-listening layers
 * (the controller hit-tests itself) — the image; every polygon and keypoint in ONE custom
 * shape; an overlay with the selected shape's vertices, the polygon being drawn and a drag
 * preview. A drag redraws only the overlay (and the shapes layer when it starts and ends).
 */
import { EDIT_LOCKED_COLOUR } from "./edit-limits";
import { isFrozen } from "./object-model";
import { Shape as KShape } from "konva/lib/Shape";
import { DecodedImage } from "./decoded-image";
import type { Point } from "./geometry";
import { ScaledBitmap, SETTLE_MS } from "./scaled-bitmap";
import type { ShapeViewPort } from "./shape-controller";
import { StageView } from "./stage-view";
import type { Shape, ShapeModel } from "./shapes";
import { skeletonSegments, type SkeletonEdge, type SkeletonSegment } from "./skeleton";
import type { Viewport } from "./viewport";

const VERTEX_PX = 4;
/** Labels are written on the shapes only while there are at most this many (as for boxes). */
const LABEL_TEXT_LIMIT = 400;
const POINT_PX = 5;
/**
 * Culling margins in screen px around the view: a shape whose bounds are this close is still
 * drawn, so its label tag (written above and to the right of it) and its stroke are never cut.
 */
const CULL_LEFT_PX = 160;
const CULL_PX = 24;

type Bounds = readonly [x0: number, y0: number, x1: number, y1: number];

export class ShapeView extends StageView implements ShapeViewPort {
  private picture: HTMLImageElement | null = null;
  private readonly decoded = new DecodedImage();
  /** Bumped when the image or its decoded bitmap changes: the image bitmap's key. */
  private imageVersion = 0;
  /** Zoomed out, the image and the shapes are each one bitmap at the current zoom: a pan is a blit. */
  private readonly imageBitmap = new ScaledBitmap(0);
  private readonly shapesBitmap = new ScaledBitmap(CULL_LEFT_PX);
  /** Bumped on every change the shapes layer shows (model, selection, preview, skeleton): the bitmap's key. */
  private version = 0;
  private zoomedAt = -Infinity;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private draft: { vertices: readonly Point[]; pointer: Point | null } | null = null;
  private preview: { id: number; points: readonly Point[] } | null = null;
  private selectedId: number | null = null;
  /** The shape being drawn closes (a polygon: its first vertex is ringed), or stays open (a polyline, a line). */
  closedDraft = true;
  /** Keypoint skeleton edges by label (`<lw-keypoint skeleton>`): drawn between the points of one instance. */
  private skeleton: readonly SkeletonEdge[] = [];
  /**
   * Each shape's bounds, by its points array: the model replaces the array on every edit, so an
   * entry is never stale, and a dropped shape's entry goes with it.
   */
  private readonly bounds = new WeakMap<readonly Point[], Bounds>();
  /** How many shapes the last shapes-layer draw painted (the rest were out of view): for tests and the bench. */
  drawnCount = 0;

  constructor(
    container: HTMLDivElement,
    private readonly model: ShapeModel,
    private readonly colourOf: (label: string) => string,
  ) {
    super(container);
    this.imageLayer.add(new KShape({ listening: false, sceneFunc: (ctx) => this.drawImageLayer(ctx._context) }));
    this.objectLayer.add(new KShape({ listening: false, sceneFunc: (ctx) => this.drawShapesLayer(ctx._context) }));
    this.overlayLayer.add(new KShape({ listening: false, sceneFunc: (ctx) => this.drawOverlay(ctx._context) }));
    this.addLayers();
  }

  setViewport(v: Viewport): void {
    if (v.scale !== this._viewport.scale) {
      // A wheel burst: the bitmaps are drawn scaled until it ends, then repainted sharp.
      this.zoomedAt = performance.now();
      clearTimeout(this.settleTimer);
      this.settleTimer = setTimeout(() => this.stage.batchDraw(), SETTLE_MS + 10);
    }
    this.applyViewport(v);
  }

  showDraft(vertices: readonly Point[] | null, pointer: Point | null): void {
    this.draft = vertices ? { vertices: [...vertices], pointer } : null;
    this.overlayLayer.batchDraw();
  }

  showPreview(id: number, points: readonly Point[] | null): void {
    const before = this.preview?.id ?? null;
    this.preview = points ? { id, points } : null;
    if (before !== (this.preview?.id ?? null)) this.changed();
    this.overlayLayer.batchDraw();
  }

  setImage(img: HTMLImageElement | null): void {
    this.picture = img;
    this.imageVersion++;
    this.imageLayer.batchDraw();
    // A large image is drawn from its whole decoded bitmap once that is there (decoded-image.ts).
    this.decoded.watch(img, () => {
      this.imageVersion++;
      this.imageLayer.batchDraw();
    });
  }

  /**
   * The selected shape is drawn again, emphasised, in the overlay (over its plain self in the
   * shapes layer), so a selection repaints only the overlay, never the shapes or their bitmap.
   */
  setSelected(id: number | null): void {
    this.selectedId = id;
    this.overlayLayer.batchDraw();
  }

  setSkeleton(edges: readonly SkeletonEdge[]): void {
    this.skeleton = edges;
    this.refresh();
  }

  refresh(): void {
    this.changed();
    this.overlayLayer.batchDraw();
  }

  /** The shapes layer shows something new: its bitmap is out of date. */
  private changed(): void {
    this.version++;
    this.objectLayer.batchDraw();
  }

  destroy(): void {
    clearTimeout(this.settleTimer);
    this.decoded.release();
    this.imageBitmap.release();
    this.shapesBitmap.release();
    this.stage.destroy();
  }

  // ---- drawing (in image pixels: the stage transform maps them to the screen) ---------------


  private boundsOf(pts: readonly Point[]): Bounds {
    let b = this.bounds.get(pts);
    if (!b) {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const p of pts) {
        if (p.x < x0) x0 = p.x;
        if (p.x > x1) x1 = p.x;
        if (p.y < y0) y0 = p.y;
        if (p.y > y1) y1 = p.y;
      }
      b = [x0, y0, x1, y1];
      this.bounds.set(pts, b);
    }
    return b;
  }

  /** The part of the image in view (image px), widened by the culling margins. */
  private visibleArea(): Bounds {
    const v = this._viewport;
    const px = 1 / v.scale;
    return [
      (-v.x - CULL_LEFT_PX) * px,
      (-v.y - CULL_PX) * px,
      (this.stage.width() - v.x + CULL_PX) * px,
      (this.stage.height() - v.y + CULL_PX) * px,
    ];
  }

  /**
   * Every shape in view, as few canvas paths as there are label colours: one filled and stroked
   * path for the polygons of a colour, one stroke for its open shapes, one for its points;
   * skeleton edges under the points; tags last (the selected shape is emphasised in the overlay). Shapes out of view
   * are skipped (their bounds are cached), so a step at high zoom costs what is on screen.
   */
  private get zooming(): boolean {
    return performance.now() - this.zoomedAt < SETTLE_MS;
  }

  private drawImageLayer(ctx: CanvasRenderingContext2D): void {
    const img = this.picture;
    if (!img) return;
    const size = { width: img.naturalWidth, height: img.naturalHeight };
    const scale = this._viewport.scale;
    const src = this.decoded.source(img);
    if (!this.imageBitmap.draw(ctx, size, scale, String(this.imageVersion), this.zooming, (c) => c.drawImage(src, 0, 0))) {
      ctx.drawImage(src, 0, 0);
    }
  }

  private drawShapesLayer(ctx: CanvasRenderingContext2D): void {
    const image = this.model.image;
    const scale = this._viewport.scale;
    // The bitmap holds every shape (no culling) at this zoom; zoomed in past it, paint what is in view.
    const all: Bounds = [-Infinity, -Infinity, Infinity, Infinity];
    if (this.shapesBitmap.draw(ctx, image, scale, String(this.version), this.zooming, (c) => this.drawShapes(c, all))) return;
    this.drawShapes(ctx, this.visibleArea());
  }

  private drawShapes(ctx: CanvasRenderingContext2D, area: Bounds): void {
    const px = this.px;
    const [vx0, vy0, vx1, vy1] = area;
    const previewId = this.preview?.id ?? null;
    const colours = new Map<string, string>();
    const groups = new Map<string, { closed: Shape[]; open: Shape[]; points: Shape[] }>();
    const visible: Shape[] = [];
    for (const s of this.model.shapes) {
      if (s.id === previewId || s.hidden) continue;
      const [x0, y0, x1, y1] = this.boundsOf(s.points);
      if (x1 < vx0 || x0 > vx1 || y1 < vy0 || y0 > vy1) continue;
      visible.push(s);
      let colour = s.editLocked ? EDIT_LOCKED_COLOUR : colours.get(s.label);
      if (colour === undefined) colours.set(s.label, (colour = this.colourOf(s.label)));
      let g = groups.get(colour);
      if (!g) groups.set(colour, (g = { closed: [], open: [], points: [] }));
      (s.kind === "polygon" ? g.closed : s.kind === "point" ? g.points : g.open).push(s);
    }
    this.drawnCount = visible.length;
    ctx.lineJoin = "round";
    for (const [colour, g] of groups) {
      ctx.strokeStyle = colour;
      ctx.fillStyle = colour;
      ctx.lineWidth = 2 * px;
      if (g.closed.length) {
        ctx.beginPath();
        for (const s of g.closed) traceShape(ctx, s.points, true);
        ctx.globalAlpha = 0.2;
        ctx.fill();
        ctx.globalAlpha = 1;
        ctx.stroke();
      }
      if (g.open.length) {
        ctx.beginPath();
        for (const s of g.open) traceShape(ctx, s.points, false);
        ctx.stroke();
      }
    }
    this.drawSkeleton(ctx, this.skeletonSegmentsInView([vx0, vy0, vx1, vy1]).filter((sg) => sg.a.id !== previewId && sg.b.id !== previewId));
    const r = POINT_PX * px;
    for (const [colour, g] of groups) {
      if (!g.points.length) continue;
      ctx.beginPath();
      for (const s of g.points) {
        const p = s.points[0]!;
        ctx.moveTo(p.x + r, p.y);
        ctx.arc(p.x, p.y, r, 0, Math.PI * 2);
      }
      ctx.fillStyle = colour;
      ctx.fill();
      ctx.lineWidth = 1.5 * px;
      ctx.strokeStyle = "#fff";
      ctx.stroke();
    }
    if (this.model.size > LABEL_TEXT_LIMIT) return;
    for (const s of visible) this.drawShapeTag(ctx, s, s.points);
  }

  private skeletonSegmentsInView(area: Bounds): SkeletonSegment[] {
    if (!this.skeleton.length) return [];
    const [vx0, vy0, vx1, vy1] = area;
    return skeletonSegments(this.model.shapes, this.skeleton).filter(
      ({ from, to }) => !(Math.max(from.x, to.x) < vx0 || Math.min(from.x, to.x) > vx1 || Math.max(from.y, to.y) < vy0 || Math.min(from.y, to.y) > vy1),
    );
  }

  /** Skeleton edges, one stroke per colour (the colour of the edge's first point's label). */
  private drawSkeleton(ctx: CanvasRenderingContext2D, segments: readonly SkeletonSegment[], moved?: { id: number; at: Point }): void {
    if (!segments.length) return;
    const byColour = new Map<string, SkeletonSegment[]>();
    for (const sg of segments) {
      const c = this.colourOf(sg.a.label);
      const list = byColour.get(c);
      if (list) list.push(sg);
      else byColour.set(c, [sg]);
    }
    const at = (s: Shape, p: Point): Point => (moved && s.id === moved.id ? moved.at : p);
    ctx.lineWidth = 2.5 * this.px;
    ctx.lineCap = "round";
    for (const [colour, list] of byColour) {
      ctx.beginPath();
      for (const sg of list) {
        const f = at(sg.a, sg.from);
        const t = at(sg.b, sg.to);
        ctx.moveTo(f.x, f.y);
        ctx.lineTo(t.x, t.y);
      }
      ctx.strokeStyle = colour;
      ctx.globalAlpha = 0.85;
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    ctx.lineCap = "butt";
  }

  /** One shape on its own (the selected one, a drag preview), with its tag when `tag`. */
  private drawShape(ctx: CanvasRenderingContext2D, s: Shape, pts: readonly Point[], selected: boolean, tag = true, fillAlpha?: number): void {
    const px = this.px;
    const colour = s.editLocked ? EDIT_LOCKED_COLOUR : this.colourOf(s.label);
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineJoin = "round";
    if (s.kind === "point") {
      const p = pts[0]!;
      ctx.beginPath();
      ctx.arc(p.x, p.y, (selected ? POINT_PX + 2 : POINT_PX) * px, 0, Math.PI * 2);
      ctx.fill();
      ctx.lineWidth = 1.5 * px;
      ctx.strokeStyle = "#fff";
      ctx.stroke();
    } else {
      ctx.beginPath();
      traceShape(ctx, pts, s.kind === "polygon");
      if (s.kind === "polygon") {
        ctx.globalAlpha = fillAlpha ?? (selected ? 0.35 : 0.2);
        ctx.fill();
        ctx.globalAlpha = 1;
      }
      // A polyline or line is an open stroke, nothing to fill.
      ctx.lineWidth = (selected ? 3 : 2) * px;
      ctx.stroke();
    }
    if (tag) this.drawShapeTag(ctx, s, pts);
  }

  /** The label tag: beside a point, above a polygon's top vertex, above an open shape's first. */
  private drawShapeTag(ctx: CanvasRenderingContext2D, s: Shape, pts: readonly Point[]): void {
    const px = this.px;
    const colour = s.editLocked ? EDIT_LOCKED_COLOUR : this.colourOf(s.label);
    if (s.kind === "point") {
      const p = pts[0]!;
      this.drawTag(ctx, s.label, p.x + (POINT_PX + 3) * px, p.y - (POINT_PX + 3) * px, colour);
    } else if (s.kind === "polygon") {
      const top = pts.reduce((a, b) => (b.y < a.y ? b : a), pts[0]!);
      this.drawTag(ctx, s.label, top.x, top.y - 4 * px, colour);
    } else {
      this.drawTag(ctx, s.label, pts[0]!.x, pts[0]!.y - 4 * px, colour);
    }
  }

  private drawTag(ctx: CanvasRenderingContext2D, label: string, x: number, y: number, colour: string): void {
    if (!label || this.model.size > LABEL_TEXT_LIMIT) return;
    const px = this.px;
    ctx.font = `${12 * px}px system-ui, sans-serif`;
    const w = ctx.measureText(label).width + 6 * px;
    ctx.fillStyle = colour;
    ctx.fillRect(x, y - 15 * px, w, 15 * px);
    ctx.fillStyle = "#fff";
    ctx.fillText(label, x + 3 * px, y - 4 * px);
  }

  private drawVertices(ctx: CanvasRenderingContext2D, pts: readonly Point[], colour: string): void {
    const px = this.px;
    for (const p of pts) {
      ctx.beginPath();
      ctx.arc(p.x, p.y, VERTEX_PX * px, 0, Math.PI * 2);
      ctx.fillStyle = "#fff";
      ctx.fill();
      ctx.lineWidth = 1.5 * px;
      ctx.strokeStyle = colour;
      ctx.stroke();
    }
  }

  private drawOverlay(ctx: CanvasRenderingContext2D): void {
    const px = this.px;
    if (this.preview) {
      const s = this.model.get(this.preview.id);
      if (s) {
        if (s.kind === "point" && this.skeleton.length) {
          // The dragged point's skeleton edges follow it (the shapes layer leaves them out).
          const id = s.id;
          const segs = skeletonSegments(this.model.shapes, this.skeleton).filter((sg) => sg.a.id === id || sg.b.id === id);
          this.drawSkeleton(ctx, segs, { id, at: this.preview.points[0]! });
        }
        this.drawShape(ctx, s, this.preview.points, true);
        if (s.kind !== "point") this.drawVertices(ctx, this.preview.points, this.colourOf(s.label));
      }
    } else if (this.selectedId !== null) {
      const s = this.model.get(this.selectedId);
      if (s && !s.hidden) {
        // Over its plain self: a 0.19 fill over the layer's 0.2 reads as the 0.35 of a selected polygon.
        this.drawShape(ctx, s, s.points, true, false, 0.19);
        if (s.kind !== "point" && !isFrozen(s)) this.drawVertices(ctx, s.points, this.colourOf(s.label));
      }
    }
    const d = this.draft;
    if (d && d.vertices.length) {
      ctx.beginPath();
      d.vertices.forEach((p, i) => (i ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y)));
      if (d.pointer) ctx.lineTo(d.pointer.x, d.pointer.y);
      ctx.lineWidth = 2 * px;
      ctx.strokeStyle = "#ffeb3b";
      ctx.setLineDash([6 * px, 4 * px]);
      ctx.stroke();
      ctx.setLineDash([]);
      this.drawVertices(ctx, d.vertices, "#ffb300");
      if (!this.closedDraft) return;
      // The first vertex is drawn larger: clicking it closes the polygon.
      const f = d.vertices[0]!;
      ctx.beginPath();
      ctx.arc(f.x, f.y, (VERTEX_PX + 3) * px, 0, Math.PI * 2);
      ctx.strokeStyle = "#ffb300";
      ctx.lineWidth = 2 * px;
      ctx.stroke();
    }
  }
}

/** Adds one shape's outline to the current path (closed for a polygon). */
function traceShape(ctx: CanvasRenderingContext2D, pts: readonly Point[], closed: boolean): void {
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i]!;
    if (i) ctx.lineTo(p.x, p.y);
    else ctx.moveTo(p.x, p.y);
  }
  if (closed) ctx.closePath();
}
