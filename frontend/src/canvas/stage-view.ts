/**
 * What the box, shape and mask views share: a Konva stage over the container with three
 * non-listening layers (the image, the objects or the mask, an overlay; the controllers hit-test
 * themselves), the viewport as the stage's transform, the cursor, brightness/contrast and the
 * container's size. Each view adds what goes into the layers and how it is painted.
 */
import { Layer } from "konva/lib/Layer";
import { Stage } from "konva/lib/Stage";
import type { Point, Size } from "./geometry";
import type { Viewport } from "./viewport";

export abstract class StageView {
  readonly stage: Stage;
  protected readonly imageLayer = new Layer({ listening: false });
  /** The layer every object is painted in (one custom shape). */
  protected readonly objectLayer = new Layer({ listening: false });
  protected readonly overlayLayer = new Layer({ listening: false });
  protected _viewport: Viewport = { scale: 1, x: 0, y: 0 };

  constructor(protected readonly container: HTMLDivElement) {
    this.stage = new Stage({
      container,
      width: Math.max(1, container.clientWidth),
      height: Math.max(1, container.clientHeight),
      listening: false,
    });
  }

  /** Adds the three layers, bottom to top (after the subclass has filled them). */
  protected addLayers(): void {
    this.stage.add(this.imageLayer, this.objectLayer, this.overlayLayer);
  }

  get viewport(): Viewport {
    return this._viewport;
  }

  /** The stage takes the viewport as its transform; one redraw a frame. */
  protected applyViewport(v: Viewport): void {
    this._viewport = v;
    this.stage.scale({ x: v.scale, y: v.scale });
    this.stage.position({ x: v.x, y: v.y });
    this.stage.batchDraw();
  }

  containerSize(): Size {
    return { width: this.stage.width(), height: this.stage.height() };
  }

  setCursor(cursor: string): void {
    this.container.style.cursor = cursor;
  }

  /**
   * Brightness and contrast (1 = as is) as a CSS filter on the image layer's canvas: the
   * compositor applies it, so it costs no repaint, even on a 100-megapixel image.
   */
  setImageAdjust(brightness: number, contrast: number): void {
    const el = this.imageLayer.getCanvas()._canvas;
    el.style.filter = brightness === 1 && contrast === 1 ? "" : `brightness(${brightness}) contrast(${contrast})`;
  }

  resize(size: Size): void {
    this.stage.size({ width: Math.max(1, size.width), height: Math.max(1, size.height) });
    this.stage.batchDraw();
  }

  /** Container (CSS) pixels under a client (viewport) position. */
  clientToStage(clientX: number, clientY: number): Point {
    const r = this.container.getBoundingClientRect();
    return { x: clientX - r.left, y: clientY - r.top };
  }

  /** One screen pixel in image pixels at the current zoom. */
  protected get px(): number {
    return 1 / this._viewport.scale;
  }
}
