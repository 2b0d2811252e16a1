import { describe, expect, it } from "vitest";
import { MASK_HISTORY_BYTES, encodeRuns, tileGrid, writeRuns } from "../../src/canvas/mask-history";
import { MaskModel } from "../../src/canvas/mask-model";
import { GT_PALETTE, colourSequence, hexToRgba32, parseMaskLabels, rgba32ToHex } from "../../src/canvas/mask-palette";
import { SpanList, capsuleSpans, floodSpans, polygonSpans, similarColour } from "../../src/canvas/mask-raster";

const LABELS = parseMaskLabels(["road", "car", "sky"]).labels;

function semantic(w = 100, h = 80): MaskModel {
  const m = new MaskModel("semantic", LABELS);
  m.setImageSize(w, h);
  return m;
}

function countOf(m: MaskModel, v: number): number {
  let n = 0;
  for (const x of m.data) if (x === v) n++;
  return n;
}

describe("rasterisation", () => {
  it("fills exactly the pixels whose centres are inside a polygon", () => {
    const rect = polygonSpans([{ x: 10, y: 10 }, { x: 20, y: 10 }, { x: 20, y: 30 }, { x: 10, y: 30 }], 100, 100);
    expect(rect.area).toBe(200);
    expect(rect.bounds).toEqual({ x: 10, y: 10, width: 10, height: 20 });
    // A right triangle with legs of 10: row y holds the centres left of the diagonal x = y + 0.5
    // (a centre on an edge counts on its left side only) → 0 + 1 + … + 9 = 45 pixels.
    const tri = polygonSpans([{ x: 0, y: 0 }, { x: 10, y: 10 }, { x: 0, y: 10 }], 100, 100);
    expect(tri.area).toBe(45);
    // Clipped to the image.
    expect(polygonSpans([{ x: -5, y: -5 }, { x: 5, y: -5 }, { x: 5, y: 5 }, { x: -5, y: 5 }], 100, 100).area).toBe(25);
    // A self-intersecting bow tie fills by even-odd, never outside its hull.
    const bow = polygonSpans([{ x: 0, y: 0 }, { x: 20, y: 20 }, { x: 20, y: 0 }, { x: 0, y: 20 }], 100, 100);
    expect(bow.area).toBeGreaterThan(150);
    expect(bow.area).toBeLessThan(250);
  });

  it("stamps a round brush and a capsule without gaps", () => {
    const disc = capsuleSpans({ x: 50, y: 50 }, { x: 50, y: 50 }, 5, 100, 100);
    // Centres within 5 px of (50, 50): the 5-px digital disc has 88 pixels (πr² ≈ 78.5, digitised).
    let n = 0;
    for (let y = 0; y < 100; y++) for (let x = 0; x < 100; x++) if ((x + 0.5 - 50) ** 2 + (y + 0.5 - 50) ** 2 <= 25) n++;
    expect(disc.area).toBe(n);
    const line = capsuleSpans({ x: 10.5, y: 20.5 }, { x: 60.5, y: 20.5 }, 0.5, 100, 100);
    expect(line.area).toBe(51); // one pixel thick, both ends included
    expect(capsuleSpans({ x: -50, y: -50 }, { x: -40, y: -40 }, 3, 100, 100).length).toBe(0);
  });

  it("flood fills 4-connected regions only", () => {
    // Two 3×3 squares touching at a corner: 4-connectivity keeps them apart.
    const w = 8, h = 8;
    const grid = new Uint8Array(w * h);
    for (let y = 1; y < 4; y++) for (let x = 1; x < 4; x++) grid[y * w + x] = 1;
    for (let y = 4; y < 7; y++) for (let x = 4; x < 7; x++) grid[y * w + x] = 1;
    expect(floodSpans(w, h, 2, 2, (i) => grid[i] === 1).area).toBe(9);
    expect(floodSpans(w, h, 0, 0, (i) => grid[i] === 0).area).toBe(64 - 18);
    expect(floodSpans(w, h, 20, 2, () => true).length).toBe(0);
  });

  it("magic wand tolerance: a gradient is cut where the colour drifts past it", () => {
    const w = 50, h = 4;
    const rgba = new Uint8ClampedArray(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgba.set([x * 4, 100, 100, 255], (y * w + x) * 4);
    // Seed red = 40 (x = 10); tolerance 20 → red 20..60 → x 5..15 → 11 columns.
    expect(floodSpans(w, h, 10, 0, similarColour(rgba, 10, 20)).area).toBe(11 * h);
    expect(floodSpans(w, h, 10, 0, similarColour(rgba, 10, 0)).area).toBe(h);
    expect(floodSpans(w, h, 10, 0, similarColour(rgba, 10, 255)).area).toBe(w * h);
  });
});

describe("palette and labels", () => {
  it("takes Ground Truth's order and colours from a label-category file", () => {
    expect(LABELS.map((l) => l.color)).toEqual(["#2ca02c", "#1f77b4", "#ff7f0e"]);
    const file = parseMaskLabels('{"document-version": "2018-11-28", "labels": [{"label": "a"}, {"label": "b", "color": "#2CA02C"}, {"label": "c"}]}');
    expect(file.labels).toEqual([
      { label: "a", color: "#1f77b4" },
      { label: "b", color: "#2ca02c" },
      { label: "c", color: "#ff7f0e" },
    ]);
    const bad = parseMaskLabels([{ label: "x", color: "#fff" }, { label: "y", color: "red" }, 3]);
    expect(bad.problems).toEqual([
      "labels[0].color: #ffffff is the unlabeled colour",
      'labels[1].color: "red" is not a #rrggbb colour',
    ]);
    expect(bad.labels.map((l) => l.label)).toEqual(["x", "y", "3"]);
  });

  it("gives 300 distinct colours, none white", () => {
    const seq = colourSequence();
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) seen.add(seq.next().value!);
    expect(seen.size).toBe(300);
    expect(seen.has("#ffffff")).toBe(false);
    expect([...seen].slice(0, GT_PALETTE.length)).toEqual([...GT_PALETTE]);
    expect(rgba32ToHex(hexToRgba32("#12ab9f"))).toBe("#12ab9f");
  });
});

describe("MaskModel", () => {
  it("paints, counts and undoes/redoes a step as tile diffs", () => {
    const m = semantic(600, 400); // 3 × 2 tiles of 256
    m.begin("Polygon fill");
    m.paint(polygonSpans([{ x: 200, y: 200 }, { x: 300, y: 200 }, { x: 300, y: 300 }, { x: 200, y: 300 }], 600, 400), 2);
    expect(m.commit()).toBe(true);
    expect(m.count(2)).toBe(10000);
    expect(m.count(0)).toBe(600 * 400 - 10000);
    const v = m.version;
    expect(m.undo()).toBe(true);
    expect(countOf(m, 2)).toBe(0);
    expect(m.count(2)).toBe(0);
    expect(m.version).toBe(v + 1);
    expect(m.redo()).toBe(true);
    expect(countOf(m, 2)).toBe(10000);
    expect(m.history.undoTitle).toBe("Polygon fill");
    // The step holds 4 tiles (the square straddles a tile corner), each a few runs.
    expect(m.history.byteSize).toBeLessThan(4000);
  });

  it("records nothing for a step that changes nothing, and abort puts pixels back", () => {
    const m = semantic();
    m.begin("Brush");
    m.paint(capsuleSpans({ x: 10, y: 10 }, { x: 30, y: 10 }, 3, 100, 80), 1);
    m.abort();
    expect(countOf(m, 1)).toBe(0);
    expect(m.count(1)).toBe(0);
    m.begin("Brush");
    m.paint(new SpanList(), 1);
    expect(m.commit()).toBe(false);
    expect(m.history.canUndo).toBe(false);
  });

  it("leaves protected values alone", () => {
    const m = semantic();
    m.begin("a");
    m.paint(polygonSpans([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }, { x: 0, y: 10 }], 100, 80), 1);
    m.commit();
    m.setProtected([1]);
    m.begin("b");
    m.paint(polygonSpans([{ x: 0, y: 0 }, { x: 20, y: 0 }, { x: 20, y: 10 }, { x: 0, y: 10 }], 100, 80), 2);
    m.commit();
    expect([m.count(1), m.count(2)]).toEqual([100, 100]);
  });

  it("a whole-image fill of 4000×3000 costs little history", () => {
    const m = semantic(4000, 3000);
    m.begin("Fill");
    m.paint(floodSpans(4000, 3000, 5, 5, (i) => m.data[i] === 0), 3);
    m.commit();
    expect(m.count(3)).toBe(12_000_000);
    expect(m.history.byteSize).toBeLessThan(200 * 1024);
    expect(m.history.byteSize).toBeLessThan(MASK_HISTORY_BYTES);
    m.undo();
    expect(m.count(0)).toBe(12_000_000);
  });

  it("caps the history by steps", () => {
    const m = semantic();
    for (let i = 0; i < 130; i++) {
      m.begin("dot");
      m.paint(capsuleSpans({ x: i % 100, y: 5 }, { x: i % 100, y: 5 }, 1, 100, 80), 1 + (i % 3));
      m.commit();
    }
    expect(m.history.size).toBe(100);
  });

  it("instances: add, relabel, delete, undo restores table and pixels", () => {
    const m = new MaskModel("instance", LABELS);
    m.setImageSize(64, 64);
    m.begin("Brush");
    const a = m.addInstance("car")!;
    m.paint(polygonSpans([{ x: 0, y: 0 }, { x: 8, y: 0 }, { x: 8, y: 8 }, { x: 0, y: 8 }], 64, 64), a.id);
    m.commit();
    m.begin("Brush");
    const b = m.addInstance("car")!;
    m.paint(polygonSpans([{ x: 20, y: 20 }, { x: 30, y: 20 }, { x: 30, y: 30 }, { x: 20, y: 30 }], 64, 64), b.id);
    m.commit();
    expect(a.color).not.toBe(b.color);
    expect(m.data instanceof Uint16Array).toBe(true);
    expect(m.boundsOf(b.id)).toEqual({ x: 20, y: 20, width: 10, height: 10 });
    expect(m.boundsOf(99)).toBeNull();
    expect(m.setInstanceLabel(b.id, "road")).toBe(true);
    expect(m.instance(b.id)!.label).toBe("road");
    expect(m.deleteInstance(a.id)).toBe(true);
    expect(m.instances.map((i) => i.id)).toEqual([b.id]);
    expect(m.count(a.id)).toBe(0);
    m.undo(); // the delete
    expect(m.count(a.id)).toBe(64);
    expect(m.instances.map((i) => i.id)).toEqual([a.id, b.id]);
    m.undo(); // the relabel
    expect(m.instance(b.id)!.label).toBe("car");
    m.undo(); // b's stroke
    expect(m.instance(b.id)).toBeUndefined();
    m.redo();
    expect(m.instance(b.id)!.color).toBe(b.color);
    expect(m.count(b.id)).toBe(100);
  });
});

describe("run-length tiles", () => {
  it("round-trips a tile", () => {
    const g = tileGrid(300, 10);
    const map = new Uint16Array(300 * 10);
    for (let i = 0; i < map.length; i++) map[i] = (i >> 5) % 7 === 0 ? 65535 : i % 3;
    const copy = new Uint16Array(map.length);
    const runs = encodeRuns(map.subarray(0, 0));
    expect(runs.length).toBe(0);
    // Tile 0 is 256×10; tile 1 is 44×10.
    for (const t of [0, 1]) {
      const rowsOf = (src: Uint16Array) => {
        const w = t ? 44 : 256;
        const out = new Uint16Array(w * 10);
        for (let y = 0; y < 10; y++) out.set(src.subarray(y * 300 + t * 256, y * 300 + t * 256 + w), y * w);
        return out;
      };
      let changed = 0;
      writeRuns(copy, g, t, encodeRuns(rowsOf(map)), () => changed++);
      expect(changed).toBeGreaterThan(0);
    }
    expect(copy).toEqual(map);
  });
});
