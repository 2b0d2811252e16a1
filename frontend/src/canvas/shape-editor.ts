/**
 * The facade for polygons and keypoints, as `BoxEditor` is for boxes: owns a `ShapeModel`, a
 * `ShapeController` and a `ShapeView` over a container, wires DOM input (shared `attachInput`)
 * and reports through `onEvent`. `<lw-polygon>`, `<lw-keypoint>`, `<lw-polyline>` and `<lw-line>`
 * are thin shells around it.
 */
import { LABEL_COLOURS } from "./view";
import { attachInput, keyInput } from "./input";
import { ShapeController, type ShapeControllerEvent, type ShapeToolName } from "./shape-controller";
import { ShapeView } from "./shape-view";
import { ShapeModel, type KeypointOutput, type OpenShapeOutput, type ParsedShapes, type PolygonOutput, type ShapeKind } from "./shapes";
import { fit } from "./viewport";

export type ShapeEditorEvent =
  /** The shapes changed through a command (draw, edit, delete, undo, redo). */
  | { kind: "change"; value: PolygonOutput | KeypointOutput | OpenShapeOutput }
  | { kind: "selection"; id: number | null }
  | { kind: "viewport"; scale: number }
  /** The shapes were replaced by a load. */
  | { kind: "shapes" }
  /** Anything else the chrome shows (tool, label, history, the polygon being drawn). */
  | { kind: "state" }
  | { kind: "image-error" }
  | { kind: "image-loaded"; width: number; height: number };

export interface ShapeEditorOptions {
  kind: ShapeKind;
  labels: readonly string[];
  onEvent: (e: ShapeEditorEvent) => void;
}

export class ShapeEditor {
  readonly model = new ShapeModel();
  readonly view: ShapeView;
  readonly controller: ShapeController;
  private readonly resizeObserver: ResizeObserver;
  private readonly cleanups: (() => void)[];
  private imageToken = 0;

  constructor(
    container: HTMLDivElement,
    private readonly opts: ShapeEditorOptions,
  ) {
    this.view = new ShapeView(container, this.model, (label) => this.colourOf(label));
    this.view.closedDraft = opts.kind === "polygon";
    this.controller = new ShapeController(this.model, this.view, opts.labels, opts.kind);
    this.model.subscribe((e) => {
      this.view.refresh();
      if (e.kind === "reset") opts.onEvent({ kind: "shapes" });
      else opts.onEvent({ kind: "change", value: this.output() });
      opts.onEvent({ kind: "state" });
    });
    this.controller.subscribe((e: ShapeControllerEvent) => {
      if (e.kind === "selection") {
        this.view.setSelected(e.id);
        opts.onEvent({ kind: "selection", id: e.id });
      } else if (e.kind === "viewport") opts.onEvent({ kind: "viewport", scale: this.view.viewport.scale });
      else opts.onEvent({ kind: "state" });
    });
    this.resizeObserver = new ResizeObserver(() => {
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

  colourOf(label: string): string {
    const i = this.controller.labels.indexOf(label);
    return LABEL_COLOURS[(i < 0 ? this.controller.labels.length : i) % LABEL_COLOURS.length]!;
  }

  setLabels(labels: readonly string[]): void {
    this.controller.setLabels(labels);
    this.view.refresh();
  }

  load(parsed: ParsedShapes["shapes"]): void {
    this.model.load(parsed);
  }

  output(): PolygonOutput | KeypointOutput | OpenShapeOutput {
    const kind = this.opts.kind;
    if (kind === "polygon") return this.model.polygonOutput();
    return kind === "point" ? this.model.keypointOutput() : this.model.openOutput(kind);
  }

  setTool(tool: ShapeToolName): void {
    this.controller.setTool(tool);
  }

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
}
