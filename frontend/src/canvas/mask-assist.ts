/**
 * Assisted mask tools, through the labeling page's assists (lib/assist-client.ts,
 * docs/assist.md): a superpixel brush (the "slic" assist cuts the image into segments once; a
 * stroke paints every segment it touches, whole) and auto-segmentation from a box (the
 * "grabcut" assist returns a mask; its pixels are painted in one step). Both paint with the
 * current class / instance like any tool, so undo, hide and keep-labelled apply.
 * Outside the labeling page no assist is offered and these tools are not shown.
 */
import { assist, type AssistResult } from "../lib/assist-client";
import { CLICK_SLOP_PX, type PointerInput } from "./controller";
import type { Point } from "./geometry";
import type { MaskController } from "./mask-controller";
import { SpanList, capsuleSpans } from "./mask-raster";
import type { MaskTool } from "./mask-tools";

/** Decoded pixels of an assist's PNG. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

export type DecodeRgba = (png: string) => Promise<Rgba>;
export type RunAssist = (name: string, params: Record<string, unknown>) => Promise<AssistResult>;

/** The pixels of a "mask" region: any of R, G, B above 0. */
export function maskRegionSpans(rgba: Rgba): SpanList {
  const out = new SpanList();
  const { width, height, data } = rgba;
  for (let y = 0; y < height; y++) {
    let start = -1;
    for (let x = 0; x <= width; x++) {
      const o = (y * width + x) * 4;
      const inside = x < width && (data[o]! > 0 || data[o + 1]! > 0 || data[o + 2]! > 0);
      if (inside && start < 0) start = x;
      else if (!inside && start >= 0) {
        out.push(y, start, x - 1);
        start = -1;
      }
    }
  }
  return out;
}

/**
 * A superpixel segmentation: the segment of each pixel (id = r + 256 g + 65536 b of the
 * assist's PNG) and, per segment, its runs of pixels, so painting a segment is a list of spans.
 */
export class Superpixels {
  readonly ids: Uint32Array;
  /** Runs (y, x0, x1) grouped by segment: segment s owns runs starts[s] .. starts[s + 1] − 1. */
  private readonly runs: Int32Array;
  private readonly starts: Uint32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    ids: Uint32Array,
  ) {
    this.ids = ids;
    let max = 0;
    for (let i = 0; i < ids.length; i++) if (ids[i]! > max) max = ids[i]!;
    // Two passes over the rows: count runs per segment, then place them.
    const counts = new Uint32Array(max + 2);
    this.eachRun((s) => counts[s + 1]!++);
    for (let s = 1; s < counts.length; s++) counts[s]! += counts[s - 1]!;
    this.starts = counts.slice();
    const fill = counts.slice();
    this.runs = new Int32Array(3 * counts[counts.length - 1]!);
    this.eachRun((s, y, x0, x1) => {
      const k = 3 * fill[s]!++;
      this.runs[k] = y;
      this.runs[k + 1] = x0;
      this.runs[k + 2] = x1;
    });
  }

  static fromRgba(rgba: Rgba): Superpixels {
    const n = rgba.width * rgba.height;
    const ids = new Uint32Array(n);
    const d = rgba.data;
    for (let i = 0; i < n; i++) ids[i] = d[i * 4]! + 256 * d[i * 4 + 1]! + 65536 * d[i * 4 + 2]!;
    return new Superpixels(rgba.width, rgba.height, ids);
  }

  private eachRun(fn: (segment: number, y: number, x0: number, x1: number) => void): void {
    const { width, height, ids } = this;
    for (let y = 0; y < height; y++) {
      let x = 0;
      while (x < width) {
        const s = ids[y * width + x]!;
        const x0 = x;
        while (x < width && ids[y * width + x] === s) x++;
        fn(s, y, x0, x - 1);
      }
    }
  }

  get segmentCount(): number {
    return this.starts.length - 1;
  }

  /** Adds segment `s`'s runs to `out`. */
  addSpans(s: number, out: SpanList): void {
    for (let k = this.starts[s]!, end = this.starts[s + 1]!; k < end; k++) out.push(this.runs[3 * k]!, this.runs[3 * k + 1]!, this.runs[3 * k + 2]!);
  }

  /** The segments under the given pixels. */
  segmentsUnder(spans: SpanList): Set<number> {
    const found = new Set<number>();
    for (let i = 0; i < spans.length; i++) {
      const row = spans.y(i) * this.width;
      for (let x = spans.x0(i); x <= spans.x1(i); x++) found.add(this.ids[row + x]!);
    }
    return found;
  }
}

/** What the assisted tools need besides the controller. */
export class MaskAssists {
  private superpixels: Promise<Superpixels | null> | null = null;
  private _loaded: Superpixels | null = null;
  /** Assists the project offers on this task (set once the page answers). */
  available = new Set<string>();

  constructor(
    private readonly c: MaskController,
    public decode: DecodeRgba,
    public run: RunAssist = assist,
  ) {}

  /** The superpixels, when computed already. */
  get loaded(): Superpixels | null {
    return this._loaded;
  }

  /** The image's superpixels, computed once by the "slic" assist; null (with a message) when it fails. */
  segments(): Promise<Superpixels | null> {
    this.superpixels ??= this.run("slic", {})
      .then(async (result) => {
        const region = result.regions.find((r) => r.kind === "superpixels");
        if (!region || region.kind !== "superpixels") throw new Error("the slic assist returned no superpixels");
        const sp = Superpixels.fromRgba(await this.decode(region.png));
        const m = this.c.model;
        if (sp.width !== m.width || sp.height !== m.height) throw new Error(`superpixels are ${sp.width}×${sp.height}, the image ${m.width}×${m.height}`);
        this._loaded = sp;
        return sp;
      })
      .catch((e: Error) => {
        this.superpixels = null; // try again on the next stroke
        this.c.emit({ kind: "message", text: `Superpixels: ${e.message}` });
        return null;
      });
    return this.superpixels;
  }

  /** Forgets the superpixels (a new image). */
  reset(): void {
    this.superpixels = null;
    this._loaded = null;
  }
}

/** Superpixel brush: a stroke paints every superpixel it touches, whole. One step per stroke. */
export class SuperpixelTool implements MaskTool {
  readonly name = "superpixel" as const;
  readonly cursor = "none";
  private last: Point | null = null;
  private value = 0;
  private sp: Superpixels | null = null;
  private done = new Set<number>();

  constructor(
    private readonly c: MaskController,
    private readonly assists: MaskAssists,
  ) {}

  down(p: PointerInput): void {
    if (p.button !== 0) return;
    this.sp = this.assists.loaded;
    if (!this.sp) {
      // The segmentation is computed once (on choosing the tool, or now); the worker paints when it is there.
      this.c.emit({ kind: "message", text: "Computing superpixels…" });
      void this.assists.segments().then((sp) => {
        if (sp) this.c.emit({ kind: "message", text: `Superpixels ready (${sp.segmentCount}): paint.` });
      });
      return;
    }
    const m = this.c.model;
    m.begin("Superpixel brush");
    const value = this.c.targetValue();
    if (value === null) {
      m.abort();
      return;
    }
    this.value = value;
    this.done = new Set();
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
    const sp = this.sp;
    if (!sp) return;
    const m = this.c.model;
    const spans = new SpanList();
    for (const s of sp.segmentsUnder(capsuleSpans(a, b, this.c.brushSize / 2, m.width, m.height))) {
      if (this.done.has(s)) continue;
      this.done.add(s);
      sp.addSpans(s, spans);
    }
    if (spans.length) m.paint(spans, this.value);
  }
}

/**
 * Auto (GrabCut): drag a box round an object, or click its four extreme points (leftmost,
 * topmost, rightmost, bottommost, any order); the "grabcut" assist's mask is painted in one step.
 */
export class GrabCutTool implements MaskTool {
  readonly name = "grabcut" as const;
  readonly cursor = "crosshair";
  private start: PointerInput | null = null;
  private points: Point[] = [];
  private busy = false;

  constructor(
    private readonly c: MaskController,
    private readonly assists: MaskAssists,
  ) {}

  down(p: PointerInput): void {
    if (p.button === 0 && !this.busy) this.start = p;
  }

  move(p: PointerInput): void {
    if (!this.start || this.isClick(this.start, p)) return;
    const a = this.start.image, b = p.image;
    this.c.view.showDraft([a, { x: b.x, y: a.y }, b, { x: a.x, y: b.y }], null);
  }

  private isClick(a: PointerInput, b: PointerInput): boolean {
    return Math.abs(a.screen.x - b.screen.x) < CLICK_SLOP_PX && Math.abs(a.screen.y - b.screen.y) < CLICK_SLOP_PX;
  }

  up(p: PointerInput): void {
    const start = this.start;
    this.start = null;
    if (!start) return;
    const m = this.c.model;
    const clamp = (v: number, hi: number): number => Math.max(0, Math.min(hi, v));
    if (this.isClick(start, p)) {
      // An extreme point; the fourth runs the assist.
      this.points.push({ x: clamp(p.image.x, m.width), y: clamp(p.image.y, m.height) });
      if (this.points.length < 4) {
        this.c.view.showDraft(this.points, null);
        return;
      }
      const points = this.points.map((q) => ({ x: Math.round(q.x), y: Math.round(q.y) }));
      this.points = [];
      this.c.view.showDraft(null, null);
      this.segment({ points });
      return;
    }
    this.points = [];
    this.c.view.showDraft(null, null);
    const left = clamp(Math.min(start.image.x, p.image.x), m.width), top = clamp(Math.min(start.image.y, p.image.y), m.height);
    const right = clamp(Math.max(start.image.x, p.image.x), m.width), bottom = clamp(Math.max(start.image.y, p.image.y), m.height);
    const box = { left: Math.round(left), top: Math.round(top), width: Math.round(right - left), height: Math.round(bottom - top) };
    if (box.width >= 2 && box.height >= 2) this.segment({ box });
  }

  private segment(params: Record<string, unknown>): void {
    const m = this.c.model;
    this.busy = true;
    this.c.emit({ kind: "message", text: "Segmenting…" });
    void this.assists
      .run("grabcut", params)
      .then(async (result) => {
        const region = result.regions.find((r) => r.kind === "mask");
        if (!region || region.kind !== "mask") throw new Error("the grabcut assist returned no mask");
        const rgba = await this.assists.decode(region.png);
        if (rgba.width !== m.width || rgba.height !== m.height) throw new Error(`its mask is ${rgba.width}×${rgba.height}, the image ${m.width}×${m.height}`);
        m.begin("Auto (GrabCut)");
        const value = this.c.targetValue();
        if (value === null) return m.abort();
        this.c.protectFor(value);
        m.paint(maskRegionSpans(rgba), value);
        this.c.finishStep();
        this.c.emit({ kind: "message", text: `GrabCut (${result.model}, ${result.seconds.toFixed(1)} s): check and correct the region.` });
      })
      .catch((e: Error) => this.c.emit({ kind: "message", text: `Auto segmentation: ${e.message}` }))
      .finally(() => (this.busy = false));
  }

  /** Drops the extreme points clicked so far (Esc). */
  discard(): boolean {
    if (!this.points.length) return false;
    this.points = [];
    this.c.view.showDraft(null, null);
    return true;
  }

  cancel(): void {
    this.start = null;
    this.c.view.showDraft(this.points.length ? this.points : null, null);
  }
}
