/** The mapping from image pixels to screen pixels: screen = image × scale + (x, y). Pure. */
import type { Point, Size } from "./geometry";

export interface Viewport {
  scale: number;
  x: number;
  y: number;
}

export const MIN_SCALE = 0.02;
export const MAX_SCALE = 40;

export function toImage(v: Viewport, screen: Point): Point {
  return { x: (screen.x - v.x) / v.scale, y: (screen.y - v.y) / v.scale };
}

export function toScreen(v: Viewport, image: Point): Point {
  return { x: image.x * v.scale + v.x, y: image.y * v.scale + v.y };
}

/** The whole image in the container, centred, with a small margin; never enlarged past 1:1×4. */
export function fit(image: Size, container: Size, margin = 8): Viewport {
  if (!image.width || !image.height || !container.width || !container.height) return { scale: 1, x: 0, y: 0 };
  const scale = clampScale(
    Math.min((container.width - 2 * margin) / image.width, (container.height - 2 * margin) / image.height, 4),
  );
  return {
    scale,
    x: (container.width - image.width * scale) / 2,
    y: (container.height - image.height * scale) / 2,
  };
}

/** One image pixel per screen pixel, keeping the point under `anchor` (screen) where it is. */
export function actualSize(v: Viewport, anchor: Point): Viewport {
  return zoomAt(v, 1 / v.scale, anchor);
}

/** Zooms by `factor` keeping the image point under `anchor` (screen) fixed. */
export function zoomAt(v: Viewport, factor: number, anchor: Point): Viewport {
  const scale = clampScale(v.scale * factor);
  const p = toImage(v, anchor);
  return { scale, x: anchor.x - p.x * scale, y: anchor.y - p.y * scale };
}

/** A wheel notch (deltaY ≈ ±100) zooms by ~1.2×; trackpads send smaller deltas and zoom less. */
export function wheelFactor(deltaY: number): number {
  return Math.pow(1.2, -Math.max(-3, Math.min(3, deltaY / 100)));
}

export function panBy(v: Viewport, dx: number, dy: number): Viewport {
  return { scale: v.scale, x: v.x + dx, y: v.y + dy };
}

function clampScale(s: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));
}
