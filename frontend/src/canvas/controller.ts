/**
 * The controller: turns pointer and key input (already in image coordinates) into model
 * commands, selection and viewport changes. One handler class per tool (draw, select, pan);
 * the view is reached only through `ViewPort`, so everything here runs without a canvas.
 */
import { isFrozen } from "./object-model";
import type { AttributeValues } from "./object-meta";
import {
  containsPoint,
  handleAt,
  rectFromPoints,
  resizeRect,
  type Handle,
  type Point,
  type Rect,
} from "./geometry";
import type { Box, BoxModel } from "./model";
import {
  CLICK_SLOP_PX,
  HANDLE_RADIUS_PX,
  ObjectController,
  PASTE_OFFSET,
  PanTool,
  type ObjectControllerEvent,
  type PointerInput,
  type ToolHandler,
  type ViewportHost,
} from "./object-controller";

export {
  CLICK_SLOP_PX,
  HANDLE_RADIUS_PX,
  NUDGE_BIG,
  PASTE_OFFSET,
  PanTool,
  type KeyInput,
  type PanHost,
  type PointerInput,
  type ToolHandler,
} from "./object-controller";

/** What the controller needs from the view. */
export interface ViewPort extends ViewportHost {
  /** The box being drawn, or null to clear it. */
  showDraft(rect: Rect | null): void;
  /** A box's bounds while it is moved or resized (before the command), or null when done. */
  showPreview(id: number, rect: Rect | null): void;
}

export type ToolName = "draw" | "select" | "pan";

export type ControllerEvent = ObjectControllerEvent<ToolName>;

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
  if (!sel || isFrozen(sel) || sel.hidden) return null;
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

export class Controller extends ObjectController<Box, BoxModel, ViewPort, ToolName> {
  readonly tools: Record<ToolName, ToolHandler>;
  /** The box copied with Ctrl+C (label, bounds and attribute values), pasted with Ctrl+V. */
  private clipboard: { label: string; rect: Rect; attributes: AttributeValues } | null = null;

  constructor(model: BoxModel, view: ViewPort, labels: readonly string[]) {
    super(model, view, labels, "draw");
    this.tools = { draw: new DrawTool(this), select: new SelectTool(this), pan: new PanTool(this) };
  }

  protected deleteObject(id: number): boolean {
    return this.model.deleteBoxes([id]);
  }

  protected moveBy(b: Box, dx: number, dy: number): boolean {
    this.model.moveBox(b.id, { left: b.left + dx, top: b.top + dy, width: b.width, height: b.height });
    return true;
  }

  protected boundsOf(b: Box): Rect {
    return b;
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
    // editsAllowed: none: a copy would add an object of a label that takes no new ones.
    if (!clip || !this.model.mayUseLabel(clip.label)) return false;
    const r = clip.rect;
    const rect = this.model.clampMoved({ ...r, left: r.left + PASTE_OFFSET, top: r.top + PASTE_OFFSET });
    // A copy is the worker's own box: it keeps the attribute values, not an assist's provenance.
    this.select(this.model.addBox(clip.label, rect, { attributes: clip.attributes }));
    // The next paste lands further on, not on top of this one.
    this.clipboard = { ...clip, rect };
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
      if (b.hidden || isFrozen(b) || !containsPoint(b, p, slack)) continue;
      const area = b.width * b.height;
      if (area < bestArea) {
        best = b;
        bestArea = area;
      }
    }
    return best ? best.id : null;
  }

  /** Over the selected box: a resize cursor on its handles, "move" inside it. */
  protected hoverCursorAt(p: PointerInput): string | null {
    if (this.gesture || this.spaceHeld || this._tool === "pan") return null;
    const sel = this.selected;
    if (sel && !isFrozen(sel) && !sel.hidden) {
      const h = handleAt(sel, p.image, HANDLE_RADIUS_PX / this.view.viewport.scale);
      if (h) return HANDLE_CURSORS[h];
      if (containsPoint(sel, p.image)) return "move";
    }
    return this.cursor;
  }

  protected toolKey(key: string): boolean | undefined {
    if (key !== "b") return undefined;
    this.setTool("draw");
    return true;
  }
}
