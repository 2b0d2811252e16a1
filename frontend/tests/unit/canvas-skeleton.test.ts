/** Keypoint skeletons: parsing the attribute, instances from point order, keypoint-set mode. */
import { describe, expect, it } from "vitest";
import type { PointerInput } from "../../src/canvas/controller";
import type { Point } from "../../src/canvas/geometry";
import { ShapeController, type ShapeViewPort } from "../../src/canvas/shape-controller";
import { ShapeModel } from "../../src/canvas/shapes";
import { keypointInstances, nextSetLabel, parseSkeleton, skeletonSegments } from "../../src/canvas/skeleton";
import { toScreen, type Viewport } from "../../src/canvas/viewport";

const LABELS = ["nose", "left_eye", "right_eye", "left_ear"];

class FakeView implements ShapeViewPort {
  viewport: Viewport = { scale: 1, x: 0, y: 0 };
  setViewport(v: Viewport): void {
    this.viewport = v;
  }
  containerSize() {
    return { width: 400, height: 300 };
  }
  showDraft(_v: readonly Point[] | null): void {}
  showPreview(_id: number, _p: readonly Point[] | null): void {}
  setCursor(): void {}
}

function setup() {
  const model = new ShapeModel();
  model.setImageSize({ width: 400, height: 300 });
  const view = new FakeView();
  const c = new ShapeController(model, view, LABELS, "point");
  const at = (x: number, y: number): PointerInput => ({ image: { x, y }, screen: toScreen(view.viewport, { x, y }), button: 0, shift: false });
  const click = (x: number, y: number) => {
    c.pointerDown(at(x, y));
    c.pointerUp(at(x, y));
  };
  return { model, c, click };
}

describe("parseSkeleton", () => {
  it("reads label-name pairs and COCO's 1-based label numbers alike", () => {
    expect(parseSkeleton([["nose", "left_eye"], [1, 3]], LABELS)).toEqual({
      edges: [["nose", "left_eye"], ["nose", "right_eye"]],
      problems: [],
    });
  });

  it("reads a COCO category (its numbers index its own keypoints list)", () => {
    const cat = { keypoints: ["left_eye", "nose"], skeleton: [[1, 2]] };
    expect(parseSkeleton(cat, LABELS).edges).toEqual([["left_eye", "nose"]]);
  });

  it("names every pair it leaves out; repeats and loops draw nothing new", () => {
    const r = parseSkeleton([["nose", "chin"], [0, 1], [2, 9], "nose", ["nose"], ["nose", "left_eye"], ["left_eye", "nose"], ["nose", "nose"]], LABELS);
    expect(r.edges).toEqual([["nose", "left_eye"]]);
    expect(r.problems).toEqual([
      'skeleton[0]: "chin" is not one of the labels',
      "skeleton[1]: 0 is not one of the labels",
      "skeleton[2]: 9 is not one of the labels",
      "skeleton[3]: expected a pair of two labels or two 1-based label numbers",
      "skeleton[4]: expected a pair of two labels or two 1-based label numbers",
    ]);
    expect(parseSkeleton({ skeleton: 3 }, LABELS).problems[0]).toMatch(/expected a list of pairs/);
    expect(parseSkeleton("", LABELS)).toEqual({ edges: [], problems: [] });
  });
});

describe("instances and segments", () => {
  it("a repeated label starts the next instance; edges join points of one instance only", () => {
    const m = new ShapeModel();
    m.setImageSize({ width: 400, height: 300 });
    m.addPoint("nose", { x: 10, y: 10 });
    m.addPoint("left_eye", { x: 5, y: 5 });
    m.addPoint("nose", { x: 100, y: 100 }); // the second face
    m.addPoint("right_eye", { x: 110, y: 95 });
    m.addPoint("left_eye", { x: 90, y: 95 });
    const inst = keypointInstances(m.shapes);
    expect(inst.map((i) => [...i.keys()])).toEqual([["nose", "left_eye"], ["nose", "right_eye", "left_eye"]]);
    const segs = skeletonSegments(m.shapes, [["nose", "left_eye"], ["nose", "right_eye"]]);
    expect(segs.map((s) => [s.from, s.to])).toEqual([
      [{ x: 10, y: 10 }, { x: 5, y: 5 }],
      [{ x: 100, y: 100 }, { x: 90, y: 95 }],
      [{ x: 100, y: 100 }, { x: 110, y: 95 }],
    ]);
    // A hidden end drops its edges; the output stays Ground Truth's flat list.
    m.setHidden(m.shapes[0]!.id, true);
    expect(skeletonSegments(m.shapes, [["nose", "left_eye"]])).toHaveLength(1);
    expect(m.keypointOutput().keypoints.map((k) => k.label)).toEqual(["nose", "left_eye", "nose", "right_eye", "left_eye"]);
  });
});

describe("keypoint-set mode", () => {
  it("placing a point arms the next label the instance lacks, then the first again", () => {
    const { model, c, click } = setup();
    c.keypointSet = true;
    click(10, 10);
    expect(c.currentLabel).toBe("left_eye");
    c.chooseLabel(3); // the worker skips ahead to left_ear
    click(20, 20);
    expect(c.currentLabel).toBe("left_eye"); // wraps past the end to what is still missing
    click(30, 30);
    expect(c.currentLabel).toBe("right_eye");
    click(40, 40);
    expect(c.currentLabel).toBe("nose"); // the instance is complete: the next one starts
    click(50, 50);
    expect(model.keypointOutput().keypoints.map((k) => k.label)).toEqual(["nose", "left_ear", "left_eye", "right_eye", "nose"]);
    expect(keypointInstances(model.shapes)).toHaveLength(2);
    expect(nextSetLabel(model.shapes, LABELS, "nose")).toBe(1);
  });

  it("off by default: the label stays what the worker chose", () => {
    const { c, click } = setup();
    click(10, 10);
    click(20, 20);
    expect(c.currentLabel).toBe("nose");
  });
});
