import { describe, expect, it } from "vitest";
import type { KeyInput, PointerInput } from "../../src/canvas/controller";
import type { Point } from "../../src/canvas/geometry";
import { parseMaskValue } from "../../src/canvas/mask-codec";
import { MaskController, type MaskViewPort } from "../../src/canvas/mask-controller";
import { MaskModel, type MaskKind } from "../../src/canvas/mask-model";
import { parseMaskLabels } from "../../src/canvas/mask-palette";
import { toScreen, type Viewport } from "../../src/canvas/viewport";

class FakeView implements MaskViewPort {
  viewport: Viewport = { scale: 2, x: 10, y: 20 };
  draft: readonly Point[] | null = null;
  brush: { centre: Point; radius: number } | null = null;
  cursor = "";
  setViewport(v: Viewport): void {
    this.viewport = v;
  }
  containerSize() {
    return { width: 400, height: 300 };
  }
  showBrush(centre: Point | null, radius: number): void {
    this.brush = centre ? { centre, radius } : null;
  }
  showDraft(vertices: readonly Point[] | null): void {
    this.draft = vertices ? [...vertices] : null;
  }
  setCursor(cursor: string): void {
    this.cursor = cursor;
  }
}

function setup(kind: MaskKind = "semantic") {
  const model = new MaskModel(kind, parseMaskLabels(["road", "car"]).labels);
  model.setImageSize(100, 80);
  const view = new FakeView();
  const c = new MaskController(model, view);
  const at = (x: number, y: number, button = 0): PointerInput => ({ image: { x, y }, screen: toScreen(view.viewport, { x, y }), button, shift: false });
  const key = (k: string, mods: Partial<KeyInput> = {}): boolean => c.keyDown({ key: k, ctrl: false, meta: false, shift: false, alt: false, ...mods });
  const click = (x: number, y: number) => {
    c.pointerDown(at(x, y));
    c.pointerUp(at(x, y));
  };
  const drag = (pts: [number, number][]) => {
    c.pointerDown(at(...pts[0]!));
    for (const p of pts.slice(1)) c.pointerMove(at(...p));
    c.pointerUp(at(...pts[pts.length - 1]!));
  };
  return { model, view, c, key, click, drag, at };
}

describe("MaskController", () => {
  it("a brush stroke is one undoable step with the current class; the eraser takes it back", () => {
    const { model, c, key, drag } = setup();
    c.setBrushSize(4);
    c.chooseLabel(1); // the form routes digit hotkeys here
    drag([[10.5, 10.5], [30.5, 10.5], [50.5, 10.5]]);
    const n = model.count(2);
    // Centres within 2 px of the segment y = 10.5, x 10.5..50.5: rows 8 and 12 (2 px off) 41 px
    // each, rows 9 and 11 reach 1.7 px past the ends (43), row 10 2 px (45).
    expect(n).toBe(2 * 41 + 2 * 43 + 45);
    expect(model.history.size).toBe(1);
    key("e");
    drag([[30.5, 5], [30.5, 16]]);
    expect(model.count(2)).toBeLessThan(n);
    expect(key("z", { ctrl: true })).toBe(true);
    expect(model.count(2)).toBe(n);
    key("z", { ctrl: true, shift: true });
    expect(model.count(2)).toBeLessThan(n);
  });

  it("polygon fill: clicks, Enter fills exactly; Backspace and Esc edit the draft", () => {
    const { model, view, key, click } = setup();
    key("p");
    for (const [x, y] of [[10, 10], [30, 10], [70, 70]]) click(x!, y!);
    expect(key("Backspace")).toBe(true); // drops (70, 70)
    for (const [x, y] of [[30, 30], [10, 30]]) click(x!, y!);
    expect(view.draft).toHaveLength(4);
    expect(key("Enter")).toBe(true);
    expect(model.count(1)).toBe(400);
    expect(view.draft).toBeNull();
    // Shift+Enter erases the polygon instead.
    for (const [x, y] of [[10, 10], [20, 10], [20, 20], [10, 20]]) click(x!, y!);
    expect(key("Enter", { shift: true })).toBe(true);
    expect(model.count(1)).toBe(300);
    expect(model.history.undoTitle).toBe("Polygon erase");
    click(50, 50);
    expect(key("Escape")).toBe(true);
    expect(key("Enter")).toBe(false); // nothing drawn: Enter stays the form's submit
  });

  it("a click on the first vertex closes the polygon", () => {
    const { model, c, key, click } = setup();
    key("p");
    c.chooseLabel(1); // the form routes digit hotkeys here
    for (const [x, y] of [[0, 0], [20, 0], [20, 10], [0, 10], [0.5, 0.5]]) click(x!, y!);
    expect(model.count(2)).toBe(200);
  });

  it("fill takes the connected region under the pointer; keep-labelled and hidden classes are not painted over", () => {
    const { model, c, key, click } = setup();
    key("p");
    for (const [x, y] of [[0, 0], [100, 0], [100, 10], [0, 10]]) click(x!, y!);
    key("Enter");
    c.chooseLabel(1); // the form routes digit hotkeys here
    key("g");
    click(50, 50);
    expect(model.count(2)).toBe(100 * 70);
    key("z", { ctrl: true });
    c.setHidden(1, true);
    key("b");
    c.setBrushSize(400);
    click(50, 40); // covers the whole image
    expect(model.count(1)).toBe(1000);
    expect(model.count(2)).toBe(7000);
    c.setHidden(1, false);
    key("e");
    c.setKeepLabelled(true);
    key("b");
    c.chooseLabel(0);
    click(50, 40);
    expect(model.count(1)).toBe(1000); // class 2 is kept
  });

  it("instances: a stroke starts one, N ends it, a label key relabels the selected one, Delete removes it", () => {
    const { model, c, key, drag } = setup("instance");
    c.setBrushSize(6);
    drag([[10, 10], [20, 10]]);
    expect(model.instances.map((i) => [i.id, i.label])).toEqual([[1, "road"]]);
    expect(c.selectedId).toBe(1);
    drag([[10, 30], [20, 30]]); // still instance 1
    expect(model.instances).toHaveLength(1);
    key("n");
    c.chooseLabel(1); // the form routes digit hotkeys here
    drag([[60, 60], [70, 60]]);
    expect(model.instances.map((i) => [i.id, i.label])).toEqual([[1, "road"], [2, "car"]]);
    c.chooseLabel(0); // relabels the selected instance 2
    expect(model.instance(2)!.label).toBe("road");
    key("Delete");
    expect(model.instances.map((i) => i.id)).toEqual([1]);
    expect(model.count(2)).toBe(0);
    key("z", { ctrl: true });
    expect(model.instances.map((i) => i.id)).toEqual([1, 2]);
    // Erasing an instance to nothing removes it from the list.
    key("e");
    c.setBrushSize(40);
    drag([[65, 60], [66, 60]]);
    expect(model.instances.map((i) => i.id)).toEqual([1]);
    // Pick selects the instance under the pointer.
    key("v");
    c.pointerDown(setup().at(15, 10));
    c.pointerUp(setup().at(15, 10));
    expect(c.selectedId).toBe(1);
  });

  it("[ and ] size the brush; space pans; wheel-free zoom keeps the anchor", () => {
    const { c, view, key } = setup();
    const s = c.brushSize;
    key("]");
    expect(c.brushSize).toBe(Math.round(s * 1.25));
    key("[");
    key("[");
    expect(c.brushSize).toBeLessThan(s);
    key(" ");
    c.pointerDown({ image: { x: 0, y: 0 }, screen: { x: 100, y: 100 }, button: 0, shift: false });
    c.pointerMove({ image: { x: 0, y: 0 }, screen: { x: 130, y: 90 }, button: 0, shift: false });
    c.pointerUp({ image: { x: 0, y: 0 }, screen: { x: 130, y: 90 }, button: 0, shift: false });
    expect(view.viewport).toEqual({ scale: 2, x: 40, y: 10 });
    c.keyUp({ key: " ", ctrl: false, meta: false, shift: false, alt: false });
    c.fit();
    expect(view.viewport.scale).toBeCloseTo(Math.min(384 / 100, 284 / 80));
  });
});

describe("parseMaskValue", () => {
  it("reads Ground Truth's output and initial-value shapes and names what is wrong", () => {
    const out = parseMaskValue({ labeledImage: { pngImageData: "iVBORw0KGgo=" }, labelMappings: { car: { color: "#1F77B4" } }, instances: [{ color: "#2ca02c", label: "car" }] });
    expect(out.png).toBe("data:image/png;base64,iVBORw0KGgo=");
    expect([...out.labelMappings]).toEqual([["car", "#1f77b4"]]);
    expect(out.instances).toEqual([{ color: "#2ca02c", label: "car" }]);
    expect(out.problems).toEqual([]);
    expect(parseMaskValue({ src: "https://x.test/m.png", labelMappings: {} }).png).toBe("https://x.test/m.png");
    const bad = parseMaskValue({ labeledImage: { pngImageData: 5 }, labelMappings: { a: { color: "red" } }, instances: [{}] });
    expect(bad.problems).toEqual([
      "labeledImage.pngImageData: expected base64 PNG data",
      'labelMappings.a.color: expected "#rrggbb"',
      'instances[0]: expected {color: "#rrggbb", label}',
    ]);
    const manifest = parseMaskValue({
      src: "https://x.test/m.png",
      "internal-color-map": { "0": { "class-name": "BACKGROUND", "hex-color": "#ffffff" }, "1": { "class-name": "car", "hex-color": "#2ca02c" } },
    });
    expect([...manifest.labelMappings]).toEqual([["car", "#2ca02c"]]);
    expect(manifest.problems).toEqual([]);
    expect(parseMaskValue(null)).toEqual({ png: null, labelMappings: new Map(), instances: [], problems: [] });
    expect(parseMaskValue([1]).problems[0]).toMatch(/expected an object/);
  });
});
