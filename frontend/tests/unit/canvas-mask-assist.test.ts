import { afterEach, describe, expect, it } from "vitest";
import type { PointerInput } from "../../src/canvas/controller";
import type { Point } from "../../src/canvas/geometry";
import { Superpixels, maskRegionSpans, type Rgba } from "../../src/canvas/mask-assist";
import { MaskController, type MaskViewPort } from "../../src/canvas/mask-controller";
import { MaskModel } from "../../src/canvas/mask-model";
import { parseMaskLabels } from "../../src/canvas/mask-palette";
import { toScreen, type Viewport } from "../../src/canvas/viewport";
import { setAssistTransport } from "../../src/lib/assist-client";
import type { JsonObject, JsonValue } from "../../src/lib/json";

const W = 40, H = 30;

/** RGBA where pixel (x, y) gets `colour(x, y)` as [r, g, b]. */
function rgba(colour: (x: number, y: number) => [number, number, number]): Rgba {
  const data = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.set([...colour(x, y), 255], (y * W + x) * 4);
  return { width: W, height: H, data };
}

// Four superpixels: quadrants split at x = 20, y = 15 (ids 0..3 in r, one in g to check 256 g).
const QUADRANTS = rgba((x, y) => (x < 20 ? (y < 15 ? [0, 0, 0] : [1, 0, 0]) : y < 15 ? [2, 0, 0] : [0, 1, 0]));
// A GrabCut mask: the rectangle x 5..14, y 4..11 (10 × 8 = 80 px).
const MASK = rgba((x, y) => (x >= 5 && x < 15 && y >= 4 && y < 12 ? [255, 255, 255] : [0, 0, 0]));

class FakeView implements MaskViewPort {
  viewport: Viewport = { scale: 4, x: 0, y: 0 };
  draft: readonly Point[] | null = null;
  setViewport(v: Viewport): void {
    this.viewport = v;
  }
  containerSize() {
    return { width: 400, height: 300 };
  }
  showBrush(): void {}
  showDraft(vertices: readonly Point[] | null): void {
    this.draft = vertices;
  }
  setCursor(): void {}
}

afterEach(() => setAssistTransport(null));

const tick = () => new Promise((r) => setTimeout(r, 0));

function setup() {
  const model = new MaskModel("semantic", parseMaskLabels(["a", "b"]).labels);
  model.setImageSize(W, H);
  const view = new FakeView();
  const c = new MaskController(model, view);
  c.assists.decode = async (png) => ({ quadrants: QUADRANTS, mask: MASK })[png as "quadrants" | "mask"];
  const calls: [string | null, JsonObject][] = [];
  setAssistTransport(async (name, params): Promise<JsonValue> => {
    calls.push([name, params]);
    const region: JsonObject = name === "slic"
      ? { kind: "superpixels", width: W, height: H, png: "quadrants", count: 4, source: "model" }
      : { kind: "mask", width: W, height: H, png: "mask", source: "model" };
    return { assist: name ?? "", model: "opencv", seconds: 0.1, regions: [region] };
  });
  const at = (x: number, y: number): PointerInput => ({ image: { x, y }, screen: toScreen(view.viewport, { x, y }), button: 0, shift: false });
  const key = (k: string) => c.keyDown({ key: k, ctrl: false, meta: false, shift: false, alt: false });
  return { model, view, c, at, key, calls };
}

describe("assisted mask tools", () => {
  it("reads mask regions and superpixel segments", () => {
    expect(maskRegionSpans(MASK).area).toBe(80);
    const sp = Superpixels.fromRgba(QUADRANTS);
    expect(sp.segmentCount).toBe(257);
    const spans = sp.segmentsUnder(maskRegionSpans(MASK));
    expect([...spans]).toEqual([0]);
    const out = maskRegionSpans({ width: 1, height: 1, data: new Uint8Array(4) });
    sp.addSpans(256, out);
    expect(out.area).toBe(20 * 15);
  });

  it("are offered only when the page offers their assists", () => {
    const { c, key } = setup();
    expect(key("u")).toBe(false);
    c.setAvailableAssists(["slic", "grabcut"]);
    expect(key("u")).toBe(true);
    expect(c.tool).toBe("superpixel");
  });

  it("the superpixel brush paints every segment it touches, whole, in one step", async () => {
    const { model, c, at, key, calls } = setup();
    c.setAvailableAssists(["slic"]);
    key("u");
    await tick();
    await tick();
    expect(calls).toEqual([["slic", {}]]);
    c.setBrushSize(2);
    c.pointerDown(at(5, 5));
    c.pointerMove(at(25, 5)); // crosses from segment 0 into segment 2
    c.pointerUp(at(25, 5));
    expect(model.count(1)).toBe(2 * 20 * 15);
    expect(model.history.size).toBe(1);
    c.undo();
    expect(model.count(1)).toBe(0);
  });

  it("auto from a box sends the box and paints the returned mask", async () => {
    const { model, view, c, at, key, calls } = setup();
    c.setAvailableAssists(["grabcut"]);
    c.chooseLabel(1);
    key("a");
    c.pointerDown(at(3, 2));
    c.pointerMove(at(17.4, 13));
    expect(view.draft).toHaveLength(4);
    c.pointerUp(at(17.4, 13));
    expect(view.draft).toBeNull();
    for (let i = 0; i < 5 && !model.count(2); i++) await tick();
    expect(calls).toEqual([["grabcut", { box: { left: 3, top: 2, width: 14, height: 11 } }]]);
    expect(model.count(2)).toBe(80);
    expect(model.history.undoTitle).toBe("Auto (GrabCut)");
  });

  it("the magic wand asks the server when the frame cannot read the image, and says so when none is offered", async () => {
    const { model, c, at, calls } = setup();
    const messages: string[] = [];
    c.subscribe((e) => e.kind === "message" && messages.push(e.text));
    c.imagePixels = async () => null; // an image served without CORS
    c.setTool("wand");
    c.setTolerance(20);
    c.pointerDown(at(8.5, 6.5));
    c.pointerUp(at(8.5, 6.5));
    for (let i = 0; i < 5; i++) await tick();
    expect(messages[0]).toMatch(/cannot read this image's pixels/);
    expect(calls).toEqual([]);
    c.setAvailableAssists(["magic-wand"]);
    c.pointerDown(at(8.5, 6.5));
    c.pointerUp(at(8.5, 6.5));
    for (let i = 0; i < 5 && !model.count(1); i++) await tick();
    expect(calls).toEqual([["magic-wand", { x: 8, y: 6, tolerance: 20 }]]);
    expect(model.count(1)).toBe(80);
  });

  it("auto from four extreme points sends them after the fourth click", async () => {
    const { model, view, c, at, key, calls } = setup();
    c.setAvailableAssists(["grabcut"]);
    key("a");
    const clickAt = (x: number, y: number) => {
      c.pointerDown(at(x, y));
      c.pointerUp(at(x, y));
    };
    clickAt(5, 8);
    clickAt(10, 4);
    expect(key("Escape")).toBe(true); // drops the points
    expect(view.draft).toBeNull();
    for (const [x, y] of [[5, 8], [10, 4], [14.6, 7], [9, 11]] as const) clickAt(x, y);
    for (let i = 0; i < 5 && !model.count(1); i++) await tick();
    expect(calls).toEqual([["grabcut", { points: [{ x: 5, y: 8 }, { x: 10, y: 4 }, { x: 15, y: 7 }, { x: 9, y: 11 }] }]]);
    expect(model.count(1)).toBe(80);
  });
});
