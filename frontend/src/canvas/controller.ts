/**
 * The controller: turns pointer and key input (already in image coordinates) into model
 * commands, selection and viewport changes. One handler class per tool (draw, select, pan);
 * the view is reached only through `ViewPort`, so everything here runs without a canvas.
 */
import type { AttributeValues } from "./object-meta";
import {
  containsPoint,
  handleAt,
  rectFromPoints,
  resizeRect,
  type Handle,
  type Point,
  type Rect,
  type Size,
} from "./geometry";
import type { Box, BoxModel } from "./model";
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

/** What the controller needs from the view. */
export interface ViewPort {
  readonly viewport: Viewport;
  setViewport(v: Viewport): void;
  containerSize(): Size;
  /** The box being drawn, or null to clear it. */
  showDraft(rect: Rect | null): void;
  /** A box's bounds while it is moved or resized (before the command), or null when done. */
  showPreview(id: number, rect: Rect | null): void;
  setCursor(cursor: string): void;
}

export type ToolName = "draw" | "select" | "pan";

export type ControllerEvent =
  | { kind: "selection"; id: number | null }
  | { kind: "tool"; tool: ToolName }
  | { kind: "label"; index: number }
  | { kind: "viewport" };

/** One tool: receives a gesture (down, moves, up) and nothing else. */
export interface ToolHandler {
  readonly name: ToolName;
  readonly cursor: string;
  down(p: PointerInput): void;
  move(p: PointerInput): void;
  up(p: PointerInput): void;
  /** Abandons the gesture in progress (Escape, pointer lost) without a command. */
  cancel(): void;
}

/** A drag shorter than this (screen px) is a click. */
export const CLICK_SLOP_PX = 3;
/** Handles are grabbed within this distance (screen px). */
export const HANDLE_RADIUS_PX = 7;
/** Arrow keys move a selected box by 1 px, with Shift by this much. */
export const NUDGE_BIG = 10;
/** A pasted box lands this far (image px) down and right of the copied one. */
export const PASTE_OFFSET = 10;

type Listener = (e: ControllerEvent) => void;

const HANDLE_CURSORS: Record<Handle, string> = {
  nw: "nwse-resize", se: "nwse-resize", ne: "nesw-resize", sw: "nesw-resize",
  n: "ns-resize", s: "ns-resize", e: "ew-resize", w: "ew-resize",
};

/** Moving or resizing the selected box: shared by the select tool and the draw tool. */
class EditGesture {
  private last: Rect;
  constructor(
    private readonly c: Controller,
    private readonly box: Box,
    private readonly handle: Handle | null,
    private readonly start: Point,
  ) {
    this.last = { left: box.left, top: box.top, width: box.width, height: box.height };
  }

  move(p: PointerInput): void {
    const dx = p.image.x - this.start.x;
    const dy = p.image.y - this.start.y;
    const b = this.box;
    const m = this.c.model;
    this.last = this.handle
      ? m.clamp(resizeRect(b, this.handle, dx, dy))
      : m.clampMoved({ left: b.left + dx, top: b.top + dy, width: b.width, height: b.height });
    this.c.view.showPreview(b.id, this.last);
  }

  up(): void {
    this.c.view.showPreview(this.box.id, null);
    if (this.handle) this.c.model.resizeBox(this.box.id, this.last);
    else this.c.model.moveBox(this.box.id, this.last);
  }

  cancel(): void {
    this.c.view.showPreview(this.box.id, null);
  }
}

/** Starts a move or resize when `p` is on the selected box or one of its handles. */
function editAt(c: Controller, p: PointerInput): EditGesture | null {
  const sel = c.selected;
  if (!sel || sel.locked || sel.hidden) return null;
  const handle = handleAt(sel, p.image, HANDLE_RADIUS_PX / c.view.viewport.scale);
  if (handle) return new EditGesture(c, sel, handle, p.image);
  if (containsPoint(sel, p.image)) return new EditGesture(c, sel, null, p.image);
  return null;
}

/** A click on the selected box selects the smallest box under the pointer (one nested in it). */
function selectNested(c: Controller, p: PointerInput): void {
  const hit = c.hitTest(p.image);
  if (hit !== null) c.select(hit);
}

function isClick(a: Point, b: Point): boolean {
  return Math.abs(a.x - b.x) < CLICK_SLOP_PX && Math.abs(a.y - b.y) < CLICK_SLOP_PX;
}

/**
 * Draw: drag draws a box with the current label (then selects it). On the selected box, a drag
 * moves it and a handle resizes it, so a box can be adjusted right after it is drawn. A click
 * selects the box under the pointer (or clears the selection).
 */
export class DrawTool implements ToolHandler {
  readonly name = "draw" as const;
  readonly cursor = "crosshair";
  private start: PointerInput | null = null;
  private edit: EditGesture | null = null;
  private drawing = false;

  constructor(private readonly c: Controller) {}

  down(p: PointerInput): void {
    if (p.button !== 0) return;
    // Shift draws even on the selected box (e.g. a small box inside a large selected one).
    this.edit = p.shift ? null : editAt(this.c, p);
    this.start = p;
    this.drawing = false;
  }

  move(p: PointerInput): void {
    if (this.edit) return this.edit.move(p);
    if (!this.start) return;
    if (!this.drawing && isClick(this.start.screen, p.screen)) return;
    if (this.c.currentLabel === null) return;
    this.drawing = true;
    this.c.view.showDraft(this.c.model.clamp(rectFromPoints(this.start.image, p.image)));
  }

  up(p: PointerInput): void {
    const start = this.start;
    const edit = this.edit;
    this.start = null;
    this.edit = null;
    if (!start) return;
    if (edit) {
      if (isClick(start.screen, p.screen)) {
        edit.cancel();
        selectNested(this.c, p);
      } else edit.up();
      return;
    }
    if (!this.drawing) {
      this.c.select(this.c.hitTest(p.image));
      return;
    }
    this.drawing = false;
    this.c.view.showDraft(null);
    const label = this.c.currentLabel;
    if (label === null) return;
    const id = this.c.model.addBox(label, rectFromPoints(start.image, p.image));
    this.c.select(id);
  }

  cancel(): void {
    this.edit?.cancel();
    this.edit = null;
    this.start = null;
    this.drawing = false;
    this.c.view.showDraft(null);
  }
}

/** Select: a click selects the box under the pointer; a drag moves it, a handle resizes it. */
export class SelectTool implements ToolHandler {
  readonly name = "select" as const;
  readonly cursor = "default";
  private edit: EditGesture | null = null;
  private start: Point | null = null;

  constructor(private readonly c: Controller) {}

  down(p: PointerInput): void {
    if (p.button !== 0) return;
    this.start = p.screen;
    this.edit = editAt(this.c, p);
    if (this.edit) return;
    const id = this.c.hitTest(p.image);
    this.c.select(id);
    this.edit = editAt(this.c, p);
  }

  move(p: PointerInput): void {
    this.edit?.move(p);
  }

  up(p: PointerInput): void {
    if (this.edit && this.start && !isClick(this.start, p.screen)) this.edit.up();
    else if (this.edit) {
      this.edit.cancel();
      selectNested(this.c, p);
    }
    this.edit = null;
    this.start = null;
  }

  cancel(): void {
    this.edit?.cancel();
    this.edit = null;
    this.start = null;
  }
}

/** What the pan tool needs from its controller (the box and the shape controllers both give it). */
export interface PanHost {
  readonly view: Pick<ViewPort, "viewport" | "setCursor">;
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

export class Controller {
  private readonly tools: Record<ToolName, ToolHandler>;
  private _tool: ToolName = "draw";
  /** The handler of the gesture in progress (the pan tool for middle button / Space). */
  private gesture: ToolHandler | null = null;
  private spaceHeld = false;
  private hoverCursor = "";
  /** The box copied with Ctrl+C (label, bounds and attribute values), pasted with Ctrl+V. */
  private clipboard: { label: string; rect: Rect; attributes: AttributeValues } | null = null;
  private _selected: number | null = null;
  private _labelIndex = 0;
  private readonly listeners = new Set<Listener>();

  constructor(
    readonly model: BoxModel,
    readonly view: ViewPort,
    private _labels: readonly string[],
  ) {
    this.tools = { draw: new DrawTool(this), select: new SelectTool(this), pan: new PanTool(this) };
    // A selected box that disappears (undo of a draw, delete) is no longer selected.
    model.subscribe((e) => {
      if (this._selected !== null && (e.kind === "removed" || e.kind === "reset") && !model.get(this._selected)) {
        this.select(null);
      }
    });
  }

  // ---- state -------------------------------------------------------------------------------

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: ControllerEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  get labels(): readonly string[] {
    return this._labels;
  }

  setLabels(labels: readonly string[]): void {
    this._labels = labels;
    if (this._labelIndex >= labels.length) this._labelIndex = 0;
    this.emit({ kind: "label", index: this._labelIndex });
  }

  get labelIndex(): number {
    return this._labelIndex;
  }

  /** The label new boxes get, or null when no labels are configured (nothing can be drawn). */
  get currentLabel(): string | null {
    return this._labels[this._labelIndex] ?? null;
  }

  get tool(): ToolName {
    return this._tool;
  }

  get cursor(): string {
    return this.spaceHeld ? "grab" : this.tools[this._tool].cursor;
  }

  get selectedId(): number | null {
    return this._selected;
  }

  get selected(): Box | null {
    return this._selected === null ? null : this.model.get(this._selected) ?? null;
  }

  // ---- actions -----------------------------------------------------------------------------

  setTool(tool: ToolName): void {
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
   * Chooses the label for new boxes; a selected box takes it too (the usual way to relabel:
   * select, then press the label's number).
   */
  chooseLabel(index: number): boolean {
    const label = this._labels[index];
    if (label === undefined) return false;
    this._labelIndex = index;
    this.emit({ kind: "label", index });
    const sel = this.selected;
    if (sel && !sel.locked) this.model.setLabel(sel.id, label);
    return true;
  }

  deleteSelected(): boolean {
    const sel = this.selected;
    if (!sel || sel.locked) return false;
    return this.model.deleteBoxes([sel.id]);
  }

  undo(): boolean {
    return this.step(() => this.model.undo());
  }

  redo(): boolean {
    return this.step(() => this.model.redo());
  }

  /** Runs an undo or redo and selects the box it put back or changed, so the worker sees it. */
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

  /** Copies the selected box (kept in the controller: the frame has no clipboard access). */
  copy(): boolean {
    const sel = this.selected;
    if (!sel) return false;
    this.clipboard = {
      label: sel.label,
      rect: { left: sel.left, top: sel.top, width: sel.width, height: sel.height },
      attributes: sel.attributes,
    };
    return true;
  }

  /** Pastes the copied box PASTE_OFFSET px down and right of the original (so it is seen), and selects it. */
  paste(): boolean {
    const clip = this.clipboard;
    if (!clip) return false;
    const r = clip.rect;
    const rect = this.model.clampMoved({ ...r, left: r.left + PASTE_OFFSET, top: r.top + PASTE_OFFSET });
    // A copy is the worker's own box: it keeps the attribute values, not an assist's provenance.
    this.select(this.model.addBox(clip.label, rect, { attributes: clip.attributes }));
    // The next paste lands further on, not on top of this one.
    this.clipboard = { ...clip, rect };
    return true;
  }

  nudge(dx: number, dy: number): boolean {
    const sel = this.selected;
    if (!sel || sel.locked) return false;
    this.model.moveBox(sel.id, { left: sel.left + dx, top: sel.top + dy, width: sel.width, height: sel.height });
    return true;
  }

  /**
   * The box under `p`: visible, not locked, containing the point (with a few screen pixels of
   * slack); the smallest one when boxes overlap, so a box inside a bigger one can be picked.
   */
  hitTest(p: Point): number | null {
    const slack = 2 / this.view.viewport.scale;
    let best: Box | null = null;
    let bestArea = Infinity;
    const boxes = this.model.boxes;
    for (let i = boxes.length - 1; i >= 0; i--) {
      const b = boxes[i]!;
      if (b.hidden || b.locked || !containsPoint(b, p, slack)) continue;
      const area = b.width * b.height;
      if (area < bestArea) {
        best = b;
        bestArea = area;
      }
    }
    return best ? best.id : null;
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

  /** Pans (keeping the zoom) so the box is in the middle of the view, unless it is wholly in view already. */
  reveal(id: number): void {
    const b = this.model.get(id);
    if (!b) return;
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
    if (this.gesture || this.spaceHeld || this._tool === "pan") return;
    const sel = this.selected;
    let cursor = this.cursor;
    if (sel && !sel.locked && !sel.hidden) {
      const h = handleAt(sel, p.image, HANDLE_RADIUS_PX / this.view.viewport.scale);
      if (h) cursor = HANDLE_CURSORS[h];
      else if (containsPoint(sel, p.image)) cursor = "move";
    }
    if (cursor !== this.hoverCursor) {
      this.hoverCursor = cursor;
      this.view.setCursor(cursor);
    }
  }

  pointerCancel(): void {
    this.gesture?.cancel();
    this.gesture = null;
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
    switch (key) {
      case "Delete":
      case "Backspace":
        return this.deleteSelected();
      case "Escape":
        if (this.gesture) {
          this.pointerCancel();
          return true;
        }
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
      case "b":
        this.setTool("draw");
        return true;
      case "v":
        this.setTool("select");
        return true;
      case "h":
        this.setTool("pan");
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
