/**
 * The mask controller: pointer and key input (already in image coordinates) → mask-model steps,
 * the current class, the selected instance, tool settings (brush size, wand tolerance, hidden
 * values, "keep labelled pixels") and viewport changes. One handler per tool (mask-tools.ts; pan
 * is the box controller's `PanTool`). The view is reached only through `MaskViewPort`, so this
 * runs without a canvas (tests/unit/canvas-mask-controller.test.ts).
 */
import { EDIT_LOCKED_REASON, type EditLimits } from "./edit-limits";
import { PanTool, type KeyInput, type PointerInput, type ToolHandler } from "./controller";
import type { Point, Size } from "./geometry";
import { GrabCutTool, MaskAssists, SuperpixelTool, type DecodeRgba } from "./mask-assist";
import type { MaskModel } from "./mask-model";
import { BrushTool, FillTool, PickTool, PolygonFillTool, WandTool, type MaskTool } from "./mask-tools";
import { actualSize, fit, panBy, zoomAt, type Viewport } from "./viewport";

export interface MaskViewPort {
  readonly viewport: Viewport;
  setViewport(v: Viewport): void;
  containerSize(): Size;
  /** The brush outline (centre and radius in image px), or null to hide it. */
  showBrush(centre: Point | null, radius: number): void;
  /** The polygon being drawn and the pointer (rubber band), or null. */
  showDraft(vertices: readonly Point[] | null, pointer: Point | null): void;
  setCursor(cursor: string): void;
}

export type MaskToolName = "brush" | "eraser" | "polygon" | "wand" | "fill" | "pick" | "pan" | "superpixel" | "grabcut";

/** The assisted tools and the assist each needs (shown only when the project offers it). */
export const ASSISTED_TOOLS: Partial<Record<MaskToolName, string>> = { superpixel: "slic", grabcut: "grabcut" };

export type MaskControllerEvent =
  | { kind: "selection"; id: number | null }
  | { kind: "tool"; tool: MaskToolName }
  | { kind: "label"; index: number }
  /** Brush size, tolerance, hidden values or "keep labelled" changed. */
  | { kind: "settings" }
  | { kind: "draft" }
  | { kind: "viewport" }
  /** Something the worker should read (e.g. the wand cannot read the image). */
  | { kind: "message"; text: string };

export const BRUSH_MIN = 1;
export const BRUSH_MAX = 400;
export const DEFAULT_BRUSH = 20;
export const DEFAULT_TOLERANCE = 32;

const TOOL_KEYS: Record<string, MaskToolName> = {
  b: "brush", e: "eraser", p: "polygon", w: "wand", g: "fill", v: "pick", h: "pan", u: "superpixel", a: "grabcut",
};

const NO_DECODER: DecodeRgba = () => Promise.reject(new Error("no PNG decoder here"));

export class MaskController {
  readonly tools: Record<MaskToolName, MaskTool | ToolHandler>;
  readonly polygonTool: PolygonFillTool;
  /** The assisted tools' state (superpixels, the assists offered); the facade sets its PNG decoder. */
  readonly assists: MaskAssists;
  private _tool: MaskToolName = "brush";
  private gesture: MaskTool | ToolHandler | null = null;
  private spaceHeld = false;
  private _selected: number | null = null;
  private _labelIndex = 0;
  private _hidden = new Set<number>();
  private readonly listeners = new Set<(e: MaskControllerEvent) => void>();
  /** Brush diameter in image pixels. */
  brushSize = DEFAULT_BRUSH;
  /** Magic wand: how far (0–255 per channel) a pixel's colour may be from the clicked one. */
  tolerance = DEFAULT_TOLERANCE;
  /** Paint only unlabeled pixels (and the target's own): nothing already labelled is overwritten. */
  keepLabelled = false;
  /** The image's pixels for the magic wand (the facade reads them; null when it cannot). */
  imagePixels: () => Promise<ImageData | null> = async () => null;

  constructor(
    readonly model: MaskModel,
    readonly view: MaskViewPort,
  ) {
    this.polygonTool = new PolygonFillTool(this);
    this.assists = new MaskAssists(this, NO_DECODER);
    this.tools = {
      superpixel: new SuperpixelTool(this, this.assists),
      grabcut: new GrabCutTool(this, this.assists),
      brush: new BrushTool(this, "brush"),
      eraser: new BrushTool(this, "eraser"),
      polygon: this.polygonTool,
      wand: new WandTool(this),
      fill: new FillTool(this),
      pick: new PickTool(this),
      pan: new PanTool(this),
    };
    model.subscribe((e) => {
      if (this._selected !== null && (e.kind === "instances" || e.kind === "reset") && !model.instance(this._selected)) {
        this.select(null);
      }
      if (e.kind === "reset") {
        this._hidden.clear();
        if (model.width !== this.assists.loaded?.width || model.height !== this.assists.loaded?.height) this.assists.reset();
      }
    });
  }

  subscribe(fn: (e: MaskControllerEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(e: MaskControllerEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  // ---- state -------------------------------------------------------------------------------

  get labels(): readonly string[] {
    return this.model.labels.map((l) => l.label);
  }

  get labelIndex(): number {
    return this._labelIndex;
  }

  /** The class painted next, or null when none is configured or it may not be used (editsAllowed: none). */
  get currentLabel(): string | null {
    const label = this.model.labels[this._labelIndex]?.label;
    return label === undefined || this.model.fixedLabels.has(label) ? null : label;
  }

  /**
   * The label file's `editsAllowed` (edit-limits.ts): the "none" labels' pixels are locked (every
   * tool skips them, see protectFor) and they are not painted, chosen or relabelled to.
   */
  setEditLimits(limits: EditLimits): void {
    this.model.setFixedLabels(limits.labels);
    const label = this.model.labels[this._labelIndex]?.label;
    if (label !== undefined && limits.labels.has(label)) {
      this._labelIndex = Math.max(0, this.model.labels.findIndex((l) => !limits.labels.has(l.label)));
      this.emit({ kind: "label", index: this._labelIndex });
    }
  }

  get tool(): MaskToolName {
    return this._tool;
  }

  get cursor(): string {
    return this.spaceHeld ? "grab" : this.tools[this._tool].cursor;
  }

  /** The selected instance (instance masks), or null: the next paint starts a new instance. */
  get selectedId(): number | null {
    return this._selected;
  }

  /** A polygon is being drawn. */
  get drafting(): boolean {
    return this.polygonTool.drafting;
  }

  isHidden(value: number): boolean {
    return this._hidden.has(value);
  }

  get hidden(): ReadonlySet<number> {
    return this._hidden;
  }

  // ---- actions -----------------------------------------------------------------------------

  setTool(tool: MaskToolName): void {
    this.gesture?.cancel();
    this.gesture = null;
    if (tool !== "polygon") this.polygonTool.discard();
    if (tool !== "grabcut") (this.tools.grabcut as GrabCutTool).discard();
    if (tool !== "brush" && tool !== "eraser" && tool !== "superpixel") this.view.showBrush(null, 0);
    if (tool === "superpixel") void this.assists.segments(); // computed once, ahead of the first stroke
    this._tool = tool;
    this.view.setCursor(this.cursor);
    this.emit({ kind: "tool", tool });
  }

  select(id: number | null): void {
    if (id !== null && (this.model.kind !== "instance" || !this.model.instance(id))) id = null;
    if (id === this._selected) return;
    this._selected = id;
    this.emit({ kind: "selection", id });
  }

  /**
   * Chooses the class for what is painted next; a selected instance takes it too (select, then
   * press the label's number, as in the other editors).
   */
  chooseLabel(index: number): boolean {
    const label = this.model.labels[index]?.label;
    if (label === undefined || this.model.fixedLabels.has(label)) return false;
    this._labelIndex = index;
    this.emit({ kind: "label", index });
    if (this._selected !== null) this.model.setInstanceLabel(this._selected, label);
    return true;
  }

  /** Deselects, so the next paint starts a new instance. */
  newInstance(): void {
    this.select(null);
  }

  setBrushSize(size: number): void {
    const s = Math.round(Math.max(BRUSH_MIN, Math.min(BRUSH_MAX, size)));
    if (s === this.brushSize) return;
    this.brushSize = s;
    this.emit({ kind: "settings" });
  }

  setTolerance(t: number): void {
    this.tolerance = Math.max(0, Math.min(255, Math.round(t)));
    this.emit({ kind: "settings" });
  }

  setKeepLabelled(on: boolean): void {
    this.keepLabelled = on;
    this.emit({ kind: "settings" });
  }

  /** Hides (or shows) a class or instance: not drawn, not painted over; still in the output. */
  setHidden(value: number, hidden: boolean): void {
    if (hidden === this._hidden.has(value)) return;
    if (hidden) this._hidden.add(value);
    else this._hidden.delete(value);
    this.emit({ kind: "settings" });
  }

  deleteSelected(): boolean {
    const id = this._selected;
    return id !== null && this.model.deleteInstance(id);
  }

  undo(): boolean {
    this.cancelGesture();
    if (this.polygonTool.removeLast()) return true;
    return this.model.undo();
  }

  redo(): boolean {
    this.cancelGesture();
    return this.model.redo();
  }

  private cancelGesture(): void {
    this.gesture?.cancel();
    this.gesture = null;
  }

  // ---- what the tools ask ------------------------------------------------------------------

  /**
   * The value to paint, inside an open step: the current class (semantic), or the selected
   * instance, else a new instance of the current class, then selected (instance). Null when no
   * labels are configured.
   */
  targetValue(): number | null {
    const label = this.currentLabel;
    if (this.model.kind === "semantic") return label === null ? null : this._labelIndex + 1;
    if (this._selected !== null && this.model.instance(this._selected)) {
      if (!this.model.isValueLocked(this._selected)) return this._selected;
      this.emit({ kind: "message", text: `This instance's pixels may not change (${EDIT_LOCKED_REASON}).` });
      return null;
    }
    if (label === null) return null;
    const inst = this.model.addInstance(label);
    if (!inst) {
      this.emit({ kind: "message", text: "No more instances can be added to this image." });
      return null;
    }
    this._selected = inst.id;
    this.emit({ kind: "selection", id: inst.id });
    return inst.id;
  }

  /** Records the assists the page offers (the assisted tools appear for those). */
  setAvailableAssists(names: Iterable<string>): void {
    this.assists.available = new Set(names);
    this.emit({ kind: "settings" });
  }

  /** Sets the values paint leaves alone for a step painting `value`. */
  protectFor(value: number): void {
    const m = this.model;
    // editsAllowed: none: a fixed label's pixels are never painted over or erased, by any tool.
    const locked = m.lockedValues();
    if (!this.keepLabelled) {
      m.setProtected(locked.length ? [...this._hidden, ...locked] : this._hidden);
      return;
    }
    const all: number[] = [];
    const max = m.kind === "semantic" ? m.labels.length : Math.max(0, ...m.instances.map((i) => i.id));
    for (let v = 1; v <= max; v++) if (v !== value) all.push(v);
    m.setProtected([...all, ...this._hidden]);
  }

  /** Ends the step a tool began (an instance erased to nothing leaves the list). */
  finishStep(): void {
    if (this.model.kind === "instance") this.model.dropEmptyInstances();
    this.model.commit();
  }

  pickAt(p: Point): void {
    const v = this.model.valueAt(p.x, p.y);
    if (this.model.kind === "instance") {
      this.select(v && !this._hidden.has(v) ? v : null);
      return;
    }
    if (v && !this._hidden.has(v) && !this.model.isValueLocked(v)) {
      this._labelIndex = v - 1;
      this.emit({ kind: "label", index: v - 1 });
    }
  }

  draftChanged(): void {
    this.emit({ kind: "draft" });
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

  actualSize(): void {
    const s = this.view.containerSize();
    this.setViewport(actualSize(this.view.viewport, { x: s.width / 2, y: s.height / 2 }));
  }

  pan(dx: number, dy: number): void {
    this.setViewport(panBy(this.view.viewport, dx, dy));
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

  pointerHover(p: PointerInput): void {
    if (this.gesture || this.spaceHeld) return;
    const t = this.tools[this._tool] as MaskTool;
    t.hover?.(p);
  }

  pointerCancel(): void {
    this.cancelGesture();
  }

  /** Returns true when the key was used (the caller then prevents its default). */
  keyDown(k: KeyInput): boolean {
    const mod = k.ctrl || k.meta;
    const key = k.key.length === 1 ? k.key.toLowerCase() : k.key;
    if (mod && !k.alt) {
      if (key === "z") return k.shift ? this.redo() || true : this.undo() || true;
      if (key === "y") return this.redo() || true;
      return false;
    }
    if (k.alt) return false;
    const tool = TOOL_KEYS[key];
    if (tool) {
      const needs = ASSISTED_TOOLS[tool];
      if (needs && !this.assists.available.has(needs)) return false;
      this.setTool(tool);
      return true;
    }
    switch (key) {
      case "Enter":
        return this.polygonTool.close(k.shift);
      case "Backspace":
        return this.polygonTool.removeLast() || this.deleteSelected();
      case "Delete":
        return this.deleteSelected();
      case "Escape":
        if (this.gesture) {
          this.pointerCancel();
          return true;
        }
        if (this.polygonTool.discard() || (this.tools.grabcut as GrabCutTool).discard()) return true;
        if (this._selected !== null) {
          this.select(null);
          return true;
        }
        return false;
      case " ":
        if (!this.spaceHeld) {
          this.spaceHeld = true;
          this.view.setCursor(this.cursor);
          this.view.showBrush(null, 0);
        }
        return true;
      case "[":
        this.setBrushSize(this.brushSize <= 4 ? this.brushSize - 1 : this.brushSize / 1.25);
        return true;
      case "]":
        this.setBrushSize(this.brushSize < 4 ? this.brushSize + 1 : this.brushSize * 1.25);
        return true;
      case "n":
        if (this.model.kind !== "instance") return false;
        this.newInstance();
        return true;
      case "f":
        this.fit();
        return true;
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
