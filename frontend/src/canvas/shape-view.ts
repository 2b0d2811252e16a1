/**
 * The Konva view of the shape model, with the box view's layout: three non-listening layers
 * (the controller hit-tests itself) — the image; every polygon and keypoint in ONE custom
 * shape; an overlay with the selected shape's vertices, the polygon being drawn and a drag
 * preview. A drag redraws only the overlay (and the shapes layer when it starts and ends).
 */
import { Layer } from "konva/lib/Layer";
import { Shape as KShape } from "konva/lib/Shape";
import { Image as KImage } from "konva/lib/shapes/Image";
import { Stage } from "konva/lib/Stage";
import type { Point, Size } from "./geometry";
import type { ShapeViewPort } from "./shape-controller";
import type { Shape, ShapeModel } from "./shapes";
import type { Viewport } from "./viewport";

const VERTEX_PX = 4;
/** Labels are written on the shapes only while there are at most this many (as for boxes). */
const LABEL_TEXT_LIMIT = 400;
const POINT_PX = 5;

export class ShapeView implements ShapeViewPort {
  readonly stage: Stage;
  private readonly imageLayer = new Layer({ listening: false });
  private readonly shapeLayer = new Layer({ listening: false });
  private readonly overlayLayer = new Layer({ listening: false });
  private readonly picture = new KImage({ image: undefined, listening: false });
  private _viewport: Viewport = { scale: 1, x: 0, y: 0 };
  private draft: { vertices: readonly Point[]; pointer: Point | null } | null = null;
  private preview: { id: number; points: readonly Point[] } | null = null;
  private selectedId: number | null = null;
  /** The shape being drawn closes (a polygon: its first vertex is ringed), or stays open (a polyline, a line). */
  closedDraft = true;

  constructor(
    private readonly container: HTMLDivElement,
    private readonly model: ShapeModel,
    private readonly colourOf: (label: string) => string,
  ) {
    this.stage = new Stage({
      container,
      width: Math.max(1, container.clientWidth),
      height: Math.max(1, container.clientHeight),
      listening: false,
    });
    this.imageLayer.add(this.picture);
    this.shapeLayer.add(new KShape({ listening: false, sceneFunc: (ctx) => this.drawShapes(ctx._context) }));
    this.overlayLayer.add(new KShape({ listening: false, sceneFunc: (ctx) => this.drawOverlay(ctx._context) }));
    this.stage.add(this.imageLayer, this.shapeLayer, this.overlayLayer);
  }

  get viewport(): Viewport {
    return this._viewport;
  }

  setViewport(v: Viewport): void {
    this._viewport = v;
    this.stage.scale({ x: v.scale, y: v.scale });
    this.stage.position({ x: v.x, y: v.y });
    this.stage.batchDraw();
  }

  containerSize(): Size {
    return { width: this.stage.width(), height: this.stage.height() };
  }

  showDraft(vertices: readonly Point[] | null, pointer: Point | null): void {
    this.draft = vertices ? { vertices: [...vertices], pointer } : null;
    this.overlayLayer.batchDraw();
  }

  showPreview(id: number, points: readonly Point[] | null): void {
    const before = this.preview?.id ?? null;
    this.preview = points ? { id, points } : null;
    if (before !== (this.preview?.id ?? null)) this.shapeLayer.batchDraw();
    this.overlayLayer.batchDraw();
  }

  setCursor(cursor: string): void {
    this.container.style.cursor = cursor;
  }

  setImage(img: HTMLImageElement | null): void {
    this.picture.image(img ?? undefined);
    if (img) this.picture.size({ width: img.naturalWidth, height: img.naturalHeight });
    this.imageLayer.batchDraw();
  }

  /** Brightness and contrast as a CSS filter on the image layer's canvas (no repaint). */
  setImageAdjust(brightness: number, contrast: number): void {
    const el = this.imageLayer.getCanvas()._canvas;
    el.style.filter = brightness === 1 && contrast === 1 ? "" : `brightness(${brightness}) contrast(${contrast})`;
  }

  resize(size: Size): void {
    this.stage.size({ width: Math.max(1, size.width), height: Math.max(1, size.height) });
    this.stage.batchDraw();
  }

  setSelected(id: number | null): void {
    this.selectedId = id;
    this.shapeLayer.batchDraw();
    this.overlayLayer.batchDraw();
  }

  refresh(): void {
    this.shapeLayer.batchDraw();
    this.overlayLayer.batchDraw();
  }

  clientToStage(clientX: number, clientY: number): Point {
    const r = this.container.getBoundingClientRect();
    return { x: clientX - r.left, y: clientY - r.top };
  }

  destroy(): void {
    this.stage.destroy();
  }

  // ---- drawing (in image pixels: the stage transform maps them to the screen) ---------------

  private get px(): number {
    return 1 / this._viewport.scale;
  }

  private drawShapes(ctx: CanvasRenderingContext2D): void {
    const px = this.px;
    ctx.lineWidth = 2 * px;
    ctx.lineJoin = "round";
    for (const s of this.model.shapes) {
      if (s.id === this.preview?.id || s.hidden) continue;
      this.drawShape(ctx, s, s.points, s.id === this.selectedId);
    }
  }

  private drawShape(ctx: CanvasRenderingContext2D, s: Shape, pts: readonly Point[], selected: boolean): void {
    const px = this.px;
    const colour = this.colourOf(s.label);
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    if (s.kind === "point") {
      const p = pts[0]!;
      ctx.beginPath();
      ctx.arc(p.x, p.y, (selected ? POINT_PX + 2 : POINT_PX) * px, 0, Math.PI * 2);
      ctx.fill();
      ctx.lineWidth = 1.5 * px;
      ctx.strokeStyle = "#fff";
      ctx.stroke();
      this.drawTag(ctx, s.label, p.x + (POINT_PX + 3) * px, p.y - (POINT_PX + 3) * px, colour);
      return;
    }
    ctx.beginPath();
    pts.forEach((p, i) => (i ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y)));
    if (s.kind !== "polygon") {
      // A polyline or line: an open stroke, nothing to fill.
      ctx.lineWidth = (selected ? 3 : 2) * px;
      ctx.stroke();
      this.drawTag(ctx, s.label, pts[0]!.x, pts[0]!.y - 4 * px, colour);
      return;
    }
    ctx.closePath();
    ctx.globalAlpha = selected ? 0.35 : 0.2;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.lineWidth = (selected ? 3 : 2) * px;
    ctx.stroke();
    const top = pts.reduce((a, b) => (b.y < a.y ? b : a), pts[0]!);
    this.drawTag(ctx, s.label, top.x, top.y - 4 * px, colour);
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
        this.drawShape(ctx, s, this.preview.points, true);
        if (s.kind !== "point") this.drawVertices(ctx, this.preview.points, this.colourOf(s.label));
      }
    } else if (this.selectedId !== null) {
      const s = this.model.get(this.selectedId);
      if (s && s.kind !== "point" && !s.hidden && !s.locked) this.drawVertices(ctx, s.points, this.colourOf(s.label));
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
