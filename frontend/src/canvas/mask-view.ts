/**
 * The Konva view of a mask: three non-listening layers — the image; the mask, held in offscreen
 * tile canvases (512² px, made only where something is labelled) and drawn scaled with no
 * smoothing (class colours stay exact, the cost follows the screen, not the image); an overlay
 * with the brush outline and the polygon being drawn.
 *
 * A paint step repaints only its dirty rectangle: the label map's values there go through a
 * colour table (value → RGBA, hidden values transparent) into an ImageData put into the tile,
 * then the mask layer is redrawn once a frame (batchDraw). Opacity is the layer's alpha.
 */
import { Shape as KShape } from "konva/lib/Shape";
import { Image as KImage } from "konva/lib/shapes/Image";
import type { Point } from "./geometry";
import type { MaskViewPort } from "./mask-controller";
import type { MaskModel } from "./mask-model";
import { hexToRgba32 } from "./mask-palette";
import type { Rect } from "./mask-raster";
import { StageView } from "./stage-view";
import type { Viewport } from "./viewport";

/** Small enough that making one (on the first paint there) costs little. */
const VIEW_TILE = 512;
const VERTEX_PX = 4;

interface ViewTile {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  x: number;
  y: number;
}

export class MaskView extends StageView implements MaskViewPort {
  private readonly picture = new KImage({ image: undefined, listening: false });
  private tiles = new Map<number, ViewTile>();
  private cols = 0;
  private lut = new Uint32Array(256);
  private brush: { centre: Point; radius: number } | null = null;
  private draft: { vertices: readonly Point[]; pointer: Point | null } | null = null;
  private _opacity = 0.55;
  /** The selected instance's bounds and colour, outlined in the overlay. */
  private selection: { rect: Rect; colour: string } | null = null;
  /** Values drawn transparent (hidden classes or instances). */
  private hiddenValues: ReadonlySet<number> = new Set();

  constructor(
    container: HTMLDivElement,
    private readonly model: MaskModel,
  ) {
    super(container);
    this.imageLayer.add(this.picture);
    this.objectLayer.add(new KShape({ listening: false, sceneFunc: (ctx) => this.drawMask(ctx._context) }));
    this.overlayLayer.add(new KShape({ listening: false, sceneFunc: (ctx) => this.drawOverlay(ctx._context) }));
    this.addLayers();
    this.objectLayer.opacity(this._opacity);
  }

  // ---- MaskViewPort ------------------------------------------------------------------------

  setViewport(v: Viewport): void {
    this.applyViewport(v);
  }

  showBrush(centre: Point | null, radius: number): void {
    this.brush = centre ? { centre, radius } : null;
    this.overlayLayer.batchDraw();
  }

  showDraft(vertices: readonly Point[] | null, pointer: Point | null): void {
    this.draft = vertices ? { vertices: [...vertices], pointer } : null;
    this.overlayLayer.batchDraw();
  }

  /** Outlines the selected instance (its bounding rectangle), or nothing. */
  showSelection(rect: Rect | null, colour = "#ffffff"): void {
    this.selection = rect ? { rect, colour } : null;
    this.overlayLayer.batchDraw();
  }

  // ---- from the facade ---------------------------------------------------------------------

  setImage(img: HTMLImageElement | null): void {
    this.picture.image(img ?? undefined);
    if (img) this.picture.size({ width: img.naturalWidth, height: img.naturalHeight });
    this.imageLayer.batchDraw();
  }

  get opacity(): number {
    return this._opacity;
  }

  /** The mask's opacity over the image (0–1): the layer's alpha, no repaint of the tiles. */
  setOpacity(opacity: number): void {
    this._opacity = Math.max(0, Math.min(1, opacity));
    this.objectLayer.opacity(this._opacity);
    this.objectLayer.batchDraw();
  }

  /** Hidden values are drawn transparent (the colour table changes, so every tile is repainted). */
  setHidden(values: ReadonlySet<number>): void {
    this.hiddenValues = new Set(values);
    this.repaintAll();
  }

  refresh(): void {
    this.objectLayer.batchDraw();
    this.overlayLayer.batchDraw();
  }

  destroy(): void {
    this.stage.destroy();
    this.tiles.clear();
  }

  /** Drops every tile and repaints the whole mask (a load, a new colour table). */
  repaintAll(): void {
    this.tiles.clear();
    this.cols = Math.ceil(this.model.width / VIEW_TILE);
    this.buildLut();
    if (this.model.width && this.model.height) this.paintRect({ x: 0, y: 0, width: this.model.width, height: this.model.height });
    this.objectLayer.batchDraw();
  }

  /** Repaints the tiles' pixels in `rect` from the label map (one paint step's dirty rectangle). */
  paintRect(rect: Rect): void {
    const m = this.model;
    const x0 = Math.max(0, rect.x), y0 = Math.max(0, rect.y);
    const x1 = Math.min(m.width, rect.x + rect.width), y1 = Math.min(m.height, rect.y + rect.height);
    for (let ty = Math.floor(y0 / VIEW_TILE); ty * VIEW_TILE < y1; ty++) {
      for (let tx = Math.floor(x0 / VIEW_TILE); tx * VIEW_TILE < x1; tx++) {
        const tile = { x: tx * VIEW_TILE, y: ty * VIEW_TILE };
        const sx0 = Math.max(x0, tile.x), sy0 = Math.max(y0, tile.y);
        const sx1 = Math.min(x1, tile.x + VIEW_TILE), sy1 = Math.min(y1, tile.y + VIEW_TILE);
        this.paintTilePart(ty * this.cols + tx, sx0, sy0, sx1 - sx0, sy1 - sy0);
      }
    }
    this.objectLayer.batchDraw();
  }

  private paintTilePart(index: number, x: number, y: number, w: number, h: number): void {
    if (w <= 0 || h <= 0) return;
    const m = this.model;
    const data = m.data, lut = this.lut, width = m.width;
    const img = new ImageData(w, h);
    const px = new Uint32Array(img.data.buffer);
    let any = false;
    for (let row = 0; row < h; row++) {
      const from = (y + row) * width + x;
      const to = row * w;
      for (let col = 0; col < w; col++) {
        const c = lut[data[from + col]!]!;
        if (c) {
          px[to + col] = c;
          any = true;
        }
      }
    }
    let tile = this.tiles.get(index);
    if (!tile) {
      if (!any) return; // nothing labelled here yet: no tile
      tile = this.makeTile(index);
    }
    tile.ctx.putImageData(img, x - tile.x, y - tile.y);
  }

  private makeTile(index: number): ViewTile {
    const m = this.model;
    const x = (index % this.cols) * VIEW_TILE, y = Math.floor(index / this.cols) * VIEW_TILE;
    const canvas = document.createElement("canvas");
    canvas.width = Math.min(VIEW_TILE, m.width - x);
    canvas.height = Math.min(VIEW_TILE, m.height - y);
    const ctx = canvas.getContext("2d", { willReadFrequently: false })!;
    const tile = { canvas, ctx, x, y };
    this.tiles.set(index, tile);
    return tile;
  }

  /** Value → opaque RGBA (little-endian), 0 and hidden values transparent. */
  private buildLut(): void {
    const m = this.model;
    const lut = new Uint32Array(m.maxValue + 1);
    if (m.kind === "semantic") m.labels.forEach((l, i) => (lut[i + 1] = hexToRgba32(l.color)));
    else for (const inst of m.instances) lut[inst.id] = hexToRgba32(inst.color);
    for (const v of this.hiddenValues) if (v < lut.length) lut[v] = 0;
    this.lut = lut;
  }

  /** The colour table changed without the pixels (an instance added, relabelled, a label's colour). */
  coloursChanged(): void {
    const before = this.lut;
    this.buildLut();
    const after = this.lut;
    // A new instance only adds a colour for a value no pixel holds yet: nothing to repaint.
    let same = before.length === after.length;
    for (let i = 0; same && i < after.length; i++) if (before[i] && before[i] !== after[i]) same = false;
    if (!same) this.repaintAll();
  }

  // ---- drawing (image pixels; the stage transform maps them to the screen) ------------------

  private drawMask(ctx: CanvasRenderingContext2D): void {
    const v = this._viewport;
    const s = this.containerSize();
    // Only tiles in view are drawn.
    const left = -v.x / v.scale, top = -v.y / v.scale;
    const right = left + s.width / v.scale, bottom = top + s.height / v.scale;
    ctx.imageSmoothingEnabled = false;
    for (const t of this.tiles.values()) {
      if (t.x > right || t.y > bottom || t.x + t.canvas.width < left || t.y + t.canvas.height < top) continue;
      ctx.drawImage(t.canvas, t.x, t.y);
    }
  }

  private drawOverlay(ctx: CanvasRenderingContext2D): void {
    const px = 1 / this._viewport.scale;
    if (this.selection) {
      const { rect: r, colour } = this.selection;
      ctx.lineWidth = 2 * px;
      ctx.setLineDash([5 * px, 4 * px]);
      ctx.strokeStyle = "#fff";
      ctx.strokeRect(r.x - 2 * px, r.y - 2 * px, r.width + 4 * px, r.height + 4 * px);
      ctx.lineDashOffset = 5 * px;
      ctx.strokeStyle = colour;
      ctx.strokeRect(r.x - 2 * px, r.y - 2 * px, r.width + 4 * px, r.height + 4 * px);
      ctx.lineDashOffset = 0;
      ctx.setLineDash([]);
    }
    if (this.brush) {
      const { centre, radius } = this.brush;
      ctx.beginPath();
      ctx.arc(centre.x, centre.y, Math.max(radius, 3 * px), 0, Math.PI * 2); // the brush is the cursor: keep it visible
      ctx.lineWidth = 2.5 * px;
      ctx.strokeStyle = "rgba(0,0,0,0.6)";
      ctx.stroke();
      ctx.lineWidth = 1.2 * px;
      ctx.strokeStyle = "#fff";
      ctx.stroke();
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
      for (const p of d.vertices) {
        ctx.beginPath();
        ctx.arc(p.x, p.y, VERTEX_PX * px, 0, Math.PI * 2);
        ctx.fillStyle = "#fff";
        ctx.fill();
        ctx.lineWidth = 1.5 * px;
        ctx.strokeStyle = "#ffb300";
        ctx.stroke();
      }
      const f = d.vertices[0]!;
      ctx.beginPath();
      ctx.arc(f.x, f.y, (VERTEX_PX + 3) * px, 0, Math.PI * 2);
      ctx.strokeStyle = "#ffb300";
      ctx.lineWidth = 2 * px;
      ctx.stroke();
    }
  }
}
