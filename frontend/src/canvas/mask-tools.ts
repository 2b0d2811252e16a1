/**
 * The mask tools, one handler per tool: brush and eraser (round, dragged segments rasterised
 * as capsules), polygon fill, magic wand (flood fill of similar image colour), fill (flood fill
 * of the label map's region under the pointer), pick (select an instance / a class under the
 * pointer). `MaskController` (mask-controller.ts) owns them; every gesture is one model step.
 */
import { CLICK_SLOP_PX, HANDLE_RADIUS_PX, type PointerInput } from "./controller";
import type { Point } from "./geometry";
import { maskRegionSpans } from "./mask-assist";
import type { MaskController, MaskToolName } from "./mask-controller";
import { SpanList, capsuleSpans, floodSpans, polygonSpans, similarColour } from "./mask-raster";

export interface MaskTool {
  readonly name: MaskToolName;
  readonly cursor: string;
  down(p: PointerInput): void;
  move(p: PointerInput): void;
  up(p: PointerInput): void;
  cancel(): void;
  /** The pointer moves with no button down (the brush outline follows it). */
  hover?(p: PointerInput): void;
}

function isClick(a: Point, b: Point): boolean {
  return Math.abs(a.x - b.x) < CLICK_SLOP_PX && Math.abs(a.y - b.y) < CLICK_SLOP_PX;
}

/** Brush (paints the current class / instance) or eraser (paints 0): one step per stroke. */
export class BrushTool implements MaskTool {
  readonly cursor = "none";
  private last: Point | null = null;
  private value = 0;

  constructor(
    private readonly c: MaskController,
    readonly name: "brush" | "eraser",
  ) {}

  down(p: PointerInput): void {
    if (p.button !== 0) return;
    const m = this.c.model;
    m.begin(this.name === "brush" ? "Brush stroke" : "Erase");
    const value = this.name === "eraser" ? 0 : this.c.targetValue();
    if (value === null) {
      m.abort();
      return;
    }
    this.value = value;
    this.c.protectFor(value);
    this.last = p.image;
    this.stamp(p.image, p.image);
  }

  move(p: PointerInput): void {
    this.hover(p);
    if (!this.last) return;
    this.stamp(this.last, p.image);
    this.last = p.image;
  }

  up(): void {
    if (!this.last) return;
    this.last = null;
    this.c.finishStep();
  }

  cancel(): void {
    if (this.last) this.c.model.abort();
    this.last = null;
  }

  hover(p: PointerInput): void {
    this.c.view.showBrush(p.image, this.c.brushSize / 2);
  }

  private stamp(a: Point, b: Point): void {
    const m = this.c.model;
    m.paint(capsuleSpans(a, b, this.c.brushSize / 2, m.width, m.height), this.value);
  }
}

/** Polygon fill: clicks add vertices; the first vertex, a double click or Enter fills the polygon. */
export class PolygonFillTool implements MaskTool {
  readonly name = "polygon" as const;
  readonly cursor = "crosshair";
  private vertices: Point[] = [];
  private start: PointerInput | null = null;
  private pointer: Point | null = null;

  constructor(private readonly c: MaskController) {}

  get drafting(): boolean {
    return this.vertices.length > 0;
  }

  get draft(): readonly Point[] {
    return this.vertices;
  }

  down(p: PointerInput): void {
    if (p.button === 0) this.start = p;
  }

  move(p: PointerInput): void {
    this.hover(p);
  }

  hover(p: PointerInput): void {
    this.pointer = p.image;
    if (this.vertices.length) this.c.view.showDraft(this.vertices, this.pointer);
  }

  up(p: PointerInput): void {
    const start = this.start;
    this.start = null;
    if (!start || !isClick(start.screen, p.screen)) return;
    const near = (q: Point): boolean =>
      Math.hypot(q.x - p.image.x, q.y - p.image.y) * this.c.view.viewport.scale <= HANDLE_RADIUS_PX;
    const n = this.vertices.length;
    if (n >= 3 && (near(this.vertices[0]!) || near(this.vertices[n - 1]!))) {
      this.close(p.shift);
      return;
    }
    if (n && near(this.vertices[n - 1]!)) return; // the second click of a double click on too few points
    const m = this.c.model;
    this.vertices.push({ x: Math.max(0, Math.min(m.width, p.image.x)), y: Math.max(0, Math.min(m.height, p.image.y)) });
    this.c.view.showDraft(this.vertices, this.pointer);
    this.c.draftChanged();
  }

  /** Fills the polygon being drawn (≥ 3 vertices) with the current class / instance, or erases it (`erase`: Shift). */
  close(erase = false): boolean {
    if (this.vertices.length < 3) return false;
    const pts = this.vertices;
    this.vertices = [];
    this.c.view.showDraft(null, null);
    const m = this.c.model;
    m.begin(erase ? "Polygon erase" : "Polygon fill");
    const value = erase ? 0 : this.c.targetValue();
    if (value === null) m.abort();
    else {
      this.c.protectFor(value);
      m.paint(polygonSpans(pts, m.width, m.height), value);
      this.c.finishStep();
    }
    this.c.draftChanged();
    return true;
  }

  removeLast(): boolean {
    if (!this.vertices.length) return false;
    this.vertices.pop();
    this.c.view.showDraft(this.vertices.length ? this.vertices : null, this.pointer);
    this.c.draftChanged();
    return true;
  }

  /** Drops the polygon being drawn. */
  discard(): boolean {
    if (!this.vertices.length) return false;
    this.vertices = [];
    this.c.view.showDraft(null, null);
    this.c.draftChanged();
    return true;
  }

  cancel(): void {
    this.start = null;
  }
}

/** A click-only tool: acts on release when the pointer did not travel. */
abstract class ClickTool implements MaskTool {
  abstract readonly name: MaskToolName;
  readonly cursor: string = "crosshair";
  private start: PointerInput | null = null;

  constructor(protected readonly c: MaskController) {}

  down(p: PointerInput): void {
    if (p.button === 0) this.start = p;
  }
  move(): void {}
  up(p: PointerInput): void {
    const start = this.start;
    this.start = null;
    if (start && isClick(start.screen, p.screen)) this.click(p);
  }
  cancel(): void {
    this.start = null;
  }
  protected abstract click(p: PointerInput): void;
}

/** Fill: the 4-connected region of the label map holding the value under the pointer (e.g. an unlabeled hole). */
export class FillTool extends ClickTool {
  readonly name = "fill" as const;

  protected click(p: PointerInput): void {
    const m = this.c.model;
    const x = Math.floor(p.image.x), y = Math.floor(p.image.y);
    if (x < 0 || y < 0 || x >= m.width || y >= m.height) return;
    const data = m.data;
    const seed = data[y * m.width + x]!;
    m.begin("Fill");
    const value = this.c.targetValue();
    if (value === null || value === seed) {
      m.abort();
      return;
    }
    this.c.protectFor(value);
    m.paint(floodSpans(m.width, m.height, x, y, (i) => data[i] === seed), value);
    this.c.finishStep();
  }
}

/** Magic wand: the 4-connected region of the IMAGE whose colour is within the tolerance of the clicked pixel's. */
export class WandTool extends ClickTool {
  readonly name = "wand" as const;
  private busy = false;

  protected click(p: PointerInput): void {
    if (this.busy) return;
    const m = this.c.model;
    const x = Math.floor(p.image.x), y = Math.floor(p.image.y);
    if (x < 0 || y < 0 || x >= m.width || y >= m.height) return;
    this.busy = true;
    void this.c
      .imagePixels()
      .then(async (pixels) => {
        if (pixels) return this.fill(floodSpans(m.width, m.height, x, y, similarColour(pixels.data, y * m.width + x, this.c.tolerance)));
        // The frame may not read the image (served without CORS): the server's wand, when offered.
        const assists = this.c.assists;
        if (!assists.available.has("magic-wand")) {
          this.c.emit({ kind: "message", text: "The magic wand cannot read this image's pixels (it is served without CORS); use the brush or polygon fill." });
          return;
        }
        const result = await assists.run("magic-wand", { x, y, tolerance: this.c.tolerance });
        const region = result.regions.find((r) => r.kind === "mask");
        if (!region || region.kind !== "mask") throw new Error("the magic-wand assist returned no mask");
        const rgba = await assists.decode(region.png);
        if (rgba.width !== m.width || rgba.height !== m.height) throw new Error(`its mask is ${rgba.width}×${rgba.height}, the image ${m.width}×${m.height}`);
        this.fill(maskRegionSpans(rgba));
      })
      .catch((e: Error) => this.c.emit({ kind: "message", text: `Magic wand: ${e.message}` }))
      .finally(() => (this.busy = false));
  }

  private fill(spans: SpanList): void {
    const m = this.c.model;
    m.begin("Magic wand");
    const value = this.c.targetValue();
    if (value === null) {
      m.abort();
      return;
    }
    this.c.protectFor(value);
    m.paint(spans, value);
    this.c.finishStep();
  }
}

/** Pick: selects the instance under the pointer (instance masks) or makes its class current (semantic). */
export class PickTool extends ClickTool {
  readonly name = "pick" as const;
  override readonly cursor = "default";

  protected click(p: PointerInput): void {
    this.c.pickAt(p.image);
  }
}
