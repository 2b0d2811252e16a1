/**
 * Keypoint skeletons: which named points are joined by a line, and which points belong to one
 * instance (one person, one face). Pure functions over the shape model's points; no DOM.
 *
 * The output stays Ground Truth's flat `{keypoints: [{label, x, y}]}`: an instance is not
 * stored, it is read from the order the points were placed in — a new instance starts at the
 * first label that repeats. Placing "nose, left_eye, right_eye, nose, left_eye…" gives two
 * instances, and so does loading that list back.
 */
import type { Point } from "./geometry";
import type { Shape } from "./shapes";

/** One skeleton edge by label names. */
export type SkeletonEdge = readonly [string, string];

export interface ParsedSkeleton {
  edges: SkeletonEdge[];
  problems: string[];
}

/**
 * The `skeleton` attribute: a list of pairs, each either two label names
 * (`[["nose","left_eye"], …]`) or two 1-based positions in `labels` (COCO's `skeleton`,
 * `[[1,2], …]`). A COCO category object (`{"keypoints": [...], "skeleton": [...]}`) is read
 * too; its indices then refer to its own `keypoints` list. Pairs naming no label are left out
 * and reported.
 */
export function parseSkeleton(value: unknown, labels: readonly string[]): ParsedSkeleton {
  const out: ParsedSkeleton = { edges: [], problems: [] };
  if (value === null || value === undefined || value === "") return out;
  let names = labels;
  let list: unknown = value;
  if (!Array.isArray(value) && typeof value === "object") {
    const o = value as Record<string, unknown>;
    list = o.skeleton;
    if (Array.isArray(o.keypoints) && o.keypoints.every((k) => typeof k === "string")) names = o.keypoints as string[];
  }
  if (!Array.isArray(list)) {
    out.problems.push("skeleton: expected a list of pairs, e.g. [[\"nose\",\"left_eye\"]] or [[1,2]]");
    return out;
  }
  const seen = new Set<string>();
  list.forEach((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) {
      out.problems.push(`skeleton[${i}]: expected a pair of two labels or two 1-based label numbers`);
      return;
    }
    const ends: string[] = [];
    for (const end of pair as unknown[]) {
      const name =
        typeof end === "number" && Number.isInteger(end) ? names[end - 1] : typeof end === "string" ? end : undefined;
      if (name === undefined || !labels.includes(name)) {
        out.problems.push(`skeleton[${i}]: ${JSON.stringify(end)} is not one of the labels`);
        return;
      }
      ends.push(name);
    }
    const [a, b] = ends as [string, string];
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    if (a === b || seen.has(key)) return; // a loop or a repeat draws nothing new
    seen.add(key);
    out.edges.push([a, b]);
  });
  return out;
}

/** The keypoints split into instances: in model order, a label seen again starts the next one. */
export function keypointInstances(shapes: readonly Shape[]): Map<string, Shape>[] {
  const out: Map<string, Shape>[] = [];
  let current = new Map<string, Shape>();
  for (const s of shapes) {
    if (s.kind !== "point") continue;
    if (current.has(s.label)) {
      out.push(current);
      current = new Map();
    }
    current.set(s.label, s);
  }
  if (current.size) out.push(current);
  return out;
}

/** One drawn skeleton segment: the two points' shapes (for ids and labels) and their positions. */
export interface SkeletonSegment {
  a: Shape;
  b: Shape;
  from: Point;
  to: Point;
}

/** Every skeleton segment whose two ends exist in the same instance and are not hidden. */
export function skeletonSegments(shapes: readonly Shape[], edges: readonly SkeletonEdge[]): SkeletonSegment[] {
  const out: SkeletonSegment[] = [];
  if (!edges.length) return out;
  for (const inst of keypointInstances(shapes)) {
    for (const [la, lb] of edges) {
      const a = inst.get(la);
      const b = inst.get(lb);
      if (a && b && !a.hidden && !b.hidden) out.push({ a, b, from: a.points[0]!, to: b.points[0]! });
    }
  }
  return out;
}

/**
 * The label to arm after a point is placed in keypoint-set mode: the next label (in list order,
 * after `placed`) that the newest instance still lacks; when it has them all, the first label,
 * which starts the next instance.
 */
export function nextSetLabel(shapes: readonly Shape[], labels: readonly string[], placed: string): number {
  const inst = keypointInstances(shapes).pop() ?? new Map<string, Shape>();
  const from = Math.max(0, labels.indexOf(placed));
  for (let k = 1; k <= labels.length; k++) {
    const i = (from + k) % labels.length;
    if (!inst.has(labels[i]!)) return i;
  }
  return 0;
}
