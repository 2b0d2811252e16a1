/** Rectangles in image pixels. Pure: no DOM, no Konva. */

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

/** The rectangle spanned by two corners, whichever way the drag went. */
export function rectFromPoints(a: Point, b: Point): Rect {
  const left = Math.min(a.x, b.x);
  const top = Math.min(a.y, b.y);
  return { left, top, width: Math.abs(b.x - a.x), height: Math.abs(b.y - a.y) };
}

/**
 * Whole image pixels, inside the image, at least one pixel wide and high. A box drawn or
 * resized past the edge is cut at the edge (the part outside the image cannot be labeled).
 */
export function clampRect(r: Rect, image: Size): Rect {
  const W = Math.max(1, Math.round(image.width));
  const H = Math.max(1, Math.round(image.height));
  let x0 = Math.round(Math.min(r.left, r.left + r.width));
  let y0 = Math.round(Math.min(r.top, r.top + r.height));
  let x1 = Math.round(Math.max(r.left, r.left + r.width));
  let y1 = Math.round(Math.max(r.top, r.top + r.height));
  x0 = Math.min(Math.max(x0, 0), W - 1);
  y0 = Math.min(Math.max(y0, 0), H - 1);
  x1 = Math.min(Math.max(x1, x0 + 1), W);
  y1 = Math.min(Math.max(y1, y0 + 1), H);
  return { left: x0, top: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * A moved box keeps its size and is pushed back inside the image (a move must not shrink it);
 * a box larger than the image is cut as clampRect does.
 */
export function clampMove(r: Rect, image: Size): Rect {
  const width = Math.round(Math.min(r.width, image.width));
  const height = Math.round(Math.min(r.height, image.height));
  const left = Math.round(Math.min(Math.max(r.left, 0), image.width - width));
  const top = Math.round(Math.min(Math.max(r.top, 0), image.height - height));
  return clampRect({ left, top, width, height }, image);
}

export function containsPoint(r: Rect, p: Point, slack = 0): boolean {
  return (
    p.x >= r.left - slack && p.x <= r.left + r.width + slack && p.y >= r.top - slack && p.y <= r.top + r.height + slack
  );
}

export function sameRect(a: Rect, b: Rect): boolean {
  return a.left === b.left && a.top === b.top && a.width === b.width && a.height === b.height;
}

/** Resize handles: corners and edge midpoints, named by the sides they move. */
export type Handle = "nw" | "n" | "ne" | "e" | "se" | "s" | "sw" | "w";
export const HANDLES: readonly Handle[] = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];

export function handlePoint(r: Rect, h: Handle): Point {
  const x = h.includes("w") ? r.left : h.includes("e") ? r.left + r.width : r.left + r.width / 2;
  const y = h.includes("n") ? r.top : h.includes("s") ? r.top + r.height : r.top + r.height / 2;
  return { x, y };
}

/** The handle of `r` within `radius` (image pixels) of `p`, nearest first, or null. */
export function handleAt(r: Rect, p: Point, radius: number): Handle | null {
  let best: Handle | null = null;
  let bestD = radius * radius;
  for (const h of HANDLES) {
    const q = handlePoint(r, h);
    const d = (q.x - p.x) ** 2 + (q.y - p.y) ** 2;
    if (d <= bestD) {
      bestD = d;
      best = h;
    }
  }
  return best;
}

/** `r` with the sides named by `h` moved by (dx, dy); may come out inverted (clampRect fixes that). */
export function resizeRect(r: Rect, h: Handle, dx: number, dy: number): Rect {
  let x0 = r.left, y0 = r.top, x1 = r.left + r.width, y1 = r.top + r.height;
  if (h.includes("w")) x0 += dx;
  if (h.includes("e")) x1 += dx;
  if (h.includes("n")) y0 += dy;
  if (h.includes("s")) y1 += dy;
  return rectFromPoints({ x: x0, y: y0 }, { x: x1, y: y1 });
}
