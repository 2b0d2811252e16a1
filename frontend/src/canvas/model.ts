/**
 * The box model: plain data plus the commands that change it, each undoable. No DOM, no Konva.
 * Everything the worker does to the boxes goes through `execute()`, so undo/redo covers it all;
 * loading a value (initial-value, a draft) replaces the state and clears the history.
 */
import { clampMove, clampRect, type Rect, type Size } from "./geometry";
import {
  EMPTY_ATTRIBUTES,
  copyMeta,
  metaOutput,
  parseAttributeValues,
  parseMeta,
  sameValues,
  withAttribute,
  type AttributeValue,
  type AttributeValues,
  type ObjectMeta,
  type OutputMeta,
} from "./object-meta";

/** A box: its bounds, label, view state and meta (attribute values, assist provenance). */
export interface Box extends Rect, ObjectMeta {
  readonly id: number;
  label: string;
  hidden: boolean;
  locked: boolean;
}

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

/** Patch keys that are views of a box, not part of the answer: changing them is no edit. */
const VIEW_KEYS = new Set(["hidden", "locked"]);

export interface Command {
  /** Shown in the undo button's tooltip. */
  readonly title: string;
  apply(model: BoxModel): void;
  revert(model: BoxModel): void;
}

export type ModelEvent =
  | { kind: "reset" }
  | { kind: "added"; ids: number[] }
  | { kind: "removed"; ids: number[] }
  | { kind: "changed"; ids: number[] };

type Listener = (e: ModelEvent) => void;

/** How many steps undo goes back; older ones are dropped so a long session stays bounded. */
export const HISTORY_LIMIT = 500;

export class BoxModel {
  private _boxes: Box[] = [];
  private readonly _byId = new Map<number, Box>();
  private _nextId = 1;
  private _image: Size = { width: 0, height: 0 };
  private _frame: AttributeValues = EMPTY_ATTRIBUTES;
  private readonly _undo: Command[] = [];
  private readonly _redo: Command[] = [];
  private readonly _listeners = new Set<Listener>();

  // ---- reading -----------------------------------------------------------------------------

  /** Boxes in drawing order (later ones on top). Do not mutate: use commands. */
  get boxes(): readonly Box[] {
    return this._boxes;
  }

  get size(): number {
    return this._boxes.length;
  }

  get(id: number): Box | undefined {
    return this._byId.get(id);
  }

  get image(): Size {
    return this._image;
  }

  /** The whole image's attribute values (Ground Truth's frameAttributes). */
  get frameAttributes(): AttributeValues {
    return this._frame;
  }

  /** Set once the image has loaded: its natural size bounds every box the worker edits. */
  setImageSize(size: Size): void {
    this._image = { width: Math.round(size.width), height: Math.round(size.height) };
    this.emit({ kind: "reset" });
  }

  get canUndo(): boolean {
    return this._undo.length > 0;
  }

  get canRedo(): boolean {
    return this._redo.length > 0;
  }

  get undoTitle(): string | null {
    return this._undo[this._undo.length - 1]?.title ?? null;
  }

  get redoTitle(): string | null {
    return this._redo[this._redo.length - 1]?.title ?? null;
  }

  // ---- events ------------------------------------------------------------------------------

  subscribe(fn: Listener): () => void {
    this._listeners.add(fn);
    return () => this._listeners.delete(fn);
  }

  private emit(e: ModelEvent): void {
    for (const fn of this._listeners) fn(e);
  }

  // ---- commands ----------------------------------------------------------------------------

  execute(cmd: Command): void {
    cmd.apply(this);
    this._undo.push(cmd);
    if (this._undo.length > HISTORY_LIMIT) this._undo.shift();
    this._redo.length = 0;
  }

  undo(): boolean {
    const cmd = this._undo.pop();
    if (!cmd) return false;
    cmd.revert(this);
    this._redo.push(cmd);
    return true;
  }

  redo(): boolean {
    const cmd = this._redo.pop();
    if (!cmd) return false;
    cmd.apply(this);
    this._undo.push(cmd);
    return true;
  }

  /** A new box id (ids are never reused, so a command can refer to a box after undo/redo). */
  allocateId(): number {
    return this._nextId++;
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
    this.execute(new AddBoxes([box]));
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

  setLabel(id: number, label: string): boolean {
    return this.patchBox(id, { label }, "Change label");
  }

  setHidden(id: number, hidden: boolean): boolean {
    return this.patchBox(id, { hidden }, hidden ? "Hide box" : "Show box");
  }

  /** Sets one attribute of a box (null or "" clears it) as one undoable step. */
  setAttribute(id: number, name: string, value: AttributeValue | null): boolean {
    const box = this._byId.get(id);
    if (!box) return false;
    const attributes = withAttribute(box.attributes, name, value);
    if (sameValues(attributes, box.attributes)) return false;
    return this.patchBox(id, { attributes }, value === null || value === "" ? `Clear ${name}` : `Set ${name}`);
  }

  /** Sets one of the image's attributes (null or "" clears it) as one undoable step. */
  setFrameAttribute(name: string, value: AttributeValue | null): boolean {
    const after = withAttribute(this._frame, name, value);
    if (sameValues(after, this._frame)) return false;
    this.execute(new SetFrameAttributes(this._frame, after, value === null || value === "" ? `Clear ${name}` : `Set ${name}`));
    return true;
  }

  setLocked(id: number, locked: boolean): boolean {
    return this.patchBox(id, { locked }, locked ? "Lock box" : "Unlock box");
  }

  deleteBoxes(ids: number[]): boolean {
    const boxes = ids.map((id) => this._byId.get(id)).filter((b): b is Box => b !== undefined);
    if (!boxes.length) return false;
    this.execute(new RemoveBoxes(boxes.map((b) => ({ box: { ...b }, index: this._boxes.indexOf(b) }))));
    return true;
  }

  /** Applies `patch` as one undoable step; false (and no step) when nothing would change. */
  patchBox(id: number, patch: BoxPatch, title: string): boolean {
    const box = this._byId.get(id);
    if (!box) return false;
    const before: BoxPatch = {};
    const after: BoxPatch = {};
    for (const key of Object.keys(patch) as (keyof BoxPatch)[]) {
      if (box[key] !== patch[key]) {
        (before as Record<string, unknown>)[key] = box[key];
        (after as Record<string, unknown>)[key] = patch[key];
      }
    }
    if (!Object.keys(after).length) return false;
    // A worker's change to a model-made box marks it edited (undo takes the mark back with it).
    if (box.source === "model" && !box.edited && Object.keys(after).some((k) => !VIEW_KEYS.has(k))) {
      before.edited = box.edited ?? false;
      after.edited = true;
    }
    this.execute(new PatchBox(id, before, after, title));
    return true;
  }

  clamp(rect: Rect): Rect {
    return this._image.width && this._image.height ? clampRect(rect, this._image) : roundRect(rect);
  }

  clampMoved(rect: Rect): Rect {
    return this._image.width && this._image.height ? clampMove(rect, this._image) : roundRect(rect);
  }

  // ---- low-level mutations, for commands only ------------------------------------------------

  /** @internal */
  _insert(box: Box, index = this._boxes.length): void {
    const copy = { ...box };
    this._boxes.splice(Math.min(index, this._boxes.length), 0, copy);
    this._byId.set(copy.id, copy);
    if (copy.id >= this._nextId) this._nextId = copy.id + 1;
  }

  /** @internal */
  _remove(id: number): void {
    const box = this._byId.get(id);
    if (!box) return;
    this._boxes.splice(this._boxes.indexOf(box), 1);
    this._byId.delete(id);
  }

  /** @internal */
  _patch(id: number, patch: BoxPatch): void {
    const box = this._byId.get(id);
    if (box) Object.assign(box, patch);
  }

  /** @internal */
  _setFrame(values: AttributeValues): void {
    this._frame = values;
  }

  /** @internal */
  _emit(e: ModelEvent): void {
    this.emit(e);
  }

  // ---- loading and output ------------------------------------------------------------------

  /**
   * Replaces every box (initial-value, a restored draft) and the image's attribute values, and
   * forgets the history.
   */
  load(boxes: readonly OutputBox[], frameAttributes: AttributeValues = EMPTY_ATTRIBUTES): void {
    this._boxes = [];
    this._byId.clear();
    this._undo.length = 0;
    this._redo.length = 0;
    this._frame = frameAttributes;
    for (const b of boxes) {
      const { label, left, top, width, height } = b;
      this._insert({ id: this._nextId++, label, left, top, width, height, hidden: false, locked: false, ...parseMeta(b as unknown as Record<string, unknown>) });
    }
    this.emit({ kind: "reset" });
  }

  /** Replaces the image's attribute values without an undo step (a draft or initial value). */
  loadFrameAttributes(values: AttributeValues): void {
    this._frame = values;
    this.emit({ kind: "reset" });
  }

  /** Ground Truth's output: every box (hidden ones too: hiding is a view aid) in image pixels. */
  output(): BoundingBoxOutput {
    const out: BoundingBoxOutput = {
      boundingBoxes: this._boxes.map((b) => ({
        label: b.label,
        left: b.left,
        top: b.top,
        width: b.width,
        height: b.height,
        ...metaOutput(b),
      })),
      inputImageProperties: { width: this._image.width, height: this._image.height },
    };
    if (Object.keys(this._frame).length) out.frameAttributes = { ...this._frame };
    return out;
  }
}

function roundRect(r: Rect): Rect {
  return { left: Math.round(r.left), top: Math.round(r.top), width: Math.round(r.width), height: Math.round(r.height) };
}

// ---- commands ------------------------------------------------------------------------------

export class AddBoxes implements Command {
  readonly title: string;
  constructor(private readonly added: Box[]) {
    this.title = added.length === 1 ? "Draw box" : `Add ${added.length} boxes`;
  }
  apply(m: BoxModel): void {
    for (const b of this.added) m._insert(b);
    m._emit({ kind: "added", ids: this.added.map((b) => b.id) });
  }
  revert(m: BoxModel): void {
    for (const b of this.added) m._remove(b.id);
    m._emit({ kind: "removed", ids: this.added.map((b) => b.id) });
  }
}

export class RemoveBoxes implements Command {
  readonly title: string;
  /** Each box with its drawing-order index, so undo puts it back at the same depth. */
  constructor(private readonly removed: { box: Box; index: number }[]) {
    this.title = removed.length === 1 ? "Delete box" : `Delete ${removed.length} boxes`;
    this.removed.sort((a, b) => a.index - b.index);
  }
  apply(m: BoxModel): void {
    for (const r of this.removed) m._remove(r.box.id);
    m._emit({ kind: "removed", ids: this.removed.map((r) => r.box.id) });
  }
  revert(m: BoxModel): void {
    for (const r of this.removed) m._insert(r.box, r.index);
    m._emit({ kind: "added", ids: this.removed.map((r) => r.box.id) });
  }
}

export class SetFrameAttributes implements Command {
  constructor(
    private readonly before: AttributeValues,
    private readonly after: AttributeValues,
    readonly title: string,
  ) {}
  apply(m: BoxModel): void {
    m._setFrame(this.after);
    m._emit({ kind: "changed", ids: [] });
  }
  revert(m: BoxModel): void {
    m._setFrame(this.before);
    m._emit({ kind: "changed", ids: [] });
  }
}

export class PatchBox implements Command {
  constructor(
    private readonly id: number,
    private readonly before: BoxPatch,
    private readonly after: BoxPatch,
    readonly title: string,
  ) {}
  apply(m: BoxModel): void {
    m._patch(this.id, this.after);
    m._emit({ kind: "changed", ids: [this.id] });
  }
  revert(m: BoxModel): void {
    m._patch(this.id, this.before);
    m._emit({ kind: "changed", ids: [this.id] });
  }
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
