import { describe, expect, it } from "vitest";
import { attributeText, countByLabel, maskBlend, objectAt, parseEarlierLabel } from "../../src/elements/label-verification/earlier-label";

describe("parseEarlierLabel", () => {
  it("reads Ground Truth object-detection output with its class-map", () => {
    const data = JSON.stringify({
      annotations: [
        { class_id: 0, left: 10, top: 20, width: 100, height: 50 },
        { class_id: 1, left: 300.5, top: 40, width: 30, height: 30 },
      ],
      image_size: [{ width: 640, height: 480, depth: 3 }],
    });
    const meta = JSON.stringify({ type: "groundtruth/object-detection", "class-map": { "0": "car", "1": "bird" } });
    const l = parseEarlierLabel(data, meta);
    expect(l.type).toBe("groundtruth/object-detection");
    expect(l.size).toEqual({ width: 640, height: 480 });
    expect(l.objects).toEqual([
      { kind: "box", label: "car", left: 10, top: 20, width: 100, height: 50 },
      { kind: "box", label: "bird", left: 300.5, top: 40, width: 30, height: 30 },
    ]);
    expect(countByLabel(l.objects)).toEqual([{ label: "car", count: 1 }, { label: "bird", count: 1 }]);
  });

  it("draws polygons closed, polylines and lines open, keypoints as points", () => {
    const pts = [{ x: 1, y: 2 }, { x: 5, y: 2 }, { x: 3, y: 6 }];
    const meta = (type: string) => ({ type: `groundtruth/${type}`, "class-map": { "2": "lane" } });
    expect(parseEarlierLabel({ annotations: [{ class_id: 2, points: pts }] }, meta("polygon")).objects[0].kind).toBe("polygon");
    expect(parseEarlierLabel({ annotations: [{ class_id: 2, points: pts }] }, meta("polyline")).objects[0].kind).toBe("polyline");
    expect(parseEarlierLabel({ annotations: [{ class_id: 2, points: pts.slice(0, 2) }] }, meta("line")).objects[0]).toEqual({
      kind: "polyline", label: "lane", points: pts.slice(0, 2) });
    expect(parseEarlierLabel({ annotations: [{ class_id: 2, x: 4, y: 5 }] }, meta("keypoint")).objects).toEqual([
      { kind: "point", label: "lane", x: 4, y: 5 }]);
  });

  it("counts what it cannot draw and survives bad JSON", () => {
    const l = parseEarlierLabel({ annotations: [{ class_id: 0 }, "x", { class_id: 9, x: 1, y: 1 }] }, { type: "groundtruth/keypoint" });
    expect(l.skipped).toBe(2);
    expect(l.objects).toEqual([{ kind: "point", label: "9", x: 1, y: 1 }]);
    expect(parseEarlierLabel("{not json", "").objects).toEqual([]);
  });

  it("reads a semantic-segmentation colour map and blends the mask by its background", () => {
    const meta = {
      type: "groundtruth/semantic-segmentation",
      "internal-color-map": { "0": { "class-name": "BACKGROUND", "hex-color": "#FFFFFF" }, "1": { "class-name": "road", "hex-color": "#2ca02c" } },
    };
    const l = parseEarlierLabel("s3://b/mask.png", meta);
    expect(l.maskBackground).toBe("#ffffff");
    expect(l.maskClasses).toEqual([{ label: "road", colour: "#2ca02c" }]);
    expect(maskBlend(l.maskBackground)).toBe("multiply");
    expect(maskBlend("#000000")).toBe("screen");
    expect(maskBlend(null)).toBe("source-over");
  });
});

describe("earlier attribute values", () => {
  const data = {
    annotations: [
      { class_id: 0, left: 10, top: 10, width: 200, height: 100, "label-category-attributes": { occluded: "partly", score: 3, bad: [1] } },
      { class_id: 1, left: 50, top: 40, width: 20, height: 20 },
      { class_id: 1, points: [{ x: 300, y: 300 }, { x: 400, y: 300 }, { x: 350, y: 380 }], "label-category-attributes": { kind: "tiled" } },
    ],
    "frame-attributes": { weather: "rain" },
  };
  const meta = { type: "groundtruth/object-detection", "class-map": { "0": "car", "1": "roof" } };

  it("reads each object's label-category-attributes and the image's frame-attributes (strings and numbers)", () => {
    const l = parseEarlierLabel(data, meta);
    expect(l.objects[0]!.attributes).toEqual({ occluded: "partly", score: 3 });
    expect(l.objects[1]!.attributes).toBeUndefined();
    expect(l.frameAttributes).toEqual({ weather: "rain" });
    expect(attributeText(l.objects[0]!.attributes)).toBe("occluded: partly; score: 3");
    expect(attributeText(undefined)).toBe("");
  });

  it("objectAt finds the smallest object under the point, polygons by their inside", () => {
    const l = parseEarlierLabel(data, meta);
    expect(objectAt(l.objects, { x: 60, y: 50 }, 2)).toBe(1); // the roof inside the car
    expect(objectAt(l.objects, { x: 150, y: 90 }, 2)).toBe(0);
    expect(objectAt(l.objects, { x: 350, y: 320 }, 2)).toBe(2);
    expect(objectAt(l.objects, { x: 305, y: 370 }, 2)).toBeNull(); // in the triangle's box, outside it
    expect(objectAt([{ kind: "point", label: "p", x: 5, y: 5 }], { x: 8, y: 5 }, 4)).toBe(0);
    expect(objectAt([{ kind: "polyline", label: "l", points: [{ x: 0, y: 0 }, { x: 100, y: 0 }] }], { x: 50, y: 3 }, 4)).toBe(0);
  });
});
