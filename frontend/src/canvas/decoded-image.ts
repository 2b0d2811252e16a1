/**
 * Large images decoded once, whole. Chromium decodes an `<img>` drawn on a canvas lazily, on the
 * main thread, at the smallest power-of-two scale the draw needs (1/8, 1/4, 1/2, 1): a 100 MP
 * JPEG opens fast at fit, but the zoom notch that first needs the next scale stalls for the
 * decode (0.1 s, 0.3 s, then 0.6–2.6 s for full size on the shared test machine). An
 * `ImageBitmap` of the whole image is decoded once (one ~0.6 s task, started after the image
 * is first shown, so the worker sees it at once) and is never re-decoded, and a notch then costs
 * what any other does. Measured in bench/image_editor_ui.py (`image-100mp`).
 */

/** Above this many pixels an image is decoded whole into an `ImageBitmap` (a 4000 × 4000 photo is below). */
export const DECODE_WHOLE_PX = 24_000_000;

export class DecodedImage {
  private bitmap: ImageBitmap | null = null;
  private token = 0;

  /** The best source to draw `img` from: its whole decoded bitmap once there, else the element. */
  source(img: HTMLImageElement): CanvasImageSource {
    return this.bitmap ?? img;
  }

  /**
   * For a large `img`, starts its whole decode after the next frame; `ready` is called when the
   * bitmap is there (the caller redraws). A later `watch` or `release` drops an earlier one.
   */
  watch(img: HTMLImageElement | null, ready: () => void): void {
    this.release();
    const token = this.token;
    if (!img || img.naturalWidth * img.naturalHeight <= DECODE_WHOLE_PX || typeof createImageBitmap !== "function") return;
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (token !== this.token) return;
        createImageBitmap(img).then(
          (bm) => {
            if (token !== this.token) {
              bm.close();
              return;
            }
            this.bitmap = bm;
            ready();
          },
          () => {
            // Out of memory or an undecodable image: the element itself is drawn, as before.
          },
        );
      }, 0),
    );
  }

  /** Frees the bitmap (a new image, the editor going away). */
  release(): void {
    this.token++;
    this.bitmap?.close();
    this.bitmap = null;
  }
}
