/**
 * The facade for segmentation masks, as `BoxEditor` / `ShapeEditor` are for boxes and shapes:
 * owns a `MaskModel`, a `MaskController` and a `MaskView` over a container, wires DOM input
 * (shared `attachInput`), loads values (after the image, whose size the mask takes), and reports
 * through `onEvent`. `<lw-semantic-segmentation>` and `<lw-instance-segmentation>` are shells
 * around it.
 */
import { assistAvailable } from "../lib/assist-client";
import { attachInput, keyInput } from "./input";
import {
  decodePng,
  encodeMaskPng,
  encodeMaskPngSync,
  labelMapFromPixels,
  maskOutput,
  parseMaskValue,
  type MaskOutput,
} from "./mask-codec";
import { MaskController, type MaskControllerEvent, type MaskToolName } from "./mask-controller";
import { MaskModel, type MaskKind } from "./mask-model";
import type { MaskLabel } from "./mask-palette";
import { MaskView } from "./mask-view";
import { fit } from "./viewport";

export type MaskEditorEvent =
  /** The worker changed the mask (a stroke, a fill, a delete, undo, redo); `output()` has the value. */
  | { kind: "change" }
  /** The mask was replaced by a load (no change event). */
  | { kind: "mask" }
  | { kind: "selection"; id: number | null }
  | { kind: "viewport"; scale: number }
  /** Anything else the chrome shows (tool, label, settings, history, counts). */
  | { kind: "state" }
  /** A message for the worker (a value that could not be fully loaded, the wand without pixels). */
  | { kind: "message"; text: string }
  | { kind: "image-error" }
  | { kind: "image-loaded"; width: number; height: number };

export interface MaskEditorOptions {
  kind: MaskKind;
  labels: readonly MaskLabel[];
  onEvent: (e: MaskEditorEvent) => void;
}

export class MaskEditor {
  readonly model: MaskModel;
  readonly view: MaskView;
  readonly controller: MaskController;
  private readonly resizeObserver: ResizeObserver;
  private readonly cleanups: (() => void)[];
  private imageToken = 0;
  private loadToken = 0;
  private img: HTMLImageElement | null = null;
  private src = "";
  private pixels: Promise<ImageData | null> | null = null;
  /** A value waiting for the image (or being decoded): what the value is until it is loaded. */
  private _pendingValue: unknown = undefined;
  private hiddenKey = "";

  constructor(
    container: HTMLDivElement,
    private readonly opts: MaskEditorOptions,
  ) {
    this.model = new MaskModel(opts.kind, opts.labels);
    this.view = new MaskView(container, this.model);
    this.controller = new MaskController(this.model, this.view);
    this.controller.imagePixels = () => this.imagePixels();
    this.controller.assists.decode = async (png) => decodePng(png.startsWith("data:") ? png : `data:image/png;base64,${png}`);
    // The assisted tools appear when the labeling page offers their assists (never outside it).
    void assistAvailable()
      .then((list) => this.controller.setAvailableAssists(list.map((a) => a.name)))
      .catch(() => this.controller.setAvailableAssists([]));
    this.model.subscribe((e) => {
      if (e.kind === "pixels") this.view.paintRect(e.rect);
      else if (e.kind === "instances") this.view.coloursChanged();
      else if (e.kind === "reset") {
        this.view.repaintAll();
        opts.onEvent({ kind: "mask" });
      } else if (e.kind === "changed") {
        this.outlineSelection();
        opts.onEvent({ kind: "change" });
      }
      if (e.kind !== "pixels") opts.onEvent({ kind: "state" });
    });
    this.controller.subscribe((e: MaskControllerEvent) => {
      if (e.kind === "selection") {
        this.outlineSelection();
        opts.onEvent({ kind: "selection", id: e.id });
      }
      else if (e.kind === "viewport") opts.onEvent({ kind: "viewport", scale: this.view.viewport.scale });
      else if (e.kind === "message") opts.onEvent({ kind: "message", text: e.text });
      else {
        if (e.kind === "settings") this.syncHidden();
        opts.onEvent({ kind: "state" });
      }
    });
    this.resizeObserver = new ResizeObserver(() => {
      const before = fit(this.model.image, this.view.containerSize());
      const v = this.view.viewport;
      const wasFitted = v.scale === before.scale && v.x === before.x && v.y === before.y;
      this.view.resize({ width: container.clientWidth, height: container.clientHeight });
      if (this.model.width && wasFitted) this.controller.fit();
      else this.view.refresh();
    });
    this.resizeObserver.observe(container);
    this.cleanups = attachInput(container, this.view, this.controller);
    // The brush outline stands for the cursor: it leaves with the pointer.
    const leave = (): void => this.view.showBrush(null, 0);
    container.addEventListener("pointerleave", leave);
    this.cleanups.push(() => container.removeEventListener("pointerleave", leave));
  }

  /** The selected instance's outline (a scan of the map: on selection and after each step, not per brush step). */
  private outlineSelection(): void {
    const id = this.controller.selectedId;
    const inst = id === null ? undefined : this.model.instance(id);
    this.view.showSelection(inst ? this.model.boundsOf(inst.id) : null, inst?.color);
  }

  private syncHidden(): void {
    const key = [...this.controller.hidden].sort((a, b) => a - b).join(",");
    if (key === this.hiddenKey) return;
    this.hiddenKey = key;
    this.view.setHidden(this.controller.hidden);
  }

  /** "#rrggbb" of a label (its class colour). */
  colourOf(label: string): string {
    return this.model.labels.find((l) => l.label === label)?.color ?? "#888888";
  }

  setLabels(labels: readonly MaskLabel[]): void {
    this.model.setLabels(labels);
    this.view.repaintAll();
  }

  setTool(tool: MaskToolName): void {
    this.controller.setTool(tool);
  }

  /** The image is loaded and the mask has its size. */
  get ready(): boolean {
    return this.model.width > 0;
  }

  /** A value is waiting for the image or being decoded. */
  get loading(): boolean {
    return this._pendingValue !== undefined;
  }

  get pendingValue(): unknown {
    return this._pendingValue;
  }

  setSource(src: string): void {
    const token = ++this.imageToken;
    this.src = src;
    this.img = null;
    this.pixels = null;
    this.view.setImage(null);
    if (!src) return;
    const img = new Image();
    img.decoding = "async";
    img.onload = () => {
      if (token !== this.imageToken) return;
      this.img = img;
      this.model.setImageSize(img.naturalWidth, img.naturalHeight);
      this.view.setImage(img);
      this.controller.fit();
      this.opts.onEvent({ kind: "image-loaded", width: img.naturalWidth, height: img.naturalHeight });
      if (this._pendingValue !== undefined) void this.loadValue(this._pendingValue);
    };
    img.onerror = () => {
      if (token === this.imageToken) this.opts.onEvent({ kind: "image-error" });
    };
    img.src = src;
  }

  /**
   * Loads a value (initial value, draft): after the image, decoded off the event that asked.
   * Resolves with the problems found (empty when it loaded whole); an empty value clears the mask.
   */
  async loadValue(value: unknown): Promise<string[]> {
    const token = ++this.loadToken;
    const parsed = parseMaskValue(value);
    if (!parsed.png) {
      this._pendingValue = undefined;
      if (this.ready) this.model.setImageSize(this.model.width, this.model.height);
      return value === null || value === undefined || value === "" ? [] : parsed.problems;
    }
    this._pendingValue = value;
    if (!this.ready) return [];
    let problems = parsed.problems;
    try {
      const pixels = await decodePng(parsed.png);
      if (token !== this.loadToken) return [];
      const decoded = labelMapFromPixels(pixels, this.model, parsed);
      problems = [...problems, ...decoded.problems];
      if (decoded.data.length) this.model.load(decoded.data, decoded.instances);
    } catch (e) {
      if (token !== this.loadToken) return [];
      problems = [...problems, (e as Error).message];
    }
    this._pendingValue = undefined;
    if (problems.length) this.opts.onEvent({ kind: "message", text: problems.join("; ") });
    this.opts.onEvent({ kind: "state" });
    return problems;
  }

  /** The value now (the PNG encoded synchronously). */
  output(): MaskOutput {
    return maskOutput(this.model, encodeMaskPngSync(this.model));
  }

  /**
   * The value, encoded without a long task; `version` is the model's version it was taken at.
   * Null when the mask changed while it was encoded.
   */
  async outputAsync(): Promise<{ version: number; value: MaskOutput } | null> {
    const version = this.model.version;
    const png = await encodeMaskPng(this.model);
    if (png === null || version !== this.model.version) return null;
    return { version, value: maskOutput(this.model, png) };
  }

  /**
   * The image's RGBA pixels for the magic wand (read once); null when the browser forbids it (an
   * image served without CORS to the sandboxed frame: the wand then asks the server's assist).
   */
  imagePixels(): Promise<ImageData | null> {
    if (!this.img) return Promise.resolve(null);
    this.pixels ??= readPixels(this.img, this.src).catch(() => null);
    return this.pixels;
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

/** Draws the image into a canvas and reads it back; retries with a CORS request when the first read is refused. */
async function readPixels(img: HTMLImageElement, src: string): Promise<ImageData> {
  const read = (im: HTMLImageElement): ImageData => {
    const c = document.createElement("canvas");
    c.width = im.naturalWidth;
    c.height = im.naturalHeight;
    const ctx = c.getContext("2d", { willReadFrequently: true })!;
    ctx.drawImage(im, 0, 0);
    return ctx.getImageData(0, 0, c.width, c.height);
  };
  try {
    return read(img);
  } catch {
    const cors = new Image();
    cors.crossOrigin = "anonymous";
    cors.src = src;
    await cors.decode();
    return read(cors);
  }
}
