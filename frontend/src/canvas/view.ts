/**
 * The Konva view. Three layers, none listening (the controller does its own hit testing, so
 * Konva keeps no hit canvas):
 *   image   – the picture, drawn only when the viewport changes;
 *   boxes   – every box in ONE custom shape (a loop of strokeRect per colour), so 5,000 boxes
 *             cost one draw call chain instead of 5,000 nodes;
 *   overlay – the selected box with its handles, the box being drawn, a move/resize preview.
 * Redraws go through batchDraw (at most once a frame).
 */
// Only the classes used, not konva/lib/Core (which adds tweens, animation, drag and drop).
import { EDIT_LOCKED_COLOUR } from "./edit-limits";
import { isFrozen } from "./object-model";
import { Shape } from "konva/lib/Shape";
import { Image as KImage } from "konva/lib/shapes/Image";
import { DecodedImage } from "./decoded-image";
import { HANDLES, handlePoint, type Rect } from "./geometry";
import type { Box, BoxModel } from "./model";
import type { ViewPort } from "./controller";
import { StageView } from "./stage-view";
import type { Viewport } from "./viewport";

/** Distinct, colour-blind-friendlier hues, by label index (the image classifier's overlay uses the same). */
/** "#rrggbb" as one little-endian RGBA pixel (opaque). */
function rgba32(hex: string): number {
  const n = parseInt(hex.slice(1, 7), 16);
  return (0xff000000 | ((n & 0xff) << 16) | (n & 0xff00) | ((n >> 16) & 0xff)) >>> 0;
}

export const LABEL_COLOURS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#0092a8", "#c2185b", "#6d8c00"];

/** Labels are written on the boxes only while there are at most this many (beyond, they are noise). */
const LABEL_TEXT_LIMIT = 400;
const HANDLE_PX = 8;
/** Zoomed out far enough that the whole image is at most this many device px a side, the boxes
 * are painted once into a bitmap and each pan step is one drawImage (2048² px = a 16 MiB buffer). */
const CACHE_MAX_PX = 2048;
/** Room round the cached bitmap for outlines and tags on the image's edge. */
const CACHE_PAD = 24;
/** A zoom in progress scales the last bitmap; it is repainted this long after the last step. */
const ZOOM_SETTLE_MS = 150;

interface BoxCache {
  canvas: HTMLCanvasElement;
  pixels: ImageData;
  k: number;
  dpr: number;
  skip: number | null;
}

export class BoxView extends StageView implements ViewPort {
  private readonly picture = new KImage({ image: undefined, listening: false });
  private readonly decoded = new DecodedImage();
  private draft: Rect | null = null;
  private preview: { id: number; rect: Rect } | null = null;
  private selectedId: number | null = null;
  private cache: BoxCache | null = null;
  private cacheDirty = true;
  private zoomedAt = -Infinity;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    container: HTMLDivElement,
    private readonly model: BoxModel,
    private readonly colourOf: (label: string) => string,
  ) {
    super(container);
    this.imageLayer.add(this.picture);
    this.objectLayer.add(new Shape({ listening: false, sceneFunc: (ctx) => this.drawBoxes(ctx._context) }));
    this.overlayLayer.add(new Shape({ listening: false, sceneFunc: (ctx) => this.drawOverlay(ctx._context) }));
    this.addLayers();
  }

  // ---- ViewPort ----------------------------------------------------------------------------

  setViewport(v: Viewport): void {
    if (v.scale !== this._viewport.scale) this.zoomedAt = performance.now();
    this.applyViewport(v);
  }

  showDraft(rect: Rect | null): void {
    this.draft = rect;
    this.overlayLayer.batchDraw();
  }

  showPreview(id: number, rect: Rect | null): void {
    const wasHidden = this.preview?.id;
    this.preview = rect ? { id, rect } : null;
    // The box layer skips the box being dragged: redraw it only when that starts or ends.
    if ((wasHidden ?? null) !== (this.preview?.id ?? null)) this.objectLayer.batchDraw();
    this.overlayLayer.batchDraw();
  }

  // ---- updates from the facade -------------------------------------------------------------

  setImage(img: HTMLImageElement | null): void {
    this.picture.image(img ?? undefined);
    if (img) this.picture.size({ width: img.naturalWidth, height: img.naturalHeight });
    this.imageLayer.batchDraw();
    // A large image is swapped for its whole decoded bitmap once that is there (decoded-image.ts).
    this.decoded.watch(img, () => {
      this.picture.image(this.decoded.source(img!));
      this.imageLayer.batchDraw();
    });
  }

  setSelected(id: number | null): void {
    this.selectedId = id;
    this.objectLayer.batchDraw();
    this.overlayLayer.batchDraw();
  }

  /** The model changed: redraw the boxes (one shape) and the selection. */
  refresh(): void {
    this.cacheDirty = true;
    this.objectLayer.batchDraw();
    this.overlayLayer.batchDraw();
  }

  destroy(): void {
    clearTimeout(this.settleTimer);
    this.decoded.release();
    this.cache = null;
    this.stage.destroy();
  }

  // ---- drawing -----------------------------------------------------------------------------

  /** Only boxes that meet the visible part of the image are stroked. */
  private visibleRect(): Rect {
    const v = this._viewport;
    const s = this.containerSize();
    return { left: -v.x / v.scale, top: -v.y / v.scale, width: s.width / v.scale, height: s.height / v.scale };
  }

  private drawBoxes(ctx: CanvasRenderingContext2D): void {
    const m = ctx.getTransform();
    const k = m.a; // device pixels per image pixel
    const dpr = k / this._viewport.scale;
    const img = this.model.image;
    const skip = this.preview?.id ?? this.selectedId;
    const pad = CACHE_PAD;
    const w = Math.ceil(img.width * k) + 2 * pad;
    const h = Math.ceil(img.height * k) + 2 * pad;
    if (!img.width || w > CACHE_MAX_PX || h > CACHE_MAX_PX) {
      // Zoomed in far: only the visible boxes are painted, straight onto the layer.
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      this.paintBoxes(ctx, k, m.e, m.f, dpr, skip, this.visibleRect());
      ctx.setTransform(m);
      return;
    }
    let cache = this.cache;
    const zooming = performance.now() - this.zoomedAt < ZOOM_SETTLE_MS;
    if (!cache || this.cacheDirty || cache.skip !== skip || cache.dpr !== dpr || (cache.k !== k && !zooming)) {
      cache = this.buildCache(k, dpr, skip, w, h);
    }
    // One drawImage per frame while panning; while a zoom is in progress the last bitmap is
    // scaled (briefly soft) and repainted sharp once the wheel rests.
    const s = k / cache.k;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    if (s === 1) ctx.drawImage(cache.canvas, Math.round(m.e) - pad, Math.round(m.f) - pad);
    else ctx.drawImage(cache.canvas, m.e - pad * s, m.f - pad * s, cache.canvas.width * s, cache.canvas.height * s);
    ctx.setTransform(m);
    if (s !== 1) {
      clearTimeout(this.settleTimer);
      this.settleTimer = setTimeout(() => this.objectLayer.batchDraw(), ZOOM_SETTLE_MS);
    }
  }

  private buildCache(k: number, dpr: number, skip: number | null, w: number, h: number): BoxCache {
    const canvas = this.cache?.canvas ?? document.createElement("canvas");
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const ctx = canvas.getContext("2d")!;
    let pixels = this.cache?.pixels;
    if (!pixels || pixels.width !== w || pixels.height !== h) pixels = ctx.createImageData(w, h);
    // Outlines are written straight into the pixel buffer (a native Uint32Array.fill per row
    // segment): 5,000 boxes in ~2 ms where canvas fillRects took ~10 ms on a software canvas.
    this.writeOutlines(new Uint32Array(pixels.data.buffer), w, h, k, CACHE_PAD, dpr, skip);
    ctx.putImageData(pixels, 0, 0);
    this.paintTags(ctx, k, CACHE_PAD, CACHE_PAD, dpr, this.groupByColour(skip, null));
    this.cacheDirty = false;
    this.cache = { canvas, pixels, k, dpr, skip };
    return this.cache;
  }

  private writeOutlines(
    px: Uint32Array,
    w: number,
    h: number,
    k: number,
    pad: number,
    dpr: number,
    skip: number | null,
  ): void {
    px.fill(0);
    const lw = Math.max(1, Math.round(2 * dpr));
    const off = lw >> 1;
    const rect = (x: number, y: number, rw: number, rh: number, c: number): void => {
      const xa = Math.max(0, x), xb = Math.min(w, x + rw);
      const ya = Math.max(0, y), yb = Math.min(h, y + rh);
      if (xa >= xb) return;
      if (xb - xa <= 4) {
        // Vertical edges: a call per row would cost more than the pixels; plain stores.
        for (let row = ya, i = ya * w; row < yb; row++, i += w) for (let x = xa; x < xb; x++) px[i + x] = c;
      } else for (let row = ya; row < yb; row++) px.fill(c, row * w + xa, row * w + xb);
    };
    for (const [colour, list] of this.groupByColour(skip, null)) {
      const c = rgba32(colour);
      for (const b of list) {
        const x0 = Math.round(b.left * k + pad) - off;
        const y0 = Math.round(b.top * k + pad) - off;
        const bw = Math.max(lw, Math.round((b.left + b.width) * k + pad) - off - x0 + lw);
        const bh = Math.max(lw, Math.round((b.top + b.height) * k + pad) - off - y0 + lw);
        rect(x0, y0, bw, lw, c);
        rect(x0, y0 + bh - lw, bw, lw, c);
        rect(x0, y0 + lw, lw, bh - 2 * lw, c);
        rect(x0 + bw - lw, y0 + lw, lw, bh - 2 * lw, c);
      }
    }
  }

  private groupByColour(skip: number | null, cull: Rect | null): Map<string, Box[]> {
    const byColour = new Map<string, Box[]>();
    for (const b of this.model.boxes) {
      if (b.hidden || b.id === skip) continue;
      if (cull && (b.left > cull.left + cull.width || b.top > cull.top + cull.height)) continue;
      if (cull && (b.left + b.width < cull.left || b.top + b.height < cull.top)) continue;
      // An edit-locked box (editsAllowed: none) is greyed: it is there, but not the worker's to change.
      const colour = b.editLocked ? EDIT_LOCKED_COLOUR : this.colourOf(b.label);
      let list = byColour.get(colour);
      if (!list) byColour.set(colour, (list = []));
      list.push(b);
    }
    return byColour;
  }

  /**
   * Paints the boxes in device pixels: image point p lands at p × k + (ex, ey). Each outline is
   * four fillRects, 2 CSS px thick, on whole device pixels (no anti-aliasing): software canvases
   * (no GPU) rasterise these about three times faster than stroked paths, and lines stay crisp.
   */
  private paintBoxes(
    ctx: CanvasRenderingContext2D,
    k: number,
    ex: number,
    ey: number,
    dpr: number,
    skip: number | null,
    cull: Rect | null,
  ): void {
    const byColour = this.groupByColour(skip, cull);
    const lw = Math.max(1, Math.round(2 * dpr));
    const off = lw >> 1;
    for (const [colour, list] of byColour) {
      ctx.fillStyle = colour;
      for (const b of list) {
        const x0 = Math.round(b.left * k + ex) - off;
        const y0 = Math.round(b.top * k + ey) - off;
        const w = Math.max(lw, Math.round((b.left + b.width) * k + ex) - off - x0 + lw);
        const h = Math.max(lw, Math.round((b.top + b.height) * k + ey) - off - y0 + lw);
        ctx.fillRect(x0, y0, w, lw);
        ctx.fillRect(x0, y0 + h - lw, w, lw);
        ctx.fillRect(x0, y0 + lw, lw, h - 2 * lw);
        ctx.fillRect(x0 + w - lw, y0 + lw, lw, h - 2 * lw);
      }
    }
    this.paintTags(ctx, k, ex, ey, dpr, byColour);
  }

  /** Label tags above each box (inside it at the image's top edge), while there are few boxes. */
  private paintTags(
    ctx: CanvasRenderingContext2D,
    k: number,
    ex: number,
    ey: number,
    dpr: number,
    byColour: Map<string, Box[]>,
  ): void {
    if (this.model.size > LABEL_TEXT_LIMIT) return;
    const off = Math.max(1, Math.round(2 * dpr)) >> 1;
    ctx.font = `600 ${Math.round(11 * dpr)}px system-ui, sans-serif`;
    ctx.textBaseline = "bottom";
    const th = Math.round(15 * dpr);
    for (const [colour, list] of byColour) {
      for (const b of list) {
        if (!b.label) continue;
        const x = Math.round(b.left * k + ex) - off;
        const y = Math.round(b.top * k + ey);
        const top = y - th < 0 ? y : y - th;
        ctx.fillStyle = colour;
        ctx.fillRect(x, top, Math.ceil(ctx.measureText(b.label).width + 8 * dpr), th);
        ctx.fillStyle = "#fff";
        ctx.fillText(b.label, x + 4 * dpr, top + th - 2 * dpr);
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
      const colour = shown.editLocked ? EDIT_LOCKED_COLOUR : this.colourOf(shown.label);
      const isSel = shown.id === this.selectedId;
      ctx.fillStyle = colour + "26"; // a light tint of the label's colour
      ctx.fillRect(r.left, r.top, r.width, r.height);
      ctx.lineWidth = (isSel ? 3 : 2) * px;
      ctx.strokeStyle = colour;
      ctx.strokeRect(r.left, r.top, r.width, r.height);
      this.drawTag(ctx, shown.label, r.left, r.top, colour);
      if (isSel && !isFrozen(shown)) {
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
