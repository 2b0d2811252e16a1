/**
 * What the box model and the shape model share: a list of annotation objects in drawing order
 * with an id index, the image size, the image's attribute values, and an undo/redo history of
 * commands. Plain data; no DOM, no Konva. `BoxModel` (rectangles) and `ShapeModel` (point lists)
 * add their geometry, their commands' titles and their output on top.
 *
 * Every change the worker makes is a command run by `execute()`, so undo/redo covers draw, move,
 * edit, relabel, delete, hide, lock and attribute values alike; a step that would change nothing
 * is not recorded. `loadObjects()` replaces the objects and clears the history.
 */
import { NO_LIMITS, type EditLimits } from "./edit-limits";
import type { Size } from "./geometry";
import {
  EMPTY_ATTRIBUTES,
  sameValues,
  withAttribute,
  type AttributeValue,
  type AttributeValues,
  type ObjectMeta,
} from "./object-meta";

/** An object on the canvas: an id (never reused), a label, view state and meta. */
export interface AnnotationObject extends ObjectMeta {
  readonly id: number;
  label: string;
  /** A view aid: not drawn or hit, still in the output. */
  hidden: boolean;
  /** Cannot be hit, moved, edited, relabelled or deleted (unlock it from the region list). */
  locked: boolean;
  /** Loaded (initial-value, a draft), not made in this session: `editsAllowed` applies to it. */
  earlier?: boolean;
  /**
   * Its label says `editsAllowed: none` (edit-limits.ts): like `locked`, but the worker cannot
   * unlock it. Kept apart from `locked`, the worker's own toggle.
   */
  editLocked?: boolean;
}

/** Whether an object is out of the worker's reach on the canvas: locked by the worker or by the label file. */
export function isFrozen(o: AnnotationObject): boolean {
  return o.locked || o.editLocked === true;
}

export type ObjectModelEvent =
  | { kind: "reset" }
  | { kind: "added"; ids: number[] }
  | { kind: "removed"; ids: number[] }
  | { kind: "changed"; ids: number[] };

export interface ModelCommand<T extends AnnotationObject = AnnotationObject> {
  /** Shown in the undo button's tooltip. */
  readonly title: string;
  apply(model: ObjectModel<T>): void;
  revert(model: ObjectModel<T>): void;
}

/** How many steps undo goes back; older ones are dropped so a long session stays bounded. */
export const HISTORY_LIMIT = 500;

/** Patch keys that are views of an object, not part of the answer: changing them is no edit. */
const VIEW_KEYS = new Set(["hidden", "locked"]);
/** What may still change on an edit-locked object: the view aids and (each per its own limit) attribute values. */
const EDIT_LOCK_FREE_KEYS = new Set(["hidden", "attributes", "edited"]);

/** "Set name" / "Clear name": the title of an attribute step. */
function attributeTitle(name: string, value: AttributeValue | null): string {
  return value === null || value === "" ? `Clear ${name}` : `Set ${name}`;
}

export abstract class ObjectModel<T extends AnnotationObject> {
  protected _objects: T[] = [];
  protected readonly _byId = new Map<number, T>();
  protected _nextId = 1;
  protected _image: Size = { width: 0, height: 0 };
  private _frame: AttributeValues = EMPTY_ATTRIBUTES;
  private _limits: EditLimits = NO_LIMITS;
  private readonly _undo: ModelCommand<T>[] = [];
  private readonly _redo: ModelCommand<T>[] = [];
  private readonly _listeners = new Set<(e: ObjectModelEvent) => void>();

  /** The word in hide/lock step titles ("Hide box"); empty for none ("Hide"). */
  protected abstract readonly noun: string;

  // ---- reading -----------------------------------------------------------------------------

  /** Objects in drawing order (later ones on top). Do not mutate: use commands. */
  get objects(): readonly T[] {
    return this._objects;
  }

  get size(): number {
    return this._objects.length;
  }

  get(id: number): T | undefined {
    return this._byId.get(id);
  }

  get image(): Size {
    return this._image;
  }

  /** Set once the image has loaded: its natural size bounds every object the worker edits. */
  setImageSize(size: Size): void {
    this._image = { width: Math.round(size.width), height: Math.round(size.height) };
    this.emit({ kind: "reset" });
  }

  /** The whole image's attribute values (Ground Truth's frameAttributes). */
  get frameAttributes(): AttributeValues {
    return this._frame;
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

  // ---- editsAllowed ------------------------------------------------------------------------

  get editLimits(): EditLimits {
    return this._limits;
  }

  /**
   * Sets what the label file forbids (edit-limits.ts) and marks the earlier objects of "none"
   * labels edit-locked. Not a step: the limits are the task's, not the worker's.
   */
  setEditLimits(limits: EditLimits): void {
    this._limits = limits;
    for (const o of this._objects) o.editLocked = o.earlier === true && limits.labels.has(o.label);
    this.emit({ kind: "reset" });
  }

  /** Whether an object of `label` may be drawn, pasted or relabelled to. */
  mayUseLabel(label: string): boolean {
    return !this._limits.labels.has(label);
  }

  /** Whether attribute `name` of object `o` may change (an earlier object's "none" attribute may not). */
  mayChangeAttribute(o: AnnotationObject, name: string): boolean {
    return !(o.earlier && this._limits.attributeFixed(o.label, name));
  }

  /** Whether the image's attribute `name` may change. */
  mayChangeFrameAttribute(name: string): boolean {
    return !this._limits.frame.has(name);
  }

  // ---- events ------------------------------------------------------------------------------

  subscribe(fn: (e: ObjectModelEvent) => void): () => void {
    this._listeners.add(fn);
    return () => this._listeners.delete(fn);
  }

  protected emit(e: ObjectModelEvent): void {
    for (const fn of this._listeners) fn(e);
  }

  // ---- history -----------------------------------------------------------------------------

  execute(cmd: ModelCommand<T>): void {
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

  /** A new object id (ids are never reused, so a command can refer to an object after undo/redo). */
  allocateId(): number {
    return this._nextId++;
  }

  // ---- steps every kind of object takes ------------------------------------------------------

  /**
   * Applies `patch` as one undoable step; false (and no step) when nothing would change. A
   * worker's change to a model-made object (anything but hide/lock) marks it edited; undo takes
   * the mark back with it.
   */
  patchObject(id: number, patch: Partial<Omit<T, "id">>, title: string): boolean {
    const o = this._byId.get(id);
    if (!o) return false;
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    const current = o as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(patch)) {
      if (current[key] !== value) {
        before[key] = current[key];
        after[key] = value;
      }
    }
    if (!Object.keys(after).length) return false;
    // editsAllowed: an edit-locked object keeps its geometry and label; no object takes a "none" label.
    if (o.editLocked && Object.keys(after).some((k) => !EDIT_LOCK_FREE_KEYS.has(k))) return false;
    if ("label" in after && !this.mayUseLabel(after.label as string)) return false;
    if (o.source === "model" && !o.edited && Object.keys(after).some((k) => !VIEW_KEYS.has(k))) {
      before.edited = o.edited ?? false;
      after.edited = true;
    }
    this.execute(new PatchObject<T>(id, before as Partial<T>, after as Partial<T>, title));
    return true;
  }

  setLabel(id: number, label: string): boolean {
    return this.patchObject(id, { label } as Partial<Omit<T, "id">>, "Change label");
  }

  setHidden(id: number, hidden: boolean): boolean {
    return this.patchObject(id, { hidden } as Partial<Omit<T, "id">>, this.titled(hidden ? "Hide" : "Show"));
  }

  setLocked(id: number, locked: boolean): boolean {
    return this.patchObject(id, { locked } as Partial<Omit<T, "id">>, this.titled(locked ? "Lock" : "Unlock"));
  }

  /** Sets one attribute of an object (null or "" clears it) as one undoable step. */
  setAttribute(id: number, name: string, value: AttributeValue | null): boolean {
    const o = this._byId.get(id);
    if (!o) return false;
    if (!this.mayChangeAttribute(o, name)) return false;
    const attributes = withAttribute(o.attributes, name, value);
    if (sameValues(attributes, o.attributes)) return false;
    return this.patchObject(id, { attributes } as Partial<Omit<T, "id">>, attributeTitle(name, value));
  }

  /** Sets one of the image's attributes (null or "" clears it) as one undoable step. */
  setFrameAttribute(name: string, value: AttributeValue | null): boolean {
    if (!this.mayChangeFrameAttribute(name)) return false;
    const after = withAttribute(this._frame, name, value);
    if (sameValues(after, this._frame)) return false;
    this.execute(new SetFrameAttributes<T>(this._frame, after, attributeTitle(name, value)));
    return true;
  }

  /** Removes the objects with these ids (those that exist) as one step; `title` names it. */
  protected removeObjects(ids: readonly number[], title: (removed: T[]) => string): boolean {
    const found = ids.map((id) => this._byId.get(id)).filter((o): o is T => o !== undefined && !o.editLocked);
    if (!found.length) return false;
    const removed = found.map((o) => ({ object: this.clone(o), index: this._objects.indexOf(o) }));
    this.execute(new RemoveObjects<T>(removed, title(found)));
    return true;
  }

  /** Adds objects on top as one step; returns nothing (the caller built them with their ids). */
  protected addObjects(objects: T[], title: string): void {
    // editsAllowed: no object of a "none" label is added (the controllers do not offer it either).
    const allowed = objects.filter((o) => this.mayUseLabel(o.label));
    if (allowed.length) this.execute(new AddObjects<T>(allowed, title));
  }

  private titled(verb: string): string {
    return this.noun ? `${verb} ${this.noun}` : verb;
  }

  // ---- low-level mutations, for commands only ------------------------------------------------

  /** A copy of an object that shares nothing mutable with it (commands keep copies). */
  protected clone(o: T): T {
    return { ...o };
  }

  /** @internal */
  _insert(o: T, index = this._objects.length): void {
    const copy = this.clone(o);
    this._objects.splice(Math.min(index, this._objects.length), 0, copy);
    this._byId.set(copy.id, copy);
    if (copy.id >= this._nextId) this._nextId = copy.id + 1;
  }

  /** @internal */
  _remove(id: number): void {
    const o = this._byId.get(id);
    if (!o) return;
    this._objects.splice(this._objects.indexOf(o), 1);
    this._byId.delete(id);
  }

  /** @internal */
  _patch(id: number, patch: Partial<T>): void {
    const o = this._byId.get(id);
    if (o) Object.assign(o, patch);
  }

  /** @internal */
  _setFrame(values: AttributeValues): void {
    this._frame = values;
  }

  /** @internal */
  _emit(e: ObjectModelEvent): void {
    this.emit(e);
  }

  // ---- loading -------------------------------------------------------------------------------

  /**
   * Replaces every object (initial-value, a restored draft) and the image's attribute values, and
   * forgets the history. `build` makes each object with the id it is given.
   */
  protected loadObjects<S>(items: readonly S[], build: (item: S, id: number) => T, frameAttributes: AttributeValues): void {
    this._objects = [];
    this._byId.clear();
    this._undo.length = 0;
    this._redo.length = 0;
    this._frame = frameAttributes;
    for (const item of items) {
      const o = build(item, this._nextId++);
      o.earlier = true;
      o.editLocked = this._limits.labels.has(o.label);
      this._insert(o);
    }
    this.emit({ kind: "reset" });
  }

  /** Replaces the image's attribute values without an undo step (a draft or initial value). */
  loadFrameAttributes(values: AttributeValues): void {
    this._frame = values;
    this.emit({ kind: "reset" });
  }

  /** `out` with the image's attribute values under `frameAttributes`, when there are some. */
  protected withFrame<O extends { frameAttributes?: Record<string, AttributeValue> }>(out: O): O {
    if (Object.keys(this._frame).length) out.frameAttributes = { ...this._frame };
    return out;
  }
}

// ---- commands ------------------------------------------------------------------------------

/** Objects added on top (a draw, a paste, an assist's proposals). */
export class AddObjects<T extends AnnotationObject> implements ModelCommand<T> {
  constructor(
    private readonly added: T[],
    readonly title: string,
  ) {}
  apply(m: ObjectModel<T>): void {
    for (const o of this.added) m._insert(o);
    m._emit({ kind: "added", ids: this.added.map((o) => o.id) });
  }
  revert(m: ObjectModel<T>): void {
    for (const o of this.added) m._remove(o.id);
    m._emit({ kind: "removed", ids: this.added.map((o) => o.id) });
  }
}

/** Objects deleted, each with its drawing-order index, so undo puts it back at the same depth. */
export class RemoveObjects<T extends AnnotationObject> implements ModelCommand<T> {
  constructor(
    private readonly removed: { object: T; index: number }[],
    readonly title: string,
  ) {
    this.removed.sort((a, b) => a.index - b.index);
  }
  apply(m: ObjectModel<T>): void {
    for (const r of this.removed) m._remove(r.object.id);
    m._emit({ kind: "removed", ids: this.removed.map((r) => r.object.id) });
  }
  revert(m: ObjectModel<T>): void {
    for (const r of this.removed) m._insert(r.object, r.index);
    m._emit({ kind: "added", ids: this.removed.map((r) => r.object.id) });
  }
}

/** One object's fields before and after a step. */
export class PatchObject<T extends AnnotationObject> implements ModelCommand<T> {
  constructor(
    private readonly id: number,
    private readonly before: Partial<T>,
    private readonly after: Partial<T>,
    readonly title: string,
  ) {}
  apply(m: ObjectModel<T>): void {
    m._patch(this.id, this.after);
    m._emit({ kind: "changed", ids: [this.id] });
  }
  revert(m: ObjectModel<T>): void {
    m._patch(this.id, this.before);
    m._emit({ kind: "changed", ids: [this.id] });
  }
}

/** The image's attribute values before and after a step. */
export class SetFrameAttributes<T extends AnnotationObject> implements ModelCommand<T> {
  constructor(
    private readonly before: AttributeValues,
    private readonly after: AttributeValues,
    readonly title: string,
  ) {}
  apply(m: ObjectModel<T>): void {
    m._setFrame(this.after);
    m._emit({ kind: "changed", ids: [] });
  }
  revert(m: ObjectModel<T>): void {
    m._setFrame(this.before);
    m._emit({ kind: "changed", ids: [] });
  }
}
