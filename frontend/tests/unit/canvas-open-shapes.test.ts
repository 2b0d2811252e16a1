/** Open shapes (polylines, lines) on the shape model and controller: drawing, editing, output. */
import { describe, expect, it } from "vitest";
import type { KeyInput, PointerInput } from "../../src/canvas/controller";
import type { Point } from "../../src/canvas/geometry";
import { ShapeController, type ShapeViewPort } from "../../src/canvas/shape-controller";
import { ShapeModel, parseLines, parsePolylines, type ShapeKind } from "../../src/canvas/shapes";
import { toScreen, type Viewport } from "../../src/canvas/viewport";

class FakeView implements ShapeViewPort {
  viewport: Viewport = { scale: 2, x: 10, y: 20 };
  draft: readonly Point[] | null = null;
  preview: readonly Point[] | null = null;
  setViewport(v: Viewport): void {
    this.viewport = v;
  }
  containerSize() {
    return { width: 400, height: 300 };
  }
  showDraft(vertices: readonly Point[] | null): void {
    this.draft = vertices ? [...vertices] : null;
  }
  showPreview(_id: number, points: readonly Point[] | null): void {
    this.preview = points;
  }
  setCursor(): void {}
}

function setup(kind: ShapeKind, labels = ["road", "kerb"]) {
  const model = new ShapeModel();
  model.setImageSize({ width: 800, height: 500 });
  const view = new FakeView();
  const c = new ShapeController(model, view, labels, kind);
  const at = (x: number, y: number, shift = false): PointerInput => ({ image: { x, y }, screen: toScreen(view.viewport, { x, y }), button: 0, shift });
  const click = (x: number, y: number, shift = false) => {
    c.pointerDown(at(x, y, shift));
    c.pointerUp(at(x, y, shift));
  };
  const drag = (from: [number, number], to: [number, number]) => {
    c.pointerDown(at(...from));
    c.pointerMove(at(...to));
    c.pointerUp(at(...to));
  };
  const key = (k: string, mods: Partial<KeyInput> = {}) => c.keyDown({ key: k, ctrl: false, meta: false, shift: false, alt: false, ...mods });
  return { model, view, c, click, drag, key };
}

const image = { width: 800, height: 500 };

describe("open shapes in the model", () => {
  it("a polyline needs 2 distinct vertices, a line exactly 2; output under polylines / lines", () => {
    const m = new ShapeModel();
    m.setImageSize(image);
    expect(m.addOpen("polyline", "road", [{ x: 5, y: 5 }, { x: 5, y: 5 }])).toBeNull();
    expect(m.addOpen("line", "kerb", [{ x: 1, y: 1 }, { x: 2, y: 2 }, { x: 3, y: 3 }])).toBeNull();
    expect(m.canUndo).toBe(false);
    // An open shape may end where it starts (a closed loop drawn as a polyline keeps both ends).
    expect(m.addOpen("polyline", "road", [{ x: 10.123, y: -4 }, { x: 900, y: 20 }, { x: 10.123, y: 0 }])).not.toBeNull();
    expect(m.addOpen("line", "kerb", [{ x: 1, y: 2 }, { x: 3, y: 4 }])).not.toBeNull();
    expect(m.openOutput("polyline")).toEqual({
      polylines: [{ label: "road", vertices: [{ x: 10.12, y: 0 }, { x: 800, y: 20 }, { x: 10.12, y: 0 }] }],
      inputImageProperties: image,
    });
    expect(m.openOutput("line")).toEqual({ lines: [{ label: "kerb", vertices: [{ x: 1, y: 2 }, { x: 3, y: 4 }] }], inputImageProperties: image });
    expect(m.polygonOutput().polygons).toEqual([]);
    expect(m.undoTitle).toBe("Draw line");
  });

  it("parses polylines and lines and names what it leaves out", () => {
    const pl = parsePolylines({ polylines: [{ label: "a", vertices: [{ x: 1, y: 2 }, { x: "3", y: 4 }] }, { label: "b", vertices: [{ x: 1, y: 1 }] }] });
    expect(pl.shapes).toEqual([{ kind: "polyline", label: "a", points: [{ x: 1, y: 2 }, { x: 3, y: 4 }] }]);
    expect(pl.problems).toEqual(["polyline 1: needs at least 2 vertices"]);
    const ln = parseLines([{ label: "c", vertices: [{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 2 }] }, { label: "d", vertices: [{ x: 0, y: 0 }, { x: 9, y: 9 }] }]);
    expect(ln.shapes.map((s) => s.label)).toEqual(["d"]);
    expect(ln.problems).toEqual(["line 0: needs exactly 2 vertices"]);
    expect(parseLines({ polylines: [] }).problems).toEqual(["expected an array of lines or an object with lines"]);
  });
});

describe("polyline tool", () => {
  it("clicks add vertices; a second click on the last vertex (a double click) finishes, selected", () => {
    const { model, view, c, click } = setup("polyline");
    expect(c.tool).toBe("polyline");
    click(100, 100);
    click(200, 150);
    expect(model.size).toBe(0);
    expect(view.draft).toHaveLength(2);
    click(300, 120);
    click(300, 120);
    expect(model.openOutput("polyline").polylines).toEqual([
      { label: "road", vertices: [{ x: 100, y: 100 }, { x: 200, y: 150 }, { x: 300, y: 120 }] },
    ]);
    expect(c.selectedId).toBe(model.shapes[0]!.id);
    expect(c.drafting).toBe(false);
    expect(view.draft).toBeNull();
  });

  it("Enter finishes with 2 or more; Backspace and Ctrl+Z take back a vertex; Esc drops it", () => {
    const { model, c, click, key } = setup("polyline");
    click(10, 10);
    expect(key("Enter")).toBe(false); // one vertex: nothing to finish, Enter stays the form's
    click(50, 60);
    click(90, 10);
    expect(key("Backspace")).toBe(true);
    expect(key("z", { ctrl: true })).toBe(true);
    expect(c.drafting).toBe(true);
    click(70, 70);
    expect(key("Enter")).toBe(true);
    expect(model.shapes[0]!.points).toEqual([{ x: 10, y: 10 }, { x: 70, y: 70 }]);
    click(300, 300);
    expect(key("Escape")).toBe(true);
    expect(c.drafting).toBe(false);
    expect(model.size).toBe(1);
    key("z", { ctrl: true });
    expect(model.size).toBe(0);
  });

  it("select tool: drags a vertex, moves the polyline, adds a vertex on an edge, Shift+click removes one (2 kept)", () => {
    const { model, c, click, drag, key } = setup("polyline");
    click(100, 100);
    click(300, 100);
    key("Enter");
    const id = model.shapes[0]!.id;
    key("v");
    expect(c.tool).toBe("select");
    drag([300, 100], [320, 140]);
    expect(model.get(id)!.points).toEqual([{ x: 100, y: 100 }, { x: 320, y: 140 }]);
    // A press on the segment's middle inserts a vertex there (no closing edge back to the first).
    click(210, 120);
    expect(model.get(id)!.points).toEqual([{ x: 100, y: 100 }, { x: 210, y: 120 }, { x: 320, y: 140 }]);
    click(210, 120, true);
    expect(model.get(id)!.points).toHaveLength(2);
    click(100, 100, true);
    expect(model.get(id)!.points).toHaveLength(2); // a polyline keeps its 2 ends
    c.select(null);
    // A click within the handle radius of the stroke selects it; a drag from the stroke of an
    // unselected polyline moves it (on the selected one's stroke, a press inserts a vertex).
    click(150, 110); // the stroke passes (150, 109.1)
    expect(c.selectedId).toBe(id);
    c.select(null);
    drag([150, 109], [160, 119]);
    expect(model.get(id)!.points).toEqual([{ x: 110, y: 110 }, { x: 330, y: 150 }]);
    expect(model.undoTitle).toBe("Move polyline");
    click(600, 400);
    expect(c.selectedId).toBeNull();
  });
});

describe("line tool", () => {
  it("the second click finishes a line; a click on the first point does not; relabel, delete, undo", () => {
    const { model, c, click, key } = setup("line");
    expect(c.tool).toBe("line");
    click(100, 100);
    click(100, 101); // within the handle radius of the start: a line cannot end where it starts
    expect(model.size).toBe(0);
    click(400, 300);
    expect(model.openOutput("line")).toEqual({
      lines: [{ label: "road", vertices: [{ x: 100, y: 100 }, { x: 400, y: 300 }] }],
      inputImageProperties: image,
    });
    expect(c.drafting).toBe(false);
    const id = model.shapes[0]!.id;
    expect(c.selectedId).toBe(id);
    c.chooseLabel(1);
    expect(model.get(id)!.label).toBe("kerb");
    // The next line starts on the next click, label kept.
    click(10, 10);
    click(20, 30);
    expect(model.openOutput("line").lines!.map((l) => l.label)).toEqual(["kerb", "kerb"]);
    expect(key("Delete")).toBe(true);
    expect(model.size).toBe(1);
    key("z", { ctrl: true });
    expect(model.size).toBe(2);
  });

  it("a line's vertex cannot be removed and no vertex is inserted on it; copy and paste keep it a line", () => {
    const { model, c, click, key } = setup("line");
    click(100, 100);
    click(300, 100);
    const id = model.shapes[0]!.id;
    key("v");
    click(300, 100, true);
    click(200, 100);
    expect(model.get(id)!.points).toHaveLength(2);
    c.select(id);
    expect(key("c", { ctrl: true })).toBe(true);
    expect(key("v", { ctrl: true })).toBe(true);
    expect(model.openOutput("line").lines![1]!.vertices).toEqual([{ x: 110, y: 110 }, { x: 310, y: 110 }]);
  });
});
