/**
 * A layer's content painted once into a bitmap at one zoom, so that a pan step is one unscaled
 * `drawImage` instead of a repaint (a downscaled photo and 2,000 filled polygons cost ~10 ms
 * each per frame on a software canvas; the blit a few ms). Used only while the whole image,
 * at the current zoom, fits in `MAX_BITMAP_PX` a side and `MAX_BITMAP_AREA`; zoomed in
 * further, the caller paints directly (and culls).
 *
 * During a wheel burst the last bitmap is drawn scaled (slightly soft) and repainted sharp
 * `SETTLE_MS` after the last notch, as the box view does.
 */
import type { Size } from "./geometry";

/** Largest bitmap side and area (device px): 4096 × 2048 is 32 MiB. */
export const MAX_BITMAP_PX = 4096;
export const MAX_BITMAP_AREA = 4096 * 2048;
export const SETTLE_MS = 150;

export class ScaledBitmap {
  private readonly canvas = document.createElement("canvas");
  private key: string | null = null;
  private scale = 0;
  private ratio = 1;

  constructor(
    /** Screen px around the image that the bitmap covers too (label tags above a shape at the top edge). */
    private readonly margin: number,
  ) {}

  /** Forgets the bitmap (the next draw repaints). */
  invalidate(): void {
    this.key = null;
  }

  /** Frees the pixels (the editor is going away). */
  release(): void {
    this.canvas.width = this.canvas.height = 0;
    this.key = null;
  }

  /**
   * Draws the content into `ctx` (which has the stage transform: image px) from the bitmap,
   * repainting it with `paint` (called with a context in image px at `scale`) when `key`
   * changed or the zoom changed and the wheel burst is over (`zooming` false). Returns false
   * when the image is too large at this zoom for a bitmap: the caller paints directly.
   */
  draw(
    ctx: CanvasRenderingContext2D,
    image: Size,
    scale: number,
    key: string,
    zooming: boolean,
    paint: (c: CanvasRenderingContext2D) => void,
  ): boolean {
    const ratio = window.devicePixelRatio || 1;
    const m = this.margin;
    const w = Math.ceil((image.width * scale + 2 * m) * ratio);
    const h = Math.ceil((image.height * scale + 2 * m) * ratio);
    if (!image.width || !image.height || w > MAX_BITMAP_PX || h > MAX_BITMAP_PX || w * h > MAX_BITMAP_AREA) {
      if (!zooming) this.key = null;
      return false;
    }
    const stale = this.key !== key || this.scale !== scale || this.ratio !== ratio;
    const usable = this.key === key && this.ratio === ratio && this.scale > 0;
    if (stale && !(zooming && usable)) {
      if (this.canvas.width !== w || this.canvas.height !== h) {
        this.canvas.width = w;
        this.canvas.height = h;
      }
      const c = this.canvas.getContext("2d")!;
      c.setTransform(1, 0, 0, 1, 0, 0);
      c.clearRect(0, 0, w, h);
      c.setTransform(scale * ratio, 0, 0, scale * ratio, m * ratio, m * ratio);
      paint(c);
      this.key = key;
      this.scale = scale;
      this.ratio = ratio;
    }
    // In image px: the bitmap's origin is `margin` screen px (at its own scale) up and left of the image's.
    const s = this.scale;
    ctx.drawImage(this.canvas, -m / s, -m / s, this.canvas.width / (s * this.ratio), this.canvas.height / (s * this.ratio));
    return true;
  }
}
