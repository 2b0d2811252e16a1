import { describe, expect, it } from "vitest";
import { clampMove, clampRect, handleAt, rectFromPoints, resizeRect } from "../../src/canvas/geometry";
import { BoxModel, HISTORY_LIMIT, parseBoxes } from "../../src/canvas/model";

const IMAGE = { width: 800, height: 500 };

function model(): BoxModel {
  const m = new BoxModel();
  m.setImageSize(IMAGE);
  return m;
}

function geometry(m: BoxModel) {
  return m.output().boundingBoxes;
}

describe("geometry", () => {
  it("spans two corners whichever way the drag went", () => {
    expect(rectFromPoints({ x: 30, y: 40 }, { x: 10, y: 5 })).toEqual({ left: 10, top: 5, width: 20, height: 35 });
  });

  it("clamps to whole pixels inside the image, at least one pixel", () => {
    expect(clampRect({ left: -20.4, top: 490, width: 900, height: 30 }, IMAGE)).toEqual({
      left: 0, top: 490, width: 800, height: 10,
    });
    expect(clampRect({ left: 10.6, top: 10.4, width: 0.2, height: 0 }, IMAGE)).toEqual({
      left: 11, top: 10, width: 1, height: 1,
    });
    expect(clampRect({ left: 900, top: 600, width: 50, height: 50 }, IMAGE)).toEqual({
      left: 799, top: 499, width: 1, height: 1,
    });
  });

  it("a clamped move keeps the size and pushes the box back in", () => {
    expect(clampMove({ left: 780, top: -15, width: 40, height: 30 }, IMAGE)).toEqual({
      left: 760, top: 0, width: 40, height: 30,
    });
  });

  it("finds handles within a radius and resizes the named sides", () => {
    const r = { left: 100, top: 100, width: 50, height: 40 };
    expect(handleAt(r, { x: 149, y: 141 }, 3)).toBe("se");
    expect(handleAt(r, { x: 125, y: 99 }, 3)).toBe("n");
    expect(handleAt(r, { x: 125, y: 120 }, 3)).toBeNull();
    expect(resizeRect(r, "nw", -10, 5)).toEqual({ left: 90, top: 105, width: 60, height: 35 });
    // Dragged past the opposite side: the rectangle flips rather than going negative.
    expect(resizeRect(r, "e", -70, 0)).toEqual({ left: 80, top: 100, width: 20, height: 40 });
  });
});

describe("BoxModel", () => {
  it("adds, moves, resizes, relabels and deletes, each undoable and redoable", () => {
    const m = model();
    const id = m.addBox("cat", { left: 10.2, top: 20.7, width: 100, height: 50 });
    expect(geometry(m)).toEqual([{ label: "cat", left: 10, top: 21, width: 100, height: 50 }]);
    m.moveBox(id, { left: 30, top: 40, width: 100, height: 50 });
    m.resizeBox(id, { left: 30, top: 40, width: 60, height: 70 });
    m.setLabel(id, "dog");
    expect(geometry(m)).toEqual([{ label: "dog", left: 30, top: 40, width: 60, height: 70 }]);
    expect(m.undoTitle).toBe("Change label");

    m.undo();
    expect(geometry(m)[0]!.label).toBe("cat");
    m.undo();
    expect(geometry(m)[0]).toMatchObject({ width: 100, height: 50, left: 30 });
    m.undo();
    expect(geometry(m)[0]).toMatchObject({ left: 10, top: 21 });
    m.redo();
    m.redo();
    m.redo();
    expect(geometry(m)).toEqual([{ label: "dog", left: 30, top: 40, width: 60, height: 70 }]);

    m.deleteBoxes([id]);
    expect(m.size).toBe(0);
    m.undo();
    expect(m.get(id)?.label).toBe("dog");
    expect(m.canRedo).toBe(true);
    m.addBox("cat", { left: 0, top: 0, width: 5, height: 5 }); // a new step drops the redo branch
    expect(m.canRedo).toBe(false);
  });

  it("puts an undone delete back at its place in the drawing order", () => {
    const m = model();
    const ids = ["a", "b", "c"].map((l, i) => m.addBox(l, { left: i, top: 0, width: 5, height: 5 }));
    m.deleteBoxes([ids[1]!]);
    m.undo();
    expect(m.boxes.map((b) => b.label)).toEqual(["a", "b", "c"]);
  });

  it("clamps drawn and moved boxes inside the image", () => {
    const m = model();
    const id = m.addBox("x", { left: 700, top: 450, width: 300, height: 300 });
    expect(m.get(id)).toMatchObject({ left: 700, top: 450, width: 100, height: 50 });
    m.moveBox(id, { left: 900, top: -100, width: 100, height: 50 });
    expect(m.get(id)).toMatchObject({ left: 700, top: 0, width: 100, height: 50 });
  });

  it("records no step for a change that changes nothing", () => {
    const m = model();
    const id = m.addBox("x", { left: 1, top: 1, width: 5, height: 5 });
    expect(m.setLabel(id, "x")).toBe(false);
    expect(m.moveBox(id, { left: 1, top: 1, width: 5, height: 5 })).toBe(false);
    m.undo();
    expect(m.canUndo).toBe(false);
  });

  it("hide and lock are steps too, and hidden boxes stay in the output", () => {
    const m = model();
    const id = m.addBox("x", { left: 1, top: 1, width: 5, height: 5 });
    m.setHidden(id, true);
    m.setLocked(id, true);
    expect(m.get(id)).toMatchObject({ hidden: true, locked: true });
    expect(m.output().boundingBoxes).toHaveLength(1);
    m.undo();
    m.undo();
    expect(m.get(id)).toMatchObject({ hidden: false, locked: false });
  });

  it("emits events for every change", () => {
    const m = model();
    const seen: string[] = [];
    m.subscribe((e) => seen.push(e.kind));
    const id = m.addBox("x", { left: 1, top: 1, width: 5, height: 5 });
    m.setLabel(id, "y");
    m.undo();
    m.undo();
    m.load([]);
    expect(seen).toEqual(["added", "changed", "changed", "removed", "reset"]);
  });

  it("keeps at most HISTORY_LIMIT steps", () => {
    const m = model();
    const id = m.addBox("x", { left: 0, top: 0, width: 5, height: 5 });
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) m.moveBox(id, { left: i % 2 ? 1 : 2, top: 0, width: 5, height: 5 });
    let n = 0;
    while (m.undo()) n++;
    expect(n).toBe(HISTORY_LIMIT);
  });

  it("outputs Ground Truth's shape and loads initial values as given, without history", () => {
    const m = model();
    m.load([{ label: "tree", left: 476, top: 176, width: 118, height: 190 }]);
    expect(m.canUndo).toBe(false);
    expect(m.output()).toEqual({
      boundingBoxes: [{ label: "tree", left: 476, top: 176, width: 118, height: 190 }],
      inputImageProperties: { width: 800, height: 500 },
    });
    // Ids keep increasing after a load, so commands never confuse two boxes.
    const id = m.addBox("x", { left: 0, top: 0, width: 2, height: 2 });
    expect(id).toBeGreaterThan(m.boxes[0]!.id);
  });
});

describe("parseBoxes", () => {
  it("reads an array or Ground Truth's output object, numbers given as strings too", () => {
    const box = { label: "a", left: 1, top: 2, width: 3, height: 4 };
    expect(parseBoxes([box])).toEqual({ boxes: [box], problems: [] });
    expect(parseBoxes({ boundingBoxes: [{ ...box, left: "1" }] }).boxes).toEqual([box]);
    expect(parseBoxes({ boxes: [box], inputImageProperties: { width: 9, height: 9 } }).boxes).toEqual([box]);
    expect(parseBoxes(null)).toEqual({ boxes: [], problems: [] });
  });

  it("leaves out bad entries and names each problem", () => {
    const parsed = parseBoxes([
      { label: "a", left: 1, top: 2, width: 3 },
      "nope",
      { label: "b", left: 1, top: 2, width: 0, height: 4 },
      { label: "c", left: 1, top: 2, width: 3, height: 4 },
    ]);
    expect(parsed.boxes.map((b) => b.label)).toEqual(["c"]);
    expect(parsed.problems).toEqual([
      'box 0: "height" is missing or not a number',
      "box 1: not an object",
      "box 2: width and height must be positive",
    ]);
    expect(parseBoxes(42).problems).toEqual(["expected an array of boxes or an object with boundingBoxes (or boxes)"]);
  });
});
