/**
 * The facade: one object that owns a model, a controller and a view over a container element,
 * wires DOM input to the controller, and reports out through `onEvent`. Framework-free: the
 * `<lw-bounding-box>` element is a thin Lit shell around it, and other hosts can use it as is.
 */
import { Controller, type ControllerEvent, type ToolName } from "./controller";
import { BoxModel, type BoundingBoxOutput, type ModelEvent, type OutputBox } from "./model";
import { BoxView, LABEL_COLOURS } from "./view";
import { attachInput, keyInput } from "./input";
import { fit } from "./viewport";

export type EditorEvent =
  /** The boxes changed through a command (draw, edit, delete, undo, redo): the value changed. */
  | { kind: "change"; value: BoundingBoxOutput }
  /** The selected box changed (null: none). */
  | { kind: "selection"; id: number | null }
  /** Zoom or pan changed (at pointer rate). */
  | { kind: "viewport"; scale: number }
  /** The boxes were replaced by a load (initial value, draft, image size). */
  | { kind: "boxes" }
  /** Anything the chrome shows changed (selection, tool, label, history, boxes, zoom). */
  | { kind: "state" }
  /** The image could not be loaded. */
  | { kind: "image-error" }
  | { kind: "image-loaded"; width: number; height: number };

export interface EditorOptions {
  labels: readonly string[];
  onEvent: (e: EditorEvent) => void;
}

export class BoxEditor {
  readonly model = new BoxModel();
  readonly view: BoxView;
  readonly controller: Controller;
  private readonly resizeObserver: ResizeObserver;
  private readonly cleanups: (() => void)[] = [];
  private imageToken = 0;

  constructor(
    private readonly container: HTMLDivElement,
    private readonly opts: EditorOptions,
  ) {
    this.view = new BoxView(container, this.model, (label) => this.colourOf(label));
    this.controller = new Controller(this.model, this.view, opts.labels);
    this.model.subscribe((e: ModelEvent) => {
      this.view.refresh();
      // A load (reset) is not the worker's change: the boxes differ but no change is reported.
      if (e.kind === "reset") opts.onEvent({ kind: "boxes" });
      else opts.onEvent({ kind: "change", value: this.model.output() });
      opts.onEvent({ kind: "state" });
    });
    this.controller.subscribe((e: ControllerEvent) => {
      if (e.kind === "selection") this.view.setSelected(e.id);
      // Zoom and pan come at pointer rate: reported apart so the chrome can skip a re-render.
      if (e.kind === "viewport") opts.onEvent({ kind: "viewport", scale: this.view.viewport.scale });
      else if (e.kind === "selection") opts.onEvent({ kind: "selection", id: e.id });
      else opts.onEvent({ kind: "state" });
    });
    this.resizeObserver = new ResizeObserver(() => {
      // A view that was fitted (the worker has not zoomed or panned since) is fitted again.
      const before = fit(this.model.image, this.view.containerSize());
      const v = this.view.viewport;
      const wasFitted = v.scale === before.scale && v.x === before.x && v.y === before.y;
      this.view.resize({ width: container.clientWidth, height: container.clientHeight });
      if (this.model.image.width && wasFitted) this.controller.fit();
      else this.view.refresh();
    });
    this.resizeObserver.observe(container);
    this.listen();
  }

  // ---- API ---------------------------------------------------------------------------------

  colourOf(label: string): string {
    const i = this.controller.labels.indexOf(label);
    return LABEL_COLOURS[(i < 0 ? this.controller.labels.length : i) % LABEL_COLOURS.length]!;
  }

  setLabels(labels: readonly string[]): void {
    this.controller.setLabels(labels);
    this.view.refresh();
  }

  load(boxes: readonly OutputBox[]): void {
    this.model.load(boxes);
  }

  output(): BoundingBoxOutput {
    return this.model.output();
  }

  setTool(tool: ToolName): void {
    this.controller.setTool(tool);
  }

  /** Loads `src`; the natural size bounds the boxes and is reported in the output. */
  setSource(src: string): void {
    const token = ++this.imageToken;
    this.view.setImage(null);
    if (!src) return;
    const img = new Image();
    img.decoding = "async";
    img.onload = () => {
      if (token !== this.imageToken) return;
      this.model.setImageSize({ width: img.naturalWidth, height: img.naturalHeight });
      this.view.setImage(img);
      this.controller.fit();
      this.opts.onEvent({ kind: "image-loaded", width: img.naturalWidth, height: img.naturalHeight });
    };
    img.onerror = () => {
      if (token === this.imageToken) this.opts.onEvent({ kind: "image-error" });
    };
    img.src = src;
  }

  keyDown(e: KeyboardEvent): boolean {
    const used = this.controller.keyDown(keyInput(e));
    if (used) e.preventDefault();
    return used;
  }

  keyUp(e: KeyboardEvent): void {
    this.controller.keyUp(keyInput(e));
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    for (const fn of this.cleanups) fn();
    this.view.destroy();
  }

  private listen(): void {
    this.cleanups.push(...attachInput(this.container, this.view, this.controller));
  }
}
