import { describe, expect, it } from "vitest";
import type { Rect } from "../../src/canvas/geometry";
import { Controller, type KeyInput, type PointerInput, type ViewPort } from "../../src/canvas/controller";
import { BoxModel } from "../../src/canvas/model";
import { fit, toImage, toScreen, wheelFactor, zoomAt, type Viewport } from "../../src/canvas/viewport";

/** A view that records what the controller asked of it; viewport at 2× with an offset. */
class FakeView implements ViewPort {
  viewport: Viewport = { scale: 2, x: 10, y: 20 };
  draft: Rect | null = null;
  preview: Rect | null = null;
  cursor = "";
  setViewport(v: Viewport): void {
    this.viewport = v;
  }
  containerSize() {
    return { width: 400, height: 300 };
  }
  showDraft(rect: Rect | null): void {
    this.draft = rect;
  }
  showPreview(_id: number, rect: Rect | null): void {
    this.preview = rect;
  }
  setCursor(cursor: string): void {
    this.cursor = cursor;
  }
}

function setup(labels = ["house", "tree"]) {
  const model = new BoxModel();
  model.setImageSize({ width: 800, height: 500 });
  const view = new FakeView();
  const c = new Controller(model, view, labels);
  /** A pointer at image point (x, y). */
  const at = (x: number, y: number, button = 0): PointerInput => ({
    image: { x, y },
    screen: toScreen(view.viewport, { x, y }),
    button,
    shift: false,
  });
  const drag = (from: [number, number], to: [number, number], button = 0) => {
    c.pointerDown(at(...from, button));
    c.pointerMove(at((from[0] + to[0]) / 2, (from[1] + to[1]) / 2, button));
    c.pointerMove(at(...to, button));
    c.pointerUp(at(...to, button));
  };
  const key = (k: string, mods: Partial<KeyInput> = {}) =>
    c.keyDown({ key: k, ctrl: false, meta: false, shift: false, alt: false, ...mods });
  return { model, view, c, at, drag, key };
}

describe("viewport", () => {
  it("maps screen to image and back, and zooms about the anchor", () => {
    const v = { scale: 2, x: 10, y: 20 };
    expect(toImage(v, toScreen(v, { x: 33, y: 44 }))).toEqual({ x: 33, y: 44 });
    const z = zoomAt(v, 1.5, { x: 110, y: 120 });
    expect(toImage(z, { x: 110, y: 120 })).toEqual(toImage(v, { x: 110, y: 120 }));
    expect(z.scale).toBe(3);
  });

  it("fits and centres the image", () => {
    expect(fit({ width: 800, height: 500 }, { width: 416, height: 316 })).toEqual({ scale: 0.5, x: 8, y: 33 });
    expect(wheelFactor(100)).toBeCloseTo(1 / 1.2);
    expect(wheelFactor(-100)).toBeCloseTo(1.2);
  });
});

describe("Controller: draw tool", () => {
  it("draws a box with the current label and selects it; a click does not draw", () => {
    const { model, c, view, drag, at } = setup();
    drag([100, 50], [40, 150]);
    expect(model.output().boundingBoxes).toEqual([{ label: "house", left: 40, top: 50, width: 60, height: 100 }]);
    expect(c.selectedId).toBe(model.boxes[0]!.id);
    expect(view.draft).toBeNull();

    c.pointerDown(at(300, 300));
    c.pointerMove(at(300.5, 300.5)); // under the click slop (1 screen px)
    c.pointerUp(at(300.5, 300.5));
    expect(model.size).toBe(1);
    expect(c.selectedId).toBeNull(); // clicking empty image clears the selection
  });

  it("shows a draft while dragging, cut at the image edge", () => {
    const { c, view, at } = setup();
    c.pointerDown(at(780, 480));
    c.pointerMove(at(900, 600));
    expect(view.draft).toEqual({ left: 780, top: 480, width: 20, height: 20 });
    c.pointerCancel();
    expect(view.draft).toBeNull();
  });

  it("moves the selected box when the drag starts on it, and resizes from a handle", () => {
    const { model, c, view, drag, at } = setup();
    drag([100, 100], [200, 200]);
    const id = c.selectedId!;
    c.pointerDown(at(150, 150));
    c.pointerMove(at(170, 140));
    expect(view.preview).toEqual({ left: 120, top: 90, width: 100, height: 100 });
    expect(model.get(id)).toMatchObject({ left: 100, top: 100 }); // no command until the drop
    c.pointerUp(at(170, 140));
    expect(model.get(id)).toMatchObject({ left: 120, top: 90, width: 100, height: 100 });
    expect(view.preview).toBeNull();

    drag([220, 190], [250, 230]); // the south-east handle
    expect(model.get(id)).toMatchObject({ left: 120, top: 90, width: 130, height: 140 });
    expect(model.size).toBe(1);
    c.undo();
    c.undo();
    expect(model.get(id)).toMatchObject({ left: 100, top: 100, width: 100, height: 100 });
  });

  it("Shift draws on the selected box, and a click on it selects a box nested in it", () => {
    const { model, c, at } = setup();
    const big = model.addBox("house", { left: 0, top: 0, width: 400, height: 400 });
    const small = model.addBox("tree", { left: 50, top: 50, width: 20, height: 20 });
    c.select(big);
    c.pointerDown(at(60, 60));
    c.pointerUp(at(60, 60));
    expect(c.selectedId).toBe(small);
    c.select(big);
    const shifted = (x: number, y: number) => ({ ...at(x, y), shift: true });
    c.pointerDown(shifted(100, 100));
    c.pointerMove(shifted(150, 150));
    c.pointerUp(shifted(150, 150));
    expect(model.size).toBe(3);
    expect(model.get(big)).toMatchObject({ left: 0, top: 0 }); // not moved
    expect(model.boxes[2]).toMatchObject({ left: 100, top: 100, width: 50, height: 50 });
  });

  it("cannot draw without labels", () => {
    const { model, drag } = setup([]);
    drag([10, 10], [50, 50]);
    expect(model.size).toBe(0);
  });
});

describe("Controller: select and pan tools", () => {
  it("selects the smallest box under the pointer and skips hidden and locked ones", () => {
    const { model, c, at } = setup();
    const big = model.addBox("house", { left: 0, top: 0, width: 400, height: 400 });
    const small = model.addBox("tree", { left: 50, top: 50, width: 20, height: 20 });
    c.setTool("select");
    c.pointerDown(at(60, 60));
    c.pointerUp(at(60, 60));
    expect(c.selectedId).toBe(small);
    model.setHidden(small, true);
    expect(c.hitTest({ x: 60, y: 60 })).toBe(big);
    model.setLocked(big, true);
    expect(c.hitTest({ x: 60, y: 60 })).toBeNull();
  });

  it("drags a box to move it, never out of the image", () => {
    const { model, c, drag } = setup();
    const id = model.addBox("house", { left: 10, top: 10, width: 50, height: 50 });
    c.setTool("select");
    drag([30, 30], [-100, 20]);
    expect(model.get(id)).toMatchObject({ left: 0, top: 0, width: 50, height: 50 });
  });

  it("pans with the pan tool, the middle button, and Space held", () => {
    const { c, view, key } = setup();
    // Screen positions are fixed here: the image point under the pointer moves as the view pans.
    const p = (x: number, y: number, button = 0): PointerInput => ({ image: { x: 0, y: 0 }, screen: { x, y }, button, shift: false });
    const pan = (dx: number, dy: number, button = 0) => {
      c.pointerDown(p(100, 100, button));
      c.pointerMove(p(100 + dx / 2, 100 + dy / 2, button));
      c.pointerMove(p(100 + dx, 100 + dy, button));
      c.pointerUp(p(100 + dx, 100 + dy, button));
    };
    c.setTool("pan");
    pan(20, 10);
    expect(view.viewport).toEqual({ scale: 2, x: 30, y: 30 });
    c.setTool("draw");
    pan(20, 0, 1);
    expect(view.viewport.x).toBe(50);
    key(" ");
    expect(view.cursor).toBe("grab");
    pan(0, 20);
    expect(view.viewport.y).toBe(50);
    c.keyUp({ key: " ", ctrl: false, meta: false, shift: false, alt: false });
    expect(view.cursor).toBe("crosshair");
  });
});

describe("Controller: reveal", () => {
  it("centres a box that is out of view, and leaves one in view alone", () => {
    const { model, c, view } = setup();
    // 400 x 300 container at 2x from (10, 20): image x 0..195, y 0..140 is in view.
    const inView = model.addBox("house", { left: 10, top: 10, width: 20, height: 20 });
    const away = model.addBox("tree", { left: 600, top: 400, width: 50, height: 30 });
    c.reveal(inView);
    expect(view.viewport).toEqual({ scale: 2, x: 10, y: 20 });
    c.reveal(away);
    expect(view.viewport.scale).toBe(2);
    expect(toScreen(view.viewport, { x: 625, y: 415 })).toEqual({ x: 200, y: 150 });
  });
});

describe("Controller: keys and labels", () => {
  it("relabels the selected box with a label hotkey, undoably", () => {
    const { model, c, drag } = setup();
    drag([10, 10], [60, 60]);
    expect(c.chooseLabel(1)).toBe(true);
    expect(model.boxes[0]!.label).toBe("tree");
    expect(c.currentLabel).toBe("tree");
    expect(c.chooseLabel(5)).toBe(false);
    c.undo();
    expect(model.boxes[0]!.label).toBe("house");
  });

  it("deletes, undoes and redoes with the keyboard; nudges with the arrows", () => {
    const { model, c, drag, key } = setup();
    drag([10, 10], [60, 60]);
    expect(key("ArrowRight")).toBe(true);
    expect(key("ArrowDown", { shift: true })).toBe(true);
    expect(model.boxes[0]).toMatchObject({ left: 11, top: 20 });
    expect(key("Delete")).toBe(true);
    expect(model.size).toBe(0);
    expect(c.selectedId).toBeNull();
    key("z", { ctrl: true });
    expect(model.size).toBe(1);
    key("Z", { ctrl: true, shift: true });
    expect(model.size).toBe(0);
    key("y", { meta: true }); // nothing to redo: still consumed, so the browser does not act on it
    key("z", { meta: true });
    key("z", { meta: true });
    expect(model.boxes[0]).toMatchObject({ left: 11, top: 10 });
  });

  it("copies and pastes the selected box, offset and inside the image, undoably", () => {
    const { model, c, key } = setup();
    const id = model.addBox("tree", { left: 770, top: 10, width: 25, height: 30 });
    expect(key("v", { ctrl: true })).toBe(false); // nothing copied yet
    c.select(id);
    expect(key("c", { ctrl: true })).toBe(true);
    expect(key("v", { ctrl: true })).toBe(true);
    expect(key("v", { meta: true })).toBe(true);
    expect(model.output().boundingBoxes).toEqual([
      { label: "tree", left: 770, top: 10, width: 25, height: 30 },
      { label: "tree", left: 775, top: 20, width: 25, height: 30 }, // pushed back inside (800 wide)
      { label: "tree", left: 775, top: 30, width: 25, height: 30 },
    ]);
    expect(c.selectedId).toBe(model.boxes[2]!.id);
    c.undo();
    c.undo();
    expect(model.size).toBe(1);
  });

  it("undo and redo select the box they put back or change", () => {
    const { model, c } = setup();
    const a = model.addBox("house", { left: 10, top: 10, width: 50, height: 50 });
    const b = model.addBox("tree", { left: 100, top: 10, width: 50, height: 50 });
    model.moveBox(a, { left: 20, top: 10, width: 50, height: 50 });
    c.select(b);
    c.undo(); // the move of a
    expect(c.selectedId).toBe(a);
    c.select(b);
    c.undo(); // the draw of b: b is gone, so is the selection
    expect(c.selectedId).toBeNull();
    c.redo();
    expect(c.selectedId).toBe(b);
  });

  it("a locked box cannot be deleted, moved or relabelled", () => {
    const { model, c, key } = setup();
    const id = model.addBox("house", { left: 10, top: 10, width: 50, height: 50 });
    model.setLocked(id, true);
    c.select(id);
    expect(key("Delete")).toBe(false);
    expect(key("ArrowLeft")).toBe(false);
    c.chooseLabel(1);
    expect(model.get(id)).toMatchObject({ label: "house", left: 10 });
  });

  it("switches tools with B, V and H, and Escape clears the selection", () => {
    const { c, key, drag } = setup();
    key("v");
    expect(c.tool).toBe("select");
    key("h");
    expect(c.tool).toBe("pan");
    key("b");
    expect(c.tool).toBe("draw");
    drag([10, 10], [60, 60]);
    expect(key("Escape")).toBe(true);
    expect(c.selectedId).toBeNull();
    expect(key("Escape")).toBe(false);
    expect(key("s")).toBe(false); // S is the host's skip key
  });
});
