/**
 * Ground Truth's `editsAllowed: none` in the editors (edit-limits.ts): a "none" label's earlier
 * objects are edit-locked (not moved, reshaped, relabelled, deleted or unlocked), the label is not
 * drawn, pasted or relabelled to, "none" attributes keep earlier values, a "none" frame attribute
 * keeps the image's, and a "none" class keeps its pixels in a mask.
 */
import { describe, expect, it } from "vitest";
import type { Rect } from "../../src/canvas/geometry";
import { Controller, type KeyInput, type PointerInput, type ViewPort } from "../../src/canvas/controller";
import { NO_LIMITS, parseEditLimits } from "../../src/canvas/edit-limits";
import { MaskController, type MaskViewPort } from "../../src/canvas/mask-controller";
import { MaskModel, type MaskKind } from "../../src/canvas/mask-model";
import { parseMaskLabels } from "../../src/canvas/mask-palette";
import { BoxModel } from "../../src/canvas/model";
import { isFrozen } from "../../src/canvas/object-model";
import { ShapeController, type ShapeViewPort } from "../../src/canvas/shape-controller";
import { ShapeModel } from "../../src/canvas/shapes";
import { toScreen, type Viewport } from "../../src/canvas/viewport";

const LABEL_FILE = JSON.stringify({
  "document-version": "2018-11-28",
  labels: [
    { label: "car", editsAllowed: "none", categoryAttributes: [{ name: "make", type: "string", editsAllowed: "none" }] },
    { label: "person" },
  ],
  categoryGlobalAttributes: [
    { name: "occluded", type: "string", enum: ["no", "partly"], editsAllowed: "none" },
    { name: "note", type: "string" },
  ],
  frameAttributes: [
    { name: "weather", type: "string", enum: ["clear", "rain"], editsAllowed: "none" },
    { name: "time", type: "string", enum: ["day", "night"] },
  ],
});
const LIMITS = parseEditLimits(LABEL_FILE);

class BoxView implements ViewPort {
  viewport: Viewport = { scale: 1, x: 0, y: 0 };
  setViewport(v: Viewport): void {
    this.viewport = v;
  }
  containerSize() {
    return { width: 800, height: 500 };
  }
  showDraft(_r: Rect | null): void {}
  showPreview(_id: number, _r: Rect | null): void {}
  setCursor(): void {}
}

class ShapeView implements ShapeViewPort {
  viewport: Viewport = { scale: 1, x: 0, y: 0 };
  setViewport(v: Viewport): void {
    this.viewport = v;
  }
  containerSize() {
    return { width: 800, height: 500 };
  }
  showDraft(): void {}
  showPreview(): void {}
  setCursor(): void {}
}

class MaskView implements MaskViewPort {
  viewport: Viewport = { scale: 1, x: 0, y: 0 };
  setViewport(v: Viewport): void {
    this.viewport = v;
  }
  containerSize() {
    return { width: 400, height: 300 };
  }
  showBrush(): void {}
  showDraft(): void {}
  setCursor(): void {}
}

const pointer = (view: { viewport: Viewport }, x: number, y: number): PointerInput => ({
  image: { x, y },
  screen: toScreen(view.viewport, { x, y }),
  button: 0,
  shift: false,
});
const keyOf = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({ key: k, ctrl: false, meta: false, shift: false, alt: false, ...mods });

function boxes() {
  const model = new BoxModel();
  model.setImageSize({ width: 800, height: 500 });
  model.setEditLimits(LIMITS);
  model.load(
    [
      { label: "car", left: 10, top: 10, width: 100, height: 50, labelCategoryAttributes: { occluded: "no", make: "vw" } },
      { label: "person", left: 300, top: 100, width: 40, height: 80, labelCategoryAttributes: { occluded: "partly" } },
    ],
    { weather: "rain" },
  );
  const view = new BoxView();
  const c = new Controller(model, view, ["car", "person"]);
  const drag = (from: [number, number], to: [number, number]) => {
    c.pointerDown(pointer(view, ...from));
    c.pointerMove(pointer(view, (from[0] + to[0]) / 2, (from[1] + to[1]) / 2));
    c.pointerMove(pointer(view, ...to));
    c.pointerUp(pointer(view, ...to));
  };
  return { model, view, c, drag, car: model.boxes[0]!, person: model.boxes[1]! };
}

describe("parseEditLimits", () => {
  it("reads editsAllowed none on labels, own and global attributes and frame attributes", () => {
    expect([...LIMITS.labels]).toEqual(["car"]);
    expect([...LIMITS.frame]).toEqual(["weather"]);
    expect(LIMITS.attributeFixed("car", "make")).toBe(true);
    expect(LIMITS.attributeFixed("person", "make")).toBe(false);
    expect(LIMITS.attributeFixed("person", "occluded")).toBe(true);
    expect(LIMITS.attributeFixed("person", "note")).toBe(false);
    expect(LIMITS.any).toBe(true);
  });

  it("limits nothing for a plain label list, 'any', or bad JSON", () => {
    expect(parseEditLimits('["car", "person"]')).toBe(NO_LIMITS);
    expect(parseEditLimits('{"labels": [{"label": "car", "editsAllowed": "any"}]}')).toBe(NO_LIMITS);
    expect(parseEditLimits('{"labels": [{"label": "car", "editsAllowed": "none"')).toBe(NO_LIMITS);
    expect(parseEditLimits(null)).toBe(NO_LIMITS);
  });
});

describe("boxes under editsAllowed", () => {
  it("locks the loaded objects of a 'none' label apart from the worker's lock, which cannot unlock them", () => {
    const { model, car, person } = boxes();
    expect(car.editLocked).toBe(true);
    expect(car.locked).toBe(false);
    expect(isFrozen(car)).toBe(true);
    expect(person.editLocked).toBe(false);
    expect(model.setLocked(car.id, true)).toBe(false);
    expect(model.setLocked(person.id, true)).toBe(true);
    expect(isFrozen(model.get(person.id)!)).toBe(true);
  });

  it("a locked box is not hit, dragged, nudged, relabelled or deleted; a free one is", () => {
    const { model, c, drag, car, person } = boxes();
    c.setTool("select");
    expect(c.hitTest({ x: 50, y: 30 })).toBeNull();
    drag([50, 30], [250, 230]);
    expect(model.get(car.id)).toMatchObject({ left: 10, top: 10, width: 100, height: 50 });
    c.select(car.id);
    expect(c.nudge(5, 0)).toBe(false);
    expect(c.deleteSelected()).toBe(false);
    expect(c.keyDown(keyOf("Delete"))).toBeDefined();
    expect(model.get(car.id)).toBeDefined();
    expect(c.chooseLabel(1)).toBe(true);
    expect(model.get(car.id)!.label).toBe("car");
    // the model refuses too (a direct call from the chrome)
    expect(model.setLabel(car.id, "person")).toBe(false);
    expect(model.moveBox(car.id, { left: 0, top: 0, width: 100, height: 50 })).toBe(false);
    expect(model.deleteBoxes([car.id])).toBe(false);
    expect(model.canUndo).toBe(false);
    // the free box moves
    drag([320, 140], [330, 150]);
    expect(model.get(person.id)).toMatchObject({ left: 310, top: 110 });
    expect(model.output().boundingBoxes[0]).toMatchObject({ label: "car", left: 10, top: 10, width: 100, height: 50 });
  });

  it("a 'none' label is not chosen, drawn, pasted or relabelled to", () => {
    const { model, c, drag, person } = boxes();
    expect(c.labelIndex).toBe(1);
    expect(c.currentLabel).toBe("person");
    expect(c.chooseLabel(0)).toBe(false);
    expect(c.labelIndex).toBe(1);
    c.select(person.id);
    expect(model.setLabel(person.id, "car")).toBe(false);
    c.setTool("draw");
    c.select(null);
    drag([500, 300], [560, 360]);
    expect(model.boxes.map((b) => b.label)).toEqual(["car", "person", "person"]);
    c.select(model.boxes[0]!.id);
    expect(c.copy()).toBe(true);
    expect(c.paste()).toBe(false);
    expect(model.size).toBe(3);
  });

  it("a 'none' attribute keeps its value on earlier objects, not on new ones; a 'none' frame attribute keeps the image's", () => {
    const { model, c, drag, car, person } = boxes();
    expect(model.setAttribute(person.id, "occluded", "no")).toBe(false);
    expect(model.setAttribute(person.id, "occluded", null)).toBe(false);
    expect(model.setAttribute(person.id, "note", "tall")).toBe(true);
    // a locked category's attributes follow their own editsAllowed
    expect(model.setAttribute(car.id, "note", "red")).toBe(true);
    expect(model.setAttribute(car.id, "make", "bmw")).toBe(false);
    c.setTool("draw");
    c.select(null);
    drag([500, 300], [560, 360]);
    const added = model.boxes[2]!;
    expect(added.earlier).toBeFalsy();
    expect(model.setAttribute(added.id, "occluded", "partly")).toBe(true);
    expect(model.setFrameAttribute("weather", "clear")).toBe(false);
    expect(model.setFrameAttribute("time", "night")).toBe(true);
    expect(model.output().frameAttributes).toEqual({ weather: "rain", time: "night" });
  });

  it("limits set after the load mark the loaded objects (the element sets them when labels change)", () => {
    const model = new BoxModel();
    model.load([{ label: "car", left: 1, top: 1, width: 5, height: 5 }]);
    expect(model.boxes[0]!.editLocked).toBe(false);
    model.setEditLimits(LIMITS);
    expect(model.boxes[0]!.editLocked).toBe(true);
    model.setEditLimits(NO_LIMITS);
    expect(model.boxes[0]!.editLocked).toBe(false);
  });
});

describe("shapes under editsAllowed", () => {
  it("a loaded 'none' polygon is not moved, reshaped, relabelled or deleted; polygons of it are not drawn", () => {
    const model = new ShapeModel();
    model.setImageSize({ width: 800, height: 500 });
    model.setEditLimits(LIMITS);
    const square = [
      { x: 10, y: 10 },
      { x: 110, y: 10 },
      { x: 110, y: 110 },
      { x: 10, y: 110 },
    ];
    model.load([{ kind: "polygon", label: "car", points: square }]);
    const view = new ShapeView();
    const c = new ShapeController(model, view, ["car", "person"], "polygon");
    const id = model.shapes[0]!.id;
    expect(model.shapes[0]!.editLocked).toBe(true);
    expect(c.currentLabel).toBe("person");
    c.setTool("select");
    c.pointerDown(pointer(view, 50, 50));
    c.pointerMove(pointer(view, 150, 150));
    c.pointerUp(pointer(view, 150, 150));
    expect(model.get(id)!.points).toEqual(square);
    expect(model.moveVertex(id, 0, { x: 0, y: 0 })).toBe(false);
    expect(model.moveShape(id, 5, 5)).toBe(false);
    expect(model.deleteShape(id)).toBe(false);
    expect(model.addPolygon("car", [{ x: 200, y: 200 }, { x: 300, y: 200 }, { x: 300, y: 300 }])).toBeDefined();
    expect(model.shapes.filter((s) => s.label === "car")).toHaveLength(1);
    expect(model.addPolygon("person", [{ x: 200, y: 200 }, { x: 300, y: 200 }, { x: 300, y: 300 }])).not.toBeNull();
    expect(model.shapes.map((s) => s.label)).toEqual(["car", "person"]);
  });
});

function mask(kind: MaskKind) {
  const model = new MaskModel(kind, parseMaskLabels(["road", "car"]).labels);
  model.setImageSize(40, 20);
  const data = new Uint16Array(40 * 20);
  // car (value 2 / instance 1) on the left half, rows 0..9
  for (let y = 0; y < 10; y++) for (let x = 0; x < 20; x++) data[y * 40 + x] = kind === "semantic" ? 2 : 1;
  model.load(kind === "semantic" ? Uint8Array.from(data) : data, kind === "instance" ? [{ id: 1, label: "car", color: "#1f77b4" }] : []);
  const view = new MaskView();
  const c = new MaskController(model, view);
  c.setEditLimits(LIMITS);
  const stroke = (points: [number, number][]) => {
    c.pointerDown(pointer(view, ...points[0]!));
    for (const p of points.slice(1)) c.pointerMove(pointer(view, ...p));
    c.pointerUp(pointer(view, ...points[points.length - 1]!));
  };
  return { model, c, stroke, carValue: kind === "semantic" ? 2 : 1 };
}

describe("masks under editsAllowed", () => {
  for (const kind of ["semantic", "instance"] as const) {
    it(`${kind}: brush, eraser and fill leave a 'none' class's pixels alone and paint around them`, () => {
      const { model, c, stroke, carValue } = mask(kind);
      const carPixels = model.count(carValue);
      expect(carPixels).toBe(200);
      expect(c.currentLabel).toBe("road");
      expect(c.chooseLabel(1)).toBe(false);
      c.setBrushSize(30);
      c.setTool("brush");
      stroke([[5, 5], [35, 5], [35, 15]]);
      expect(model.count(carValue)).toBe(carPixels);
      expect(model.valueAt(5, 5)).toBe(carValue);
      expect(model.valueAt(30, 5)).not.toBe(0); // painted road (a class or a new instance) beside it
      c.setTool("eraser");
      stroke([[5, 5], [10, 8]]);
      expect(model.count(carValue)).toBe(carPixels);
      c.select(null);
      c.setTool("fill");
      c.pointerDown(pointer({ viewport: { scale: 1, x: 0, y: 0 } }, 2, 2));
      c.pointerUp(pointer({ viewport: { scale: 1, x: 0, y: 0 } }, 2, 2));
      expect(model.count(carValue)).toBe(carPixels);
    });
  }

  it("instance: a locked instance is not painted into, relabelled or deleted", () => {
    const { model, c, stroke } = mask("instance");
    c.select(1);
    c.setTool("brush");
    stroke([[30, 15], [35, 15]]);
    expect(model.count(1)).toBe(200);
    expect(model.setInstanceLabel(1, "road")).toBe(false);
    expect(c.deleteSelected()).toBe(false);
    expect(model.instance(1)!.label).toBe("car");
  });
});
