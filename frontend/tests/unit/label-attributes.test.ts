import { describe, expect, it } from "vitest";
import { Controller, type ViewPort } from "../../src/canvas/controller";
import { BoxModel, parseBoxes } from "../../src/canvas/model";
import { ShapeController, type ShapeViewPort } from "../../src/canvas/shape-controller";
import { ShapeModel, parseKeypoints, parsePolygons } from "../../src/canvas/shapes";
import {
  attributeProblem,
  attributesOf,
  firstProblem,
  parseAttributeSchema,
  pruneAttributes,
  valueFromInput,
} from "../../src/elements/shared/attribute-schema";
import { rowForKey, rowWindow } from "../../src/elements/shared/region-list";

const FILE = JSON.stringify({
  labels: [
    { label: "car", categoryAttributes: [
      { name: "occluded", type: "string", enum: ["no", "partly", "fully"], isRequired: true },
      { name: "plate", type: "string" },
    ] },
    { label: "person" },
  ],
  categoryGlobalAttributes: [{ name: "truncated", type: "number", minimum: 0, maximum: 100 }],
  frameAttributes: [{ name: "weather", type: "string", enum: ["clear", "rain"], isRequired: true, description: "the sky" }],
});

/** A view port that only keeps what the controllers set (no canvas). */
const fakeView = () =>
  ({
    viewport: { scale: 1, x: 0, y: 0 },
    setViewport() {},
    containerSize: () => ({ width: 400, height: 300 }),
    showDraft() {},
    showPreview() {},
    setCursor() {},
  }) as unknown as ViewPort & ShapeViewPort;

function boxes(): BoxModel {
  const m = new BoxModel();
  m.setImageSize({ width: 800, height: 500 });
  return m;
}

describe("the attribute schema from a label-category file", () => {
  const schema = parseAttributeSchema(FILE);

  it("gives each label its own attributes, then the global ones, and the frame's", () => {
    expect(attributesOf(schema, "car").map((a) => a.name)).toEqual(["occluded", "plate", "truncated"]);
    expect(attributesOf(schema, "person").map((a) => a.name)).toEqual(["truncated"]);
    expect(attributesOf(schema, "bike")).toEqual([]);
    expect(schema.frame[0]).toMatchObject({ name: "weather", required: true, enum: ["clear", "rain"], description: "the sky" });
  });

  it("is empty for a plain label list or text that is not JSON", () => {
    expect(parseAttributeSchema('["car", "person"]').byLabel.size).toBe(0);
    expect(parseAttributeSchema("car, person").frame).toEqual([]);
    expect(parseAttributeSchema("{not json").byLabel.size).toBe(0);
  });

  it("names what is wrong with a value", () => {
    const [occluded, plate, truncated] = attributesOf(schema, "car");
    expect(attributeProblem(occluded!, undefined)).toBe("choose a value for “occluded”");
    expect(attributeProblem(plate!, undefined)).toBe("");
    expect(attributeProblem(occluded!, "maybe")).toBe("“maybe” is not a choice of “occluded”");
    expect(attributeProblem(truncated!, 101)).toBe("“truncated” must be at most 100");
    expect(attributeProblem(truncated!, -1)).toBe("“truncated” must be at least 0");
    expect(firstProblem(attributesOf(schema, "car"), { occluded: "no", truncated: 5 })).toBeNull();
    expect(firstProblem(attributesOf(schema, "car"), { truncated: 500 })).toEqual({ name: "occluded", message: "choose a value for “occluded”" });
  });

  it("reads typed values from form controls", () => {
    const [, plate, truncated] = attributesOf(schema, "car");
    expect(valueFromInput(truncated!, " 12.5 ")).toBe(12.5);
    expect(valueFromInput(truncated!, "")).toBeNull();
    expect(valueFromInput(truncated!, "x")).toBeNull();
    expect(valueFromInput(plate!, "AB 12")).toBe("AB 12");
    expect(valueFromInput(plate!, "")).toBeNull();
  });

  it("keeps in the answer only the values of each object's current label", () => {
    const out = pruneAttributes(
      [
        { label: "person", labelCategoryAttributes: { occluded: "no", truncated: 3 } },
        { label: "car", labelCategoryAttributes: { occluded: "no" } },
        { label: "person", labelCategoryAttributes: { occluded: "no" } },
      ],
      schema,
    );
    expect(out).toEqual([
      { label: "person", labelCategoryAttributes: { truncated: 3 } },
      { label: "car", labelCategoryAttributes: { occluded: "no" } },
      { label: "person" },
    ]);
  });
});

describe("attribute commands on boxes", () => {
  it("sets, changes and clears values, each one undoable step, in the output", () => {
    const m = boxes();
    const id = m.addBox("car", { left: 10, top: 10, width: 50, height: 40 });
    expect(m.setAttribute(id, "occluded", "partly")).toBe(true);
    expect(m.setAttribute(id, "occluded", "partly")).toBe(false); // no change, no step
    expect(m.setAttribute(id, "plate", "AB 12")).toBe(true);
    expect(m.undoTitle).toBe("Set plate");
    expect(m.output().boundingBoxes[0]!.labelCategoryAttributes).toEqual({ occluded: "partly", plate: "AB 12" });
    m.undo();
    expect(m.output().boundingBoxes[0]!.labelCategoryAttributes).toEqual({ occluded: "partly" });
    m.redo();
    expect(m.setAttribute(id, "plate", "")).toBe(true);
    expect(m.undoTitle).toBe("Clear plate");
    expect(m.get(id)!.attributes).toEqual({ occluded: "partly" });
    m.undo();
    m.undo();
    m.undo();
    expect(m.output().boundingBoxes[0]).not.toHaveProperty("labelCategoryAttributes");
  });

  it("keeps the image's values apart, undoably, under frameAttributes", () => {
    const m = boxes();
    expect(m.output()).not.toHaveProperty("frameAttributes");
    const events: string[] = [];
    m.subscribe((e) => events.push(e.kind));
    m.setFrameAttribute("weather", "rain");
    expect(events).toEqual(["changed"]);
    expect(m.output().frameAttributes).toEqual({ weather: "rain" });
    m.undo();
    expect(m.frameAttributes).toEqual({});
    m.redo();
    expect(m.frameAttributes).toEqual({ weather: "rain" });
  });

  it("round-trips values, the frame's and provenance through output and load", () => {
    const m = boxes();
    const id = m.addBox("car", { left: 1, top: 1, width: 5, height: 5 }, { source: "model", model: "faces", score: 0.8 });
    m.setAttribute(id, "truncated", 40);
    m.setFrameAttribute("weather", "clear");
    const parsed = parseBoxes(JSON.parse(JSON.stringify(m.output())));
    const again = boxes();
    again.load(parsed.boxes, parsed.frameAttributes);
    expect(again.output()).toEqual(m.output());
    expect(again.output().boundingBoxes[0]).toMatchObject({ source: "model", model: "faces", edited: true, score: 0.8 });
    // the generic "attributes" key is read too
    expect(parseBoxes([{ label: "car", left: 0, top: 0, width: 2, height: 2, attributes: { occluded: "no", bad: {} } }]).boxes[0])
      .toMatchObject({ labelCategoryAttributes: { occluded: "no" } });
  });

  it("marks a model-made box edited on the worker's first change (not on hide or lock), and undo unmarks it", () => {
    const m = boxes();
    const id = m.addBox("car", { left: 1, top: 1, width: 5, height: 5 }, { source: "model", model: "faces" });
    m.setHidden(id, true);
    m.setLocked(id, true);
    expect(m.get(id)!.edited).toBeFalsy();
    m.setAttribute(id, "occluded", "no");
    expect(m.get(id)!.edited).toBe(true);
    m.undo();
    expect(m.get(id)!.edited).toBe(false);
    expect(m.output().boundingBoxes[0]).not.toHaveProperty("edited");
  });

  it("keeps a box's values through copy and paste (not the assist's provenance)", () => {
    const m = boxes();
    const c = new Controller(m, fakeView(), ["car"]);
    const id = m.addBox("car", { left: 10, top: 10, width: 50, height: 40 }, { source: "model", model: "faces" });
    m.setAttribute(id, "occluded", "fully");
    c.select(id);
    expect(c.copy() && c.paste()).toBe(true);
    const pasted = m.output().boundingBoxes[1]!;
    expect(pasted).toMatchObject({ left: 20, top: 20, labelCategoryAttributes: { occluded: "fully" } });
    expect(pasted).not.toHaveProperty("source");
    // the copy's values are its own
    m.setAttribute(c.selectedId!, "occluded", "no");
    expect(m.get(id)!.attributes).toEqual({ occluded: "fully" });
  });
});

describe("attribute commands on shapes", () => {
  const square = [{ x: 10, y: 10 }, { x: 60, y: 10 }, { x: 60, y: 60 }];

  it("sets values undoably and writes them into each kind's output with the frame's", () => {
    const m = new ShapeModel();
    m.setImageSize({ width: 200, height: 100 });
    const id = m.addPolygon("car", square)!;
    m.setAttribute(id, "occluded", "no");
    m.setFrameAttribute("weather", "rain");
    expect(m.polygonOutput()).toMatchObject({
      polygons: [{ label: "car", labelCategoryAttributes: { occluded: "no" } }],
      frameAttributes: { weather: "rain" },
    });
    m.undo();
    m.undo();
    expect(m.polygonOutput().polygons[0]).not.toHaveProperty("labelCategoryAttributes");
    expect(m.polygonOutput()).not.toHaveProperty("frameAttributes");
    const p = m.addPoint("person", { x: 5, y: 5 });
    m.setAttribute(p, "truncated", 7);
    expect(m.keypointOutput().keypoints[0]).toEqual({ label: "person", x: 5, y: 5, labelCategoryAttributes: { truncated: 7 } });
  });

  it("loads values and provenance back from an answer", () => {
    const parsed = parsePolygons({
      polygons: [{ label: "car", vertices: square, labelCategoryAttributes: { occluded: "partly" }, source: "model", model: "grabcut" }],
      frameAttributes: { weather: "clear" },
    });
    const m = new ShapeModel();
    m.load(parsed.shapes, parsed.frameAttributes);
    expect(m.polygonOutput()).toMatchObject({
      polygons: [{ labelCategoryAttributes: { occluded: "partly" }, source: "model", model: "grabcut" }],
      frameAttributes: { weather: "clear" },
    });
    m.moveShape(m.shapes[0]!.id, 1, 1);
    expect(m.polygonOutput().polygons[0]!.edited).toBe(true);
    expect(parseKeypoints({ keypoints: [{ label: "a", x: 1, y: 2, labelCategoryAttributes: { n: 3 } }] }).shapes[0]!.meta!.attributes).toEqual({ n: 3 });
  });

  it("keeps a shape's values through copy and paste", () => {
    const m = new ShapeModel();
    m.setImageSize({ width: 200, height: 100 });
    const c = new ShapeController(m, fakeView(), ["car"], "polygon");
    const id = m.addPolygon("car", square)!;
    m.setAttribute(id, "occluded", "fully");
    c.select(id);
    expect(c.copy() && c.paste()).toBe(true);
    expect(m.polygonOutput().polygons[1]).toMatchObject({ labelCategoryAttributes: { occluded: "fully" } });
  });
});

describe("the virtual region list", () => {
  it("renders only the rows around its window", () => {
    expect(rowWindow(5000, 0)).toEqual({ first: 0, last: 19 });
    expect(rowWindow(5000, 2000)).toEqual({ first: 1992, last: 2019 });
    expect(rowWindow(5000, 4995)).toEqual({ first: 4987, last: 5000 });
    expect(rowWindow(3, 0)).toEqual({ first: 0, last: 3 });
  });

  it("moves through every row by key, not only the rendered ones", () => {
    expect(rowForKey("ArrowDown", 4, 5000)).toBe(5);
    expect(rowForKey("ArrowUp", 0, 5000)).toBe(0);
    expect(rowForKey("End", 4, 5000)).toBe(4999);
    expect(rowForKey("Home", 4000, 5000)).toBe(0);
    expect(rowForKey("PageDown", 4995, 5000)).toBe(4999);
    expect(rowForKey("a", 1, 5000)).toBeNull();
  });
});
