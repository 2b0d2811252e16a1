import { describe, expect, it } from "vitest";
import type { KeyInput, PointerInput } from "../../src/canvas/controller";
import type { Point } from "../../src/canvas/geometry";
import { ShapeController, pointInPolygon, type ShapeViewPort } from "../../src/canvas/shape-controller";
import { ShapeModel, parseKeypoints, parsePolygons } from "../../src/canvas/shapes";
import { toScreen, type Viewport } from "../../src/canvas/viewport";

class FakeView implements ShapeViewPort {
  viewport: Viewport = { scale: 2, x: 10, y: 20 };
  draft: readonly Point[] | null = null;
  preview: readonly Point[] | null = null;
  cursor = "";
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
  setCursor(cursor: string): void {
    this.cursor = cursor;
  }
}

function setup(kind: "polygon" | "point" = "polygon", labels = ["roof", "door"]) {
  const model = new ShapeModel();
  model.setImageSize({ width: 800, height: 500 });
  const view = new FakeView();
  const c = new ShapeController(model, view, labels, kind);
  const at = (x: number, y: number): PointerInput => ({ image: { x, y }, screen: toScreen(view.viewport, { x, y }), button: 0, shift: false });
  const click = (x: number, y: number) => {
    c.pointerDown(at(x, y));
    c.pointerUp(at(x, y));
  };
  const drag = (from: [number, number], to: [number, number]) => {
    c.pointerDown(at(...from));
    c.pointerMove(at(...to));
    c.pointerUp(at(...to));
  };
  const key = (k: string, mods: Partial<KeyInput> = {}) => c.keyDown({ key: k, ctrl: false, meta: false, shift: false, alt: false, ...mods });
  return { model, view, c, click, drag, key };
}

const TRIANGLE = [
  { x: 100, y: 100 },
  { x: 300, y: 100 },
  { x: 200, y: 250 },
];

describe("shape model", () => {
  it("adds a polygon (clamped, rounded) and its output is Ground Truth's shape", () => {
    const m = new ShapeModel();
    m.setImageSize({ width: 400, height: 300 });
    const id = m.addPolygon("roof", [{ x: 10.123, y: -5 }, { x: 500, y: 20 }, { x: 200, y: 200 }]);
    expect(id).not.toBeNull();
    expect(m.polygonOutput()).toEqual({
      polygons: [{ label: "roof", vertices: [{ x: 10.12, y: 0 }, { x: 400, y: 20 }, { x: 200, y: 200 }] }],
      inputImageProperties: { width: 400, height: 300 },
    });
    expect(m.keypointOutput().keypoints).toEqual([]);
  });

  it("refuses a polygon of fewer than 3 distinct vertices (no step)", () => {
    const m = new ShapeModel();
    expect(m.addPolygon("a", [{ x: 1, y: 1 }, { x: 1, y: 1 }, { x: 5, y: 5 }])).toBeNull();
    expect(m.canUndo).toBe(false);
  });

  it("moves a vertex, moves the shape inside the image, relabels, deletes; every step undoes and redoes", () => {
    const m = new ShapeModel();
    m.setImageSize({ width: 400, height: 300 });
    const id = m.addPolygon("roof", TRIANGLE)!;
    expect(m.moveVertex(id, 2, { x: 210, y: 260 })).toBe(true);
    expect(m.get(id)!.points[2]).toEqual({ x: 210, y: 260 });
    // Moved far right: pushed back so the rightmost vertex sits on the edge, shape undeformed.
    expect(m.moveShape(id, 1000, 0)).toBe(true);
    expect(m.get(id)!.points.map((p) => p.x)).toEqual([200, 400, 310]);
    expect(m.setLabel(id, "door")).toBe(true);
    expect(m.deleteShape(id)).toBe(true);
    expect(m.size).toBe(0);
    m.undo();
    expect(m.get(id)!.label).toBe("door");
    m.undo();
    expect(m.get(id)!.label).toBe("roof");
    m.undo();
    expect(m.get(id)!.points[1]).toEqual({ x: 300, y: 100 });
    m.undo();
    expect(m.get(id)!.points).toEqual(TRIANGLE);
    m.undo();
    expect(m.size).toBe(0);
    expect(m.canUndo).toBe(false);
    while (m.redo());
    expect(m.size).toBe(0);
    m.undo();
    expect(m.get(id)!.label).toBe("door");
  });

  it("a move that changes nothing is not a step", () => {
    const m = new ShapeModel();
    const id = m.addPolygon("roof", TRIANGLE)!;
    expect(m.moveVertex(id, 0, { x: 100, y: 100 })).toBe(false);
    expect(m.undoTitle).toBe("Draw polygon");
  });

  it("keypoints: place, move, output", () => {
    const m = new ShapeModel();
    m.setImageSize({ width: 400, height: 300 });
    const a = m.addPoint("eye", { x: 12.5, y: 40 });
    m.addPoint("nose", { x: -3, y: 500 });
    m.moveVertex(a, 0, { x: 20, y: 41 });
    expect(m.keypointOutput()).toEqual({
      keypoints: [{ label: "eye", x: 20, y: 41 }, { label: "nose", x: 0, y: 300 }],
      inputImageProperties: { width: 400, height: 300 },
    });
    m.undo();
    expect(m.keypointOutput().keypoints[0]).toEqual({ label: "eye", x: 12.5, y: 40 });
  });

  it("parses initial values and names what it leaves out", () => {
    const p = parsePolygons({ polygons: [{ label: "a", vertices: TRIANGLE }, { label: "b", vertices: [{ x: 1, y: 2 }] }, { label: "c", vertices: [{ x: "q" }, {}, {}] }] });
    expect(p.shapes).toHaveLength(1);
    expect(p.problems).toEqual(["polygon 1: needs at least 3 vertices", "polygon 2: vertex 0 needs numeric x and y"]);
    const k = parseKeypoints([{ label: "eye", x: "3", y: 4 }, { label: "nose" }]);
    expect(k.shapes).toEqual([{ kind: "point", label: "eye", points: [{ x: 3, y: 4 }] }]);
    expect(k.problems).toEqual(["keypoint 1: needs numeric x and y"]);
    expect(parsePolygons("nope").problems[0]).toMatch(/expected/);
  });
});

describe("polygon tool", () => {
  it("click adds vertices, a click on the first vertex closes with the current label", () => {
    const { model, view, c, click } = setup();
    for (const p of TRIANGLE) click(p.x, p.y);
    expect(view.draft).toEqual(TRIANGLE);
    expect(model.size).toBe(0);
    click(101, 101); // within the handle radius of the first vertex
    expect(model.polygonOutput().polygons).toEqual([{ label: "roof", vertices: TRIANGLE }]);
    expect(c.selectedId).toBe(model.shapes[0]!.id);
    expect(view.draft).toBeNull();
    expect(c.drafting).toBe(false);
  });

  it("Enter closes; Backspace removes the last vertex; Esc drops the draft", () => {
    const { model, c, click, key } = setup();
    key("2"); // labels come through the form's hotkeys, not the controller
    c.chooseLabel(1);
    click(10, 10);
    click(50, 10);
    expect(key("Enter")).toBe(false); // two vertices: not a polygon yet
    click(99, 99);
    key("Backspace");
    expect(c.polygonTool.draft).toHaveLength(2);
    click(30, 60);
    expect(key("Enter")).toBe(true);
    expect(model.polygonOutput().polygons[0]).toEqual({ label: "door", vertices: [{ x: 10, y: 10 }, { x: 50, y: 10 }, { x: 30, y: 60 }] });
    click(200, 200);
    click(250, 200);
    expect(key("Escape")).toBe(true);
    expect(c.drafting).toBe(false);
    expect(model.size).toBe(1);
  });

  it("Ctrl+Z while drawing takes back a vertex, then undoes the model", () => {
    const { model, c, click, key } = setup();
    for (const p of TRIANGLE) click(p.x, p.y);
    key("Enter");
    click(5, 5);
    key("z", { ctrl: true });
    expect(c.drafting).toBe(false);
    expect(model.size).toBe(1);
    key("z", { ctrl: true });
    expect(model.size).toBe(0);
    key("z", { ctrl: true, shift: true });
    expect(model.size).toBe(1);
  });
});

describe("select tool", () => {
  it("drags a vertex of the selected polygon and moves the whole polygon", () => {
    const { model, c, click, drag, key } = setup();
    for (const p of TRIANGLE) click(p.x, p.y);
    key("Enter");
    const id = model.shapes[0]!.id;
    key("v");
    expect(c.tool).toBe("select");
    drag([300, 100], [320, 90]);
    expect(model.get(id)!.points[1]).toEqual({ x: 320, y: 90 });
    drag([200, 150], [210, 160]); // inside: moves the polygon
    expect(model.get(id)!.points).toEqual([{ x: 110, y: 110 }, { x: 330, y: 100 }, { x: 210, y: 260 }]);
    key("Delete");
    expect(model.size).toBe(0);
    key("z", { ctrl: true });
    expect(c.selectedId).toBe(id);
    click(600, 400); // outside: clears the selection
    expect(c.selectedId).toBeNull();
  });

  it("pointInPolygon", () => {
    expect(pointInPolygon({ x: 200, y: 150 }, TRIANGLE)).toBe(true);
    expect(pointInPolygon({ x: 120, y: 240 }, TRIANGLE)).toBe(false);
  });
});

describe("point tool", () => {
  it("click places with the current label, a drag on a point moves it, a label key relabels the selected one", () => {
    const { model, c, click, drag } = setup("point", ["eye", "nose"]);
    expect(c.tool).toBe("point");
    click(40, 50);
    c.chooseLabel(1);
    click(80, 90);
    expect(model.keypointOutput().keypoints).toEqual([{ label: "eye", x: 40, y: 50 }, { label: "nose", x: 80, y: 90 }]);
    drag([40, 50], [45, 52]);
    expect(model.keypointOutput().keypoints[0]).toEqual({ label: "eye", x: 45, y: 52 });
    expect(model.size).toBe(2);
    c.chooseLabel(1);
    expect(model.keypointOutput().keypoints[0]!.label).toBe("nose");
  });
});

describe("vertex editing and clipboard", () => {
  it("a press on an edge of the selected polygon adds a vertex (dragged), Shift+click removes one; both undo", () => {
    const { model, c, click, drag, key } = setup();
    for (const p of TRIANGLE) click(p.x, p.y);
    key("Enter");
    const id = model.shapes[0]!.id;
    key("v");
    drag([200, 100], [200, 80]); // the top edge's middle, pulled up
    expect(model.get(id)!.points).toEqual([{ x: 100, y: 100 }, { x: 200, y: 80 }, { x: 300, y: 100 }, { x: 200, y: 250 }]);
    expect(model.undoTitle).toBe("Add vertex");
    c.pointerDown({ ...{ image: { x: 200, y: 80 }, screen: toScreen(c.view.viewport, { x: 200, y: 80 }), button: 0 }, shift: true });
    c.pointerUp({ image: { x: 200, y: 80 }, screen: toScreen(c.view.viewport, { x: 200, y: 80 }), button: 0, shift: true });
    expect(model.get(id)!.points).toEqual(TRIANGLE);
    expect(c.removeVertex(id, 0)).toBe(false); // a polygon keeps 3 vertices
    key("z", { ctrl: true });
    expect(model.get(id)!.points).toHaveLength(4);
  });

  it("Ctrl+C / Ctrl+V pastes a copy 10 px down-right, selected", () => {
    const { model, c, click, key } = setup();
    for (const p of TRIANGLE) click(p.x, p.y);
    key("Enter");
    expect(key("c", { ctrl: true })).toBe(true);
    expect(key("v", { ctrl: true })).toBe(true);
    expect(model.size).toBe(2);
    expect(model.shapes[1]!.points[0]).toEqual({ x: 110, y: 110 });
    expect(c.selectedId).toBe(model.shapes[1]!.id);
  });
});

describe("snapping", () => {
  it("a new vertex or a dragged one near another polygon's vertex takes it exactly", () => {
    const { model, click, drag, key } = setup();
    for (const p of TRIANGLE) click(p.x, p.y);
    key("Enter");
    // A neighbour sharing the edge (300,100)–(200,250): clicks 2 image px off (4 screen px) snap.
    click(302, 101);
    click(400, 100);
    click(198, 252);
    key("Enter");
    expect(model.shapes[1]!.points).toEqual([{ x: 300, y: 100 }, { x: 400, y: 100 }, { x: 200, y: 250 }]);
    click(500, 400); // far from everything: kept as clicked
    expect(model.size).toBe(2);
    key("Escape");
    key("v");
    click(300, 130); // selects the neighbour
    drag([400, 100], [400, 150]);
    drag([400, 150], [301, 99]); // dragged next to the first polygon's vertex
    expect(model.shapes[1]!.points[1]).toEqual({ x: 300, y: 100 });
  });
});

describe("hide and lock", () => {
  it("a hidden or locked shape is not hit; locked cannot be moved, relabelled or deleted; both undo and stay in the output", () => {
    const { model, c, click, drag, key } = setup();
    for (const p of TRIANGLE) click(p.x, p.y);
    key("Enter");
    const id = model.shapes[0]!.id;
    expect(model.setLocked(id, true)).toBe(true);
    expect(c.selectedId).toBe(id);
    expect(key("Delete")).toBe(false);
    c.chooseLabel(1);
    expect(model.get(id)!.label).toBe("roof");
    key("v");
    drag([300, 100], [320, 90]);
    expect(model.get(id)!.points).toEqual(TRIANGLE);
    expect(c.hitTest({ x: 200, y: 150 })).toBeNull();
    model.undo();
    expect(model.get(id)!.locked).toBe(false);
    model.setHidden(id, true);
    expect(c.hitTest({ x: 200, y: 150 })).toBeNull();
    expect(model.polygonOutput().polygons).toHaveLength(1);
    model.undo();
    expect(c.hitTest({ x: 200, y: 150 })).toBe(id);
  });
});

describe("reveal", () => {
  it("pans a shape out of view into the middle, zoom kept; leaves one in view alone", () => {
    const { model, view, c } = setup();
    const id = model.addPolygon("roof", [{ x: 700, y: 400 }, { x: 720, y: 400 }, { x: 710, y: 420 }])!;
    const before = view.viewport;
    c.reveal(id);
    const v = view.viewport;
    expect(v.scale).toBe(before.scale);
    expect(toScreen(v, { x: 710, y: 410 })).toEqual({ x: 200, y: 150 });
    c.reveal(id);
    expect(view.viewport).toEqual(v);
  });
});
