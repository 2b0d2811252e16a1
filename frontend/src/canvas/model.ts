/**
 * The box model: rectangles in whole image pixels on the shared object model (`object-model.ts`:
 * list, history, label, hide/lock, attribute steps). No DOM, no Konva. Every edit the worker
 * makes is clamped inside the image; loaded values are kept as given.
 */
import { clampMove, clampRect, type Rect, type Size } from "./geometry";
import {
  EMPTY_ATTRIBUTES,
  copyMeta,
  metaOutput,
  parseAttributeValues,
  parseMeta,
  type AttributeValue,
  type AttributeValues,
  type ObjectMeta,
  type OutputMeta,
} from "./object-meta";
import { HISTORY_LIMIT, ObjectModel, type AnnotationObject, type ObjectModelEvent } from "./object-model";

/** A box: its bounds, label, view state and meta (attribute values, assist provenance). */
export interface Box extends Rect, AnnotationObject {}

/** What may change on a box in one step. */
export type BoxPatch = Partial<Omit<Box, "id">>;

/** Ground Truth's output box (with `labelCategoryAttributes` when it has attribute values). */
export interface OutputBox extends OutputMeta {
  label: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface BoundingBoxOutput {
  boundingBoxes: OutputBox[];
  inputImageProperties: Size;
  /** The whole image's attribute values (present when there are some). */
  frameAttributes?: Record<string, AttributeValue>;
}

/** The box model's events: the shared object model's. */
export type ModelEvent = ObjectModelEvent;

export { HISTORY_LIMIT };

export class BoxModel extends ObjectModel<Box> {
  protected readonly noun = "box";

  /** Boxes in drawing order (later ones on top). Do not mutate: use commands. */
  get boxes(): readonly Box[] {
    return this._objects;
  }

  // ---- convenience: build and execute a command, return what it did -------------------------

  /**
   * Adds a box (clamped inside the image); returns its id. `meta` gives it attribute values (a
   * paste) or an assist's provenance.
   */
  addBox(label: string, rect: Rect, meta?: Partial<ObjectMeta>): number {
    const box: Box = {
      id: this.allocateId(),
      label,
      ...this.clamp(rect),
      hidden: false,
      locked: false,
      ...copyMeta({ attributes: EMPTY_ATTRIBUTES, ...meta }),
    };
    this.addObjects([box], "Draw box");
    return box.id;
  }

  /** Moves a box to `rect`'s position, keeping its size, inside the image. */
  moveBox(id: number, rect: Rect): boolean {
    return this.patchBox(id, this.clampMoved(rect), "Move box");
  }

  /** Gives a box new bounds (a resize), cut at the image edges. */
  resizeBox(id: number, rect: Rect): boolean {
    return this.patchBox(id, this.clamp(rect), "Resize box");
  }

  deleteBoxes(ids: number[]): boolean {
    return this.removeObjects(ids, (boxes) => (boxes.length === 1 ? "Delete box" : `Delete ${boxes.length} boxes`));
  }

  /** Applies `patch` as one undoable step; false (and no step) when nothing would change. */
  patchBox(id: number, patch: BoxPatch, title: string): boolean {
    return this.patchObject(id, patch, title);
  }

  clamp(rect: Rect): Rect {
    return this._image.width && this._image.height ? clampRect(rect, this._image) : roundRect(rect);
  }

  clampMoved(rect: Rect): Rect {
    return this._image.width && this._image.height ? clampMove(rect, this._image) : roundRect(rect);
  }

  // ---- loading and output ------------------------------------------------------------------

  /**
   * Replaces every box (initial-value, a restored draft) and the image's attribute values, and
   * forgets the history.
   */
  load(boxes: readonly OutputBox[], frameAttributes: AttributeValues = EMPTY_ATTRIBUTES): void {
    this.loadObjects(
      boxes,
      (b, id) => {
        const { label, left, top, width, height } = b;
        return { id, label, left, top, width, height, hidden: false, locked: false, ...parseMeta(b as unknown as Record<string, unknown>) };
      },
      frameAttributes,
    );
  }

  /** Ground Truth's output: every box (hidden ones too: hiding is a view aid) in image pixels. */
  output(): BoundingBoxOutput {
    return this.withFrame<BoundingBoxOutput>({
      boundingBoxes: this._objects.map((b) => ({
        label: b.label,
        left: b.left,
        top: b.top,
        width: b.width,
        height: b.height,
        ...metaOutput(b),
      })),
      inputImageProperties: { width: this._image.width, height: this._image.height },
    });
  }
}

function roundRect(r: Rect): Rect {
  return { left: Math.round(r.left), top: Math.round(r.top), width: Math.round(r.width), height: Math.round(r.height) };
}

// ---- parsing -------------------------------------------------------------------------------

export interface Parsed {
  boxes: OutputBox[];
  /** The answer's `frameAttributes` (absent when none). */
  frameAttributes?: AttributeValues;
  /** One line per entry that was left out, naming it and why. */
  problems: string[];
}

function finite(v: unknown): number | null {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : null;
}

/**
 * `initial-value` or a draft: an array of `{label, left, top, width, height}`, Ground Truth's
 * output object `{boundingBoxes: [...]}`, or the server's stored answer `{boxes: [...]}`. Entries with missing or non-numeric geometry, or a
 * non-positive size, are left out and reported.
 */
export function parseBoxes(value: unknown): Parsed {
  const out: Parsed = { boxes: [], problems: [] };
  if (value === null || value === undefined || value === "") return out;
  let list: unknown = value;
  if (!Array.isArray(list) && typeof list === "object") {
    // Ground Truth's output shape, or the server's stored (canonical) shape.
    const o = list as { boundingBoxes?: unknown; boxes?: unknown; frameAttributes?: unknown };
    list = o.boundingBoxes ?? o.boxes;
    const frame = parseAttributeValues(o.frameAttributes);
    if (Object.keys(frame).length) out.frameAttributes = frame;
  }
  if (!Array.isArray(list)) {
    out.problems.push("expected an array of boxes or an object with boundingBoxes (or boxes)");
    return out;
  }
  list.forEach((item, i) => {
    if (!item || typeof item !== "object") {
      out.problems.push(`box ${i}: not an object`);
      return;
    }
    const r = item as Record<string, unknown>;
    const geometry: Record<string, number> = {};
    for (const key of ["left", "top", "width", "height"]) {
      const n = finite(r[key]);
      if (n === null) {
        out.problems.push(`box ${i}: "${key}" is missing or not a number`);
        return;
      }
      geometry[key] = n;
    }
    if (geometry.width! <= 0 || geometry.height! <= 0) {
      out.problems.push(`box ${i}: width and height must be positive`);
      return;
    }
    const label = typeof r.label === "string" ? r.label : r.label === undefined ? "" : String(r.label);
    out.boxes.push({ label, left: geometry.left!, top: geometry.top!, width: geometry.width!, height: geometry.height!, ...metaOutput(parseMeta(r)) });
  });
  return out;
}
