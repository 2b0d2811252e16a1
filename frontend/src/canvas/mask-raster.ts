/**
 * Rasterisation for the mask tools, into runs of whole pixels ("spans"), never through a canvas
 * path: a canvas would antialias edges into colours that are no class. A pixel (x, y) is covered
 * when its centre (x + 0.5, y + 0.5) is: inside the polygon (even-odd), within the brush radius
 * of the stroke segment, or in the flood-filled region. Pure: no DOM.
 */
import type { Point } from "./geometry";

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Horizontal runs of pixels, row y, columns x0..x1 inclusive, with their bounding rectangle. */
export class SpanList {
  private data = new Int32Array(3 * 64);
  length = 0;
  minX = Infinity;
  minY = Infinity;
  maxX = -Infinity;
  maxY = -Infinity;

  push(y: number, x0: number, x1: number): void {
    if (x1 < x0) return;
    if (this.length * 3 + 3 > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const i = this.length * 3;
    this.data[i] = y;
    this.data[i + 1] = x0;
    this.data[i + 2] = x1;
    this.length++;
    if (x0 < this.minX) this.minX = x0;
    if (x1 > this.maxX) this.maxX = x1;
    if (y < this.minY) this.minY = y;
    if (y > this.maxY) this.maxY = y;
  }

  y(i: number): number {
    return this.data[i * 3]!;
  }
  x0(i: number): number {
    return this.data[i * 3 + 1]!;
  }
  x1(i: number): number {
    return this.data[i * 3 + 2]!;
  }

  /** The number of pixels in all runs. */
  get area(): number {
    let n = 0;
    for (let i = 0; i < this.length; i++) n += this.data[i * 3 + 2]! - this.data[i * 3 + 1]! + 1;
    return n;
  }

  get bounds(): Rect | null {
    if (!this.length) return null;
    return { x: this.minX, y: this.minY, width: this.maxX - this.minX + 1, height: this.maxY - this.minY + 1 };
  }
}

/**
 * The pixels whose centres lie within `radius` of the segment a–b (a round brush dragged from a
 * to b; a = b stamps a disc), clipped to the image.
 */
export function capsuleSpans(a: Point, b: Point, radius: number, width: number, height: number, out = new SpanList()): SpanList {
  const r = Math.max(0.5, radius);
  const r2 = r * r;
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - r - 0.5));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(a.y, b.y) + r - 0.5));
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - r - 0.5));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(a.x, b.x) + r - 0.5));
  const dx = b.x - a.x, dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5;
    let first = -1, last = -1;
    // The covered set on a row is one interval (a capsule is convex): find its two ends.
    for (let x = x0; x <= x1; x++) {
      if (within(x + 0.5, py)) {
        first = x;
        break;
      }
    }
    if (first < 0) continue;
    for (let x = x1; x >= first; x--) {
      if (within(x + 0.5, py)) {
        last = x;
        break;
      }
    }
    out.push(y, first, last);
  }
  return out;

  function within(px: number, py: number): boolean {
    let t = len2 ? ((px - a.x) * dx + (py - a.y) * dy) / len2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    const ex = a.x + t * dx - px, ey = a.y + t * dy - py;
    return ex * ex + ey * ey <= r2;
  }
}

/** The pixels whose centres are inside the polygon (even-odd rule), clipped to the image. */
export function polygonSpans(points: readonly Point[], width: number, height: number, out = new SpanList()): SpanList {
  if (points.length < 3) return out;
  let minY = Infinity, maxY = -Infinity;
  for (const p of points) {
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  const yStart = Math.max(0, Math.ceil(minY - 0.5));
  const yEnd = Math.min(height - 1, Math.floor(maxY - 0.5));
  const xs: number[] = [];
  const n = points.length;
  for (let y = yStart; y <= yEnd; y++) {
    const py = y + 0.5;
    xs.length = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const p = points[i]!, q = points[j]!;
      // Half-open in y, so a vertex on the scanline counts once.
      if ((p.y <= py && q.y > py) || (q.y <= py && p.y > py)) xs.push(p.x + ((py - p.y) * (q.x - p.x)) / (q.y - p.y));
    }
    xs.sort((u, v) => u - v);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // Centres x + 0.5 in [xa, xb).
      const from = Math.max(0, Math.ceil(xs[k]! - 0.5));
      const to = Math.min(width - 1, Math.ceil(xs[k + 1]! - 0.5) - 1);
      out.push(y, from, to);
    }
  }
  return out;
}

/**
 * Scanline flood fill from (sx, sy) over the 4-connected pixels for which `inside(index)` holds
 * (index = y × width + x). Each pixel is visited once (a bitmap), so a whole 12-megapixel image
 * is one pass.
 */
export function floodSpans(
  width: number,
  height: number,
  sx: number,
  sy: number,
  inside: (index: number) => boolean,
  out = new SpanList(),
): SpanList {
  if (sx < 0 || sy < 0 || sx >= width || sy >= height || !inside(sy * width + sx)) return out;
  const seen = new Uint8Array(width * height);
  const stack: number[] = [sx, sy];
  while (stack.length) {
    const y = stack.pop()!;
    const x = stack.pop()!;
    const row = y * width;
    if (seen[row + x] || !inside(row + x)) continue;
    let l = x, r = x;
    while (l > 0 && !seen[row + l - 1] && inside(row + l - 1)) l--;
    while (r < width - 1 && !seen[row + r + 1] && inside(row + r + 1)) r++;
    seen.fill(1, row + l, row + r + 1);
    out.push(y, l, r);
    for (const ny of [y - 1, y + 1]) {
      if (ny < 0 || ny >= height) continue;
      const nrow = ny * width;
      let run = false;
      for (let nx = l; nx <= r; nx++) {
        const ok = !seen[nrow + nx] && inside(nrow + nx);
        if (ok && !run) stack.push(nx, ny);
        run = ok;
      }
    }
  }
  return out;
}

/**
 * The magic wand's test: pixels of `rgba` (an ImageData's bytes) whose red, green and blue each
 * differ from the seed pixel's by at most `tolerance` (0–255).
 */
export function similarColour(rgba: Uint8ClampedArray | Uint8Array, seed: number, tolerance: number): (index: number) => boolean {
  const r = rgba[seed * 4]!, g = rgba[seed * 4 + 1]!, b = rgba[seed * 4 + 2]!;
  return (i: number) => {
    const o = i * 4;
    return Math.abs(rgba[o]! - r) <= tolerance && Math.abs(rgba[o + 1]! - g) <= tolerance && Math.abs(rgba[o + 2]! - b) <= tolerance;
  };
}
