/** Open shapes (polylines, lines) snap to other shapes' vertices as polygons do. */
import { describe, expect, it } from "vitest";
import type { KeyInput, PointerInput } from "../../src/canvas/controller";
import type { Point } from "../../src/canvas/geometry";
import { ShapeController, type ShapeViewPort } from "../../src/canvas/shape-controller";
import { ShapeModel, type ShapeKind } from "../../src/canvas/shapes";
import { toScreen, type Viewport } from "../../src/canvas/viewport";

class FakeView implements ShapeViewPort {
  viewport: Viewport = { scale: 2, x: 10, y: 20 };
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

function setup(kind: ShapeKind) {
  const model = new ShapeModel();
  model.setImageSize({ width: 800, height: 500 });
  const view = new FakeView();
  const c = new ShapeController(model, view, ["road", "kerb"], kind);
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
  return { model, c, click, drag, key };
}

describe("snapping of open shapes", () => {
  it("a polyline continues exactly from another polyline's end and meets a polygon's corner", () => {
    const { model, click, key } = setup("polyline");
    model.addPolygon("kerb", [{ x: 300, y: 300 }, { x: 400, y: 300 }, { x: 350, y: 400 }]);
    click(100, 100);
    click(200, 100);
    key("Enter");
    // 2 image px off (4 screen px at scale 2, within the 7 px radius): both ends snap.
    click(202, 98);
    click(250, 200);
    click(298, 302);
    key("Enter");
    expect(model.shapes[2]!.points).toEqual([{ x: 200, y: 100 }, { x: 250, y: 200 }, { x: 300, y: 300 }]);
    // Far from any vertex (5 image px = 10 screen px): kept as clicked.
    click(205, 105);
    click(260, 260);
    key("Enter");
    expect(model.shapes[3]!.points[0]).toEqual({ x: 205, y: 105 });
  });

  it("a line's end dragged next to another line's end takes it; keypoints are not targets", () => {
    const { model, c, drag, click, key } = setup("line");
    model.addPoint("road", { x: 50, y: 50 });
    click(100, 100);
    click(200, 200);
    click(201, 202); // a new line starting at the first one's end
    click(300, 100);
    expect(model.shapes[2]!.points[0]).toEqual({ x: 200, y: 200 });
    click(52, 51); // near the keypoint: no snap
    click(10, 10);
    expect(model.shapes[3]!.points[0]).toEqual({ x: 52, y: 51 });
    key("v");
    c.select(model.shapes[3]!.id);
    drag([10, 10], [99, 101]);
    expect(model.shapes[3]!.points[1]).toEqual({ x: 100, y: 100 });
    // Its own other end is never a target (a line cannot collapse onto itself).
    drag([100, 100], [53, 52]);
    expect(model.shapes[3]!.points[1]).toEqual({ x: 53, y: 52 });
  });
});
