/**
 * What the box controller and the shape controller share: input types, the pan tool, and
 * `ObjectController`, which owns the selection, the current label, the active tool and the
 * gesture in progress, routes pointer input to the tool handlers, runs undo/redo (selecting what
 * a step touched), the viewport commands, and the keys both editors answer the same way. The
 * box controller (`controller.ts`) and the shape controller (`shape-controller.ts`) add their
 * tools, hit testing, clipboard and tool keys.
 */
import type { Point, Rect, Size } from "./geometry";
import { isFrozen, type AnnotationObject, type ObjectModel } from "./object-model";
import { actualSize, fit, panBy, zoomAt, type Viewport } from "./viewport";

export interface PointerInput {
  /** Where the pointer is, in image pixels. */
  image: Point;
  /** Where it is, in container (CSS) pixels. */
  screen: Point;
  /** 0 main, 1 middle, 2 secondary. */
  button: number;
  shift: boolean;
}

export interface KeyInput {
  key: string;
  ctrl: boolean;
  meta: boolean;
  shift: boolean;
  alt: boolean;
}

/** One tool: receives a gesture (down, moves, up) and nothing else. */
export interface ToolHandler {
  readonly name: string;
  readonly cursor: string;
  down(p: PointerInput): void;
  move(p: PointerInput): void;
  up(p: PointerInput): void;
  /** Abandons the gesture in progress (Escape, pointer lost) without a command. */
  cancel(): void;
}

/** What every controller needs from its view (each adds its draft and preview calls). */
export interface ViewportHost {
  readonly viewport: Viewport;
  setViewport(v: Viewport): void;
  containerSize(): Size;
  setCursor(cursor: string): void;
}

/** A drag shorter than this (screen px) is a click. */
export const CLICK_SLOP_PX = 3;
/** Handles and vertices are grabbed within this distance (screen px). */
export const HANDLE_RADIUS_PX = 7;
/** Arrow keys move a selected object by 1 px, with Shift by this much. */
export const NUDGE_BIG = 10;
/** A pasted object lands this far (image px) down and right of the copied one. */
export const PASTE_OFFSET = 10;

/** What the pan tool needs from its controller (the box, shape and mask controllers all give it). */
export interface PanHost {
  readonly view: Pick<ViewportHost, "viewport" | "setCursor">;
  readonly cursor: string;
  setViewport(v: Viewport): void;
}

/** Pan: drag moves the view. Also used for a middle-button drag and while Space is held. */
export class PanTool implements ToolHandler {
  readonly name = "pan" as const;
  readonly cursor = "grab";
  private last: Point | null = null;

  constructor(private readonly c: PanHost) {}

  down(p: PointerInput): void {
    this.last = p.screen;
    this.c.view.setCursor("grabbing");
  }

  move(p: PointerInput): void {
    if (!this.last) return;
    this.c.setViewport(panBy(this.c.view.viewport, p.screen.x - this.last.x, p.screen.y - this.last.y));
    this.last = p.screen;
  }

  up(): void {
    this.last = null;
    this.c.view.setCursor(this.c.cursor);
  }

  cancel(): void {
    this.up();
  }
}

/** The events every object controller sends (a controller may add its own kinds). */
export type ObjectControllerEvent<Tool extends string> =
  | { kind: "selection"; id: number | null }
  | { kind: "tool"; tool: Tool }
  | { kind: "label"; index: number }
  | { kind: "viewport" };

export abstract class ObjectController<
  T extends AnnotationObject,
  M extends ObjectModel<T>,
  V extends ViewportHost,
  Tool extends string,
  E extends { kind: string } = ObjectControllerEvent<Tool>,
> {
  /** One handler per tool, `pan` among them. */
  abstract readonly tools: Record<Tool | "pan", ToolHandler>;
  protected _tool: Tool;
  /** The handler of the gesture in progress (the pan tool for middle button / Space). */
  protected gesture: ToolHandler | null = null;
  protected spaceHeld = false;
  private hoverCursor = "";
  protected _selected: number | null = null;
  protected _labelIndex = 0;
  private readonly listeners = new Set<(e: E) => void>();

  constructor(
    readonly model: M,
    readonly view: V,
    protected _labels: readonly string[],
    tool: Tool,
  ) {
    this._tool = tool;
    this._labelIndex = this.firstUsableLabel();
    // A selected object that disappears (undo of a draw, delete) is no longer selected.
    model.subscribe((e) => {
      if (this._selected !== null && (e.kind === "removed" || e.kind === "reset") && !model.get(this._selected)) {
        this.select(null);
      }
    });
  }

  // ---- what each kind of controller says for itself ----------------------------------------

  /** The object under `p` (image px) that a click picks, or null. */
  abstract hitTest(p: Point): number | null;
  /** Moves the selected (unlocked) object by (dx, dy) image px. */
  protected abstract moveBy(o: T, dx: number, dy: number): boolean;
  protected abstract deleteObject(id: number): boolean;
  /** An object's bounds in image px (for `reveal`). */
  protected abstract boundsOf(o: T): Rect;
  /** The cursor over `p` with no button down, or null to leave it as it is. */
  protected abstract hoverCursorAt(p: PointerInput): string | null;
  /**
   * The keys of this controller's own tools (not modified, no Alt): true or false when it
   * answered the key (used or not), undefined to leave it to the shared keys.
   */
  protected abstract toolKey(key: string, k: KeyInput): boolean | undefined;
  abstract copy(): boolean;
  abstract paste(): boolean;

  // ---- state -------------------------------------------------------------------------------

  subscribe(fn: (e: E) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  protected emit(e: E | ObjectControllerEvent<Tool>): void {
    for (const fn of this.listeners) fn(e as E);
  }

  get labels(): readonly string[] {
    return this._labels;
  }

  setLabels(labels: readonly string[]): void {
    this._labels = labels;
    if (this._labelIndex >= labels.length || !this.model.mayUseLabel(labels[this._labelIndex]!)) this._labelIndex = this.firstUsableLabel();
    this.emit({ kind: "label", index: this._labelIndex });
  }

  get labelIndex(): number {
    return this._labelIndex;
  }

  /**
   * The label new objects get, or null when no labels are configured or none may be used
   * (`editsAllowed: none` on all of them): nothing can be drawn.
   */
  get currentLabel(): string | null {
    const label = this._labels[this._labelIndex];
    return label !== undefined && this.model.mayUseLabel(label) ? label : null;
  }

  /** The first label objects may be given (editsAllowed), else 0. */
  private firstUsableLabel(): number {
    return Math.max(0, this._labels.findIndex((l) => this.model.mayUseLabel(l)));
  }

  /** After the label file's limits change: a current label that may no longer be used moves on. */
  refreshLabel(): void {
    const label = this._labels[this._labelIndex];
    if (label !== undefined && !this.model.mayUseLabel(label)) {
      this._labelIndex = this.firstUsableLabel();
      this.emit({ kind: "label", index: this._labelIndex });
    }
  }

  get tool(): Tool {
    return this._tool;
  }

  get cursor(): string {
    return this.spaceHeld ? "grab" : this.tools[this._tool].cursor;
  }

  get selectedId(): number | null {
    return this._selected;
  }

  get selected(): T | null {
    return this._selected === null ? null : this.model.get(this._selected) ?? null;
  }

  // ---- actions -----------------------------------------------------------------------------

  setTool(tool: Tool): void {
    this.gesture?.cancel();
    this.gesture = null;
    this._tool = tool;
    this.view.setCursor(this.cursor);
    this.emit({ kind: "tool", tool });
  }

  select(id: number | null): void {
    if (id !== null && !this.model.get(id)) id = null;
    if (id === this._selected) return;
    this._selected = id;
    this.emit({ kind: "selection", id });
  }

  /**
   * Chooses the label for new objects; a selected object takes it too (the usual way to
   * relabel: select, then press the label's number).
   */
  chooseLabel(index: number): boolean {
    const label = this._labels[index];
    // editsAllowed: none: nothing is drawn with or relabelled to it (the chrome shows it disabled).
    if (label === undefined || !this.model.mayUseLabel(label)) return false;
    this._labelIndex = index;
    this.emit({ kind: "label", index });
    const sel = this.selected;
    if (sel && !isFrozen(sel)) this.model.setLabel(sel.id, label);
    return true;
  }

  deleteSelected(): boolean {
    const sel = this.selected;
    return sel && !isFrozen(sel) ? this.deleteObject(sel.id) : false;
  }

  nudge(dx: number, dy: number): boolean {
    const sel = this.selected;
    return sel && !isFrozen(sel) ? this.moveBy(sel, dx, dy) : false;
  }

  undo(): boolean {
    return this.step(() => this.model.undo());
  }

  redo(): boolean {
    return this.step(() => this.model.redo());
  }

  /** Runs an undo or redo and selects the object it put back or changed, so the worker sees it. */
  private step(run: () => boolean): boolean {
    this.gesture?.cancel();
    this.gesture = null;
    let touched: number | null = null;
    const off = this.model.subscribe((e) => {
      if ((e.kind === "added" || e.kind === "changed") && e.ids.length) touched = e.ids[e.ids.length - 1]!;
    });
    const done = run();
    off();
    if (touched !== null) this.select(touched);
    return done;
  }

  // ---- viewport ----------------------------------------------------------------------------

  setViewport(v: Viewport): void {
    this.view.setViewport(v);
    this.emit({ kind: "viewport" });
  }

  zoomAt(factor: number, anchor: Point): void {
    this.setViewport(zoomAt(this.view.viewport, factor, anchor));
  }

  fit(): void {
    this.setViewport(fit(this.model.image, this.view.containerSize()));
  }

  /** Pans (keeping the zoom) so the object is in the middle of the view, unless it is wholly in view already. */
  reveal(id: number): void {
    const o = this.model.get(id);
    if (!o) return;
    const b = this.boundsOf(o);
    const v = this.view.viewport;
    const s = this.view.containerSize();
    const x0 = b.left * v.scale + v.x, y0 = b.top * v.scale + v.y;
    const x1 = x0 + b.width * v.scale, y1 = y0 + b.height * v.scale;
    if (x0 >= 0 && y0 >= 0 && x1 <= s.width && y1 <= s.height) return;
    this.setViewport(panBy(v, s.width / 2 - (x0 + x1) / 2, s.height / 2 - (y0 + y1) / 2));
  }

  actualSize(): void {
    const s = this.view.containerSize();
    this.setViewport(actualSize(this.view.viewport, { x: s.width / 2, y: s.height / 2 }));
  }

  // ---- input -------------------------------------------------------------------------------

  pointerDown(p: PointerInput): void {
    this.gesture?.cancel();
    this.gesture = p.button === 1 || this.spaceHeld ? this.tools.pan : this.tools[this._tool];
    this.gesture.down(p);
  }

  pointerMove(p: PointerInput): void {
    this.gesture?.move(p);
  }

  pointerUp(p: PointerInput): void {
    const g = this.gesture;
    this.gesture = null;
    g?.up(p);
  }

  /** The pointer moves with no button down: the cursor says what a press would do there. */
  pointerHover(p: PointerInput): void {
    const cursor = this.hoverCursorAt(p);
    if (cursor !== null && cursor !== this.hoverCursor) {
      this.hoverCursor = cursor;
      this.view.setCursor(cursor);
    }
  }

  pointerCancel(): void {
    this.gesture?.cancel();
    this.gesture = null;
  }

  /** Esc after any gesture is cancelled and before the selection is cleared (a draft, say). */
  protected escape(): boolean {
    return false;
  }

  /** Returns true when the key was used (the caller then prevents its default). */
  keyDown(k: KeyInput): boolean {
    const mod = k.ctrl || k.meta;
    const key = k.key.length === 1 ? k.key.toLowerCase() : k.key;
    if (mod && !k.alt) {
      if (key === "z") return k.shift ? this.redo() || true : this.undo() || true;
      if (key === "y") return this.redo() || true;
      if (key === "c") return this.copy();
      if (key === "v") return this.paste();
      return false;
    }
    if (k.alt) return false;
    const own = this.toolKey(key, k);
    if (own !== undefined) return own;
    switch (key) {
      case "Delete":
      case "Backspace":
        return this.deleteSelected();
      case "Escape":
        if (this.gesture) {
          this.pointerCancel();
          return true;
        }
        if (this.escape()) return true;
        if (this._selected !== null) {
          this.select(null);
          return true;
        }
        return false;
      case " ":
        if (!this.spaceHeld) {
          this.spaceHeld = true;
          this.view.setCursor(this.cursor);
        }
        return true;
      case "v":
        this.setTool("select" as Tool);
        return true;
      case "h":
        this.setTool("pan" as Tool);
        return true;
      case "f":
        this.fit();
        return true;
      case "ArrowLeft":
        return this.nudge(k.shift ? -NUDGE_BIG : -1, 0);
      case "ArrowRight":
        return this.nudge(k.shift ? NUDGE_BIG : 1, 0);
      case "ArrowUp":
        return this.nudge(0, k.shift ? -NUDGE_BIG : -1);
      case "ArrowDown":
        return this.nudge(0, k.shift ? NUDGE_BIG : 1);
      default:
        return false;
    }
  }

  keyUp(k: KeyInput): void {
    if (k.key === " " && this.spaceHeld) {
      this.spaceHeld = false;
      this.view.setCursor(this.cursor);
    }
  }
}
