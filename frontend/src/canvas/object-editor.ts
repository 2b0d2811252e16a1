/**
 * The facade both object editors share (`BoxEditor`, `ShapeEditor`): owns a model, a controller
 * and a view over a container element, wires DOM input to the controller (`attachInput`), keeps
 * a fitted view fitted when the container resizes, loads the image, and reports out through
 * `onEvent`. Framework-free: the `<lw-*>` elements are thin Lit shells around it.
 */
import type { EditLimits } from "./edit-limits";
import type { Size } from "./geometry";
import { attachInput, keyInput, type InputTarget, type InputView } from "./input";
import type { KeyInput } from "./object-controller";
import type { AnnotationObject, ObjectModel } from "./object-model";
import { LABEL_COLOURS } from "./view";
import { fit, type Viewport } from "./viewport";

/** What the facade reports (`loaded` is the editor's name for a load: "boxes", "shapes"). */
export type ObjectEditorEvent<Output, Loaded extends string> =
  /** The objects changed through a command (draw, edit, delete, undo, redo): the value changed. */
  | { kind: "change"; value: Output }
  /** The selected object changed (null: none). */
  | { kind: "selection"; id: number | null }
  /** Zoom or pan changed (at pointer rate). */
  | { kind: "viewport"; scale: number }
  /** The objects were replaced by a load (initial value, draft, image size). */
  | { kind: Loaded }
  /** Anything else the chrome shows changed (tool, label, history, a draft). */
  | { kind: "state" }
  /** The image could not be loaded. */
  | { kind: "image-error" }
  | { kind: "image-loaded"; width: number; height: number };

/** The view calls the facade makes. */
export interface EditorView extends InputView {
  readonly viewport: Viewport;
  containerSize(): Size;
  resize(size: Size): void;
  setSelected(id: number | null): void;
  refresh(): void;
  setImage(img: HTMLImageElement | null): void;
  destroy(): void;
}

/** The controller calls the facade makes. */
export interface EditorController<Tool extends string> extends InputTarget {
  readonly labels: readonly string[];
  setLabels(labels: readonly string[]): void;
  /** After the model's edit limits changed: a current label that may no longer be used moves on. */
  refreshLabel(): void;
  setTool(tool: Tool): void;
  fit(): void;
  keyDown(k: KeyInput): boolean;
  subscribe(fn: (e: { kind: string; id?: number | null }) => void): () => void;
}

export abstract class ObjectEditor<
  T extends AnnotationObject,
  M extends ObjectModel<T>,
  V extends EditorView,
  C extends EditorController<Tool>,
  Tool extends string,
  Output,
  Loaded extends string,
> {
  readonly view: V;
  readonly controller: C;
  private readonly resizeObserver: ResizeObserver;
  private readonly cleanups: (() => void)[];
  private imageToken = 0;

  constructor(
    readonly model: M,
    container: HTMLDivElement,
    private readonly onEvent: (e: ObjectEditorEvent<Output, Loaded>) => void,
    /** The event a load sends ("boxes", "shapes"). */
    loaded: Loaded,
    make: { view: (colourOf: (label: string) => string) => V; controller: (view: V) => C },
  ) {
    this.view = make.view((label) => this.colourOf(label));
    this.controller = make.controller(this.view);
    this.model.subscribe((e) => {
      this.view.refresh();
      // A load (reset) is not the worker's change: the objects differ but no change is reported.
      if (e.kind === "reset") onEvent({ kind: loaded } as ObjectEditorEvent<Output, Loaded>);
      else onEvent({ kind: "change", value: this.output() });
      onEvent({ kind: "state" });
    });
    this.controller.subscribe((e) => {
      if (e.kind === "selection") {
        this.view.setSelected(e.id ?? null);
        onEvent({ kind: "selection", id: e.id ?? null });
      } else if (e.kind === "viewport") {
        // Zoom and pan come at pointer rate: reported apart so the chrome can skip a re-render.
        onEvent({ kind: "viewport", scale: this.view.viewport.scale });
      } else onEvent({ kind: "state" });
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
    this.cleanups = attachInput(container, this.view, this.controller);
  }

  /** The answer as the task type reads it. */
  abstract output(): Output;

  colourOf(label: string): string {
    const i = this.controller.labels.indexOf(label);
    return LABEL_COLOURS[(i < 0 ? this.controller.labels.length : i) % LABEL_COLOURS.length]!;
  }

  setLabels(labels: readonly string[]): void {
    this.controller.setLabels(labels);
    this.view.refresh();
  }

  /** What the label file forbids (`editsAllowed`, edit-limits.ts): marks the loaded objects it locks. */
  setEditLimits(limits: EditLimits): void {
    this.model.setEditLimits(limits);
    this.controller.refreshLabel();
    this.view.refresh();
  }

  setTool(tool: Tool): void {
    this.controller.setTool(tool);
  }

  /** Loads `src`; the natural size bounds the objects and is reported in the output. */
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
      this.onEvent({ kind: "image-loaded", width: img.naturalWidth, height: img.naturalHeight });
    };
    img.onerror = () => {
      if (token === this.imageToken) this.onEvent({ kind: "image-error" });
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
}
