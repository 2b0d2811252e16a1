/**
 * The Konva view. Three layers, none listening (the controller does its own hit testing, so
 * Konva keeps no hit canvas):
 *   image   – the picture, drawn only when the viewport changes;
 *   boxes   – every box in ONE custom shape (a loop of strokeRect per colour), so 5,000 boxes
 *             cost one draw call chain instead of 5,000 nodes;
 *   overlay – the selected box with its handles, the box being drawn, a move/resize preview.
 * Redraws go through batchDraw (at most once a frame).
 */
import Konva from "konva/lib/Core";
import { Image as KImage } from "konva/lib/shapes/Image";
import { HANDLES, handlePoint, type Rect, type Size } from "./geometry";
import type { Box, BoxModel } from "./model";
import type { ViewPort } from "./controller";
import type { Viewport } from "./viewport";

/** Distinct, colour-blind-friendlier hues, by label index (the image classifier's overlay uses the same). */
export const LABEL_COLOURS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#0092a8", "#c2185b", "#6d8c00"];

/** Labels are written on the boxes only while there are at most this many (beyond, they are noise). */
const LABEL_TEXT_LIMIT = 400;
const HANDLE_PX = 8;

export class BoxView implements ViewPort {
  readonly stage: Konva.Stage;
  private readonly imageLayer = new Konva.Layer({ listening: false });
  private readonly boxLayer = new Konva.Layer({ listening: false });
  private readonly overlayLayer = new Konva.Layer({ listening: false });
  private readonly picture = new KImage({ image: undefined, listening: false });
  private _viewport: Viewport = { scale: 1, x: 0, y: 0 };
  private draft: Rect | null = null;
  private preview: { id: number; rect: Rect } | null = null;
  private selectedId: number | null = null;

  constructor(
    private readonly container: HTMLDivElement,
    private readonly model: BoxModel,
    private readonly colourOf: (label: string) => string,
  ) {
    this.stage = new Konva.Stage({
      container,
      width: Math.max(1, container.clientWidth),
      height: Math.max(1, container.clientHeight),
      listening: false,
    });
    this.imageLayer.add(this.picture);
    this.boxLayer.add(new Konva.Shape({ listening: false, sceneFunc: (ctx) => this.drawBoxes(ctx._context) }));
    this.overlayLayer.add(new Konva.Shape({ listening: false, sceneFunc: (ctx) => this.drawOverlay(ctx._context) }));
    this.stage.add(this.imageLayer, this.boxLayer, this.overlayLayer);
  }

  // ---- ViewPort ----------------------------------------------------------------------------

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

  showDraft(rect: Rect | null): void {
    this.draft = rect;
    this.overlayLayer.batchDraw();
  }

  showPreview(id: number, rect: Rect | null): void {
    const wasHidden = this.preview?.id;
    this.preview = rect ? { id, rect } : null;
    // The box layer skips the box being dragged: redraw it only when that starts or ends.
    if ((wasHidden ?? null) !== (this.preview?.id ?? null)) this.boxLayer.batchDraw();
    this.overlayLayer.batchDraw();
  }

  setCursor(cursor: string): void {
    this.container.style.cursor = cursor;
  }

  // ---- updates from the facade -------------------------------------------------------------

  setImage(img: HTMLImageElement | null): void {
    this.picture.image(img ?? undefined);
    if (img) this.picture.size({ width: img.naturalWidth, height: img.naturalHeight });
    this.imageLayer.batchDraw();
  }

  resize(size: Size): void {
    this.stage.size({ width: Math.max(1, size.width), height: Math.max(1, size.height) });
    this.stage.batchDraw();
  }

  setSelected(id: number | null): void {
    this.selectedId = id;
    this.boxLayer.batchDraw();
    this.overlayLayer.batchDraw();
  }

  /** The model changed: redraw the boxes (one shape) and the selection. */
  refresh(): void {
    this.boxLayer.batchDraw();
    this.overlayLayer.batchDraw();
  }

  /** Image pixels under a client (viewport) position. */
  clientToStage(clientX: number, clientY: number): { x: number; y: number } {
    const r = this.container.getBoundingClientRect();
    return { x: clientX - r.left, y: clientY - r.top };
  }

  destroy(): void {
    this.stage.destroy();
  }

  // ---- drawing -----------------------------------------------------------------------------

  private get px(): number {
    return 1 / this._viewport.scale;
  }

  /** Only boxes that meet the visible part of the image are stroked. */
  private visibleRect(): Rect {
    const v = this._viewport;
    const s = this.containerSize();
    return { left: -v.x / v.scale, top: -v.y / v.scale, width: s.width / v.scale, height: s.height / v.scale };
  }

  private drawBoxes(ctx: CanvasRenderingContext2D): void {
    const boxes = this.model.boxes;
    const px = this.px;
    const view = this.visibleRect();
    const skip = this.preview?.id ?? this.selectedId;
    const byColour = new Map<string, Box[]>();
    for (const b of boxes) {
      if (b.hidden || b.id === skip) continue;
      if (b.left > view.left + view.width || b.top > view.top + view.height) continue;
      if (b.left + b.width < view.left || b.top + b.height < view.top) continue;
      const colour = this.colourOf(b.label);
      let list = byColour.get(colour);
      if (!list) byColour.set(colour, (list = []));
      list.push(b);
    }
    ctx.lineWidth = 2 * px;
    for (const [colour, list] of byColour) {
      ctx.strokeStyle = colour;
      ctx.beginPath();
      for (const b of list) ctx.rect(b.left, b.top, b.width, b.height);
      ctx.stroke();
    }
    if (boxes.length <= LABEL_TEXT_LIMIT) {
      ctx.font = `600 ${11 * px}px system-ui, sans-serif`;
      ctx.textBaseline = "bottom";
      for (const [colour, list] of byColour) {
        for (const b of list) this.drawTag(ctx, b.label, b.left, b.top, colour);
      }
    }
  }

  private drawTag(ctx: CanvasRenderingContext2D, label: string, x: number, y: number, colour: string): void {
    if (!label) return;
    const px = this.px;
    const w = ctx.measureText(label).width + 8 * px;
    const h = 15 * px;
    const top = y - h < 0 ? y : y - h; // inside the box when there is no room above it
    ctx.fillStyle = colour;
    ctx.fillRect(x - px, top, w, h);
    ctx.fillStyle = "#fff";
    ctx.fillText(label, x + 3 * px, top + h - 2 * px);
  }

  private drawOverlay(ctx: CanvasRenderingContext2D): void {
    const px = this.px;
    ctx.font = `600 ${11 * px}px system-ui, sans-serif`;
    ctx.textBaseline = "bottom";
    const sel = this.selectedId === null ? undefined : this.model.get(this.selectedId);
    const previewed = this.preview ? this.model.get(this.preview.id) : undefined;
    const shown = previewed ?? sel;
    if (shown && !shown.hidden) {
      const r = this.preview && previewed ? this.preview.rect : shown;
      const colour = this.colourOf(shown.label);
      const isSel = shown.id === this.selectedId;
      ctx.fillStyle = colour + "26"; // a light tint of the label's colour
      ctx.fillRect(r.left, r.top, r.width, r.height);
      ctx.lineWidth = (isSel ? 3 : 2) * px;
      ctx.strokeStyle = colour;
      ctx.strokeRect(r.left, r.top, r.width, r.height);
      this.drawTag(ctx, shown.label, r.left, r.top, colour);
      if (isSel && !shown.locked) {
        const s = HANDLE_PX * px;
        ctx.lineWidth = 1.5 * px;
        for (const h of HANDLES) {
          const p = handlePoint(r, h);
          ctx.fillStyle = "#fff";
          ctx.fillRect(p.x - s / 2, p.y - s / 2, s, s);
          ctx.strokeRect(p.x - s / 2, p.y - s / 2, s, s);
        }
      }
    }
    if (this.draft) {
      const r = this.draft;
      ctx.setLineDash([6 * px, 4 * px]);
      ctx.lineWidth = 2 * px;
      ctx.strokeStyle = "#111";
      ctx.strokeRect(r.left, r.top, r.width, r.height);
      ctx.strokeStyle = "#fff";
      ctx.lineDashOffset = 5 * px;
      ctx.strokeRect(r.left, r.top, r.width, r.height);
      ctx.setLineDash([]);
      ctx.lineDashOffset = 0;
    }
  }
}
