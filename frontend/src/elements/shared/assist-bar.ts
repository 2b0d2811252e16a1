/**
 * The assist buttons of the image editors (docs/assist.md). An element mounts it with one field
 * and one line in its toolbar:
 *
 *     private readonly _assists = new AssistBar(this, () => this._editor, () => "box");
 *     … ${this._assists.render()} …
 *
 * On connect it asks the labeling page which assists this task offers (none outside a task frame,
 * so an element on its own shows no buttons) and keeps those that fit the editor:
 * - boxes: detectors (faces, text): their boxes and text lines become boxes;
 * - polygons: "Auto-segment" (drag a box or click the four extreme points, then GrabCut), the
 *   magic wand (one click) and detectors returning polygons (person, text);
 * - keypoints: pose, whose points land on the task's labels of the same name.
 * Every object made from a region is an ordinary, undoable object marked `source: "model"` with
 * the assist's model name; the editors' models add `edited: true` once the worker changes it.
 *
 * While a picking assist waits for its input, pointer events on the canvas are taken in the
 * capture phase (the editor's own tool does not see them) and drawn on a light overlay; Esc
 * cancels.
 */

import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from "lit";
import type { ObjectMeta } from "../../canvas/object-meta";
import { toImage, type Viewport } from "../../canvas/viewport";
import {
  assist,
  assistAvailable,
  regionBox,
  regionPolygon,
  type AssistInfo,
  type AssistResult,
  type Region,
  type XY,
} from "../../lib/assist-client";

/** Which editor the bar serves: the box editor or a shape editor's kind. */
export type AssistEditorKind = "box" | "polygon" | "point" | "polyline" | "line";

/** What the bar needs of an editor (BoxEditor and ShapeEditor both have it). */
interface EditorLike {
  readonly view: { readonly viewport: Viewport; clientToStage(clientX: number, clientY: number): XY };
  readonly controller: { readonly currentLabel: string | null; readonly labels: readonly string[] };
  readonly model: {
    readonly image: { width: number; height: number };
    addBox?(label: string, rect: { left: number; top: number; width: number; height: number }, meta?: Partial<ObjectMeta>): number;
    addPolygon?(label: string, vertices: readonly XY[], meta?: Partial<ObjectMeta>): number | null;
    addPoint?(label: string, p: XY, meta?: Partial<ObjectMeta>): number;
  };
}

type Host = ReactiveControllerHost & HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment };

const NOUNS: Record<AssistEditorKind, [string, string]> = {
  box: ["box", "boxes"],
  polygon: ["polygon", "polygons"],
  point: ["point", "points"],
  polyline: ["polyline", "polylines"],
  line: ["line", "lines"],
};

const RESULT_SHOWN_MS = 6000;
const ERROR_SHOWN_MS = 12_000;

/** A drag shorter than this (screen pixels) is a click. */
const CLICK_SLOP = 4;

function fits(kind: AssistEditorKind, a: AssistInfo): boolean {
  if (kind === "box") return a.needs === "none" && (a.kinds.includes("box") || a.kinds.includes("polygon"));
  if (kind === "polygon") return a.kinds.includes("polygon") || (a.needs === "none" && a.kinds.includes("box"));
  if (kind === "point") return a.needs === "none" && a.kinds.includes("keypoints");
  return false;
}

export class AssistBar implements ReactiveController {
  private _offered: AssistInfo[] = [];
  private _busy: string | null = null;
  private _picking: AssistInfo | null = null;
  private _points: XY[] = [];
  private _overlay: HTMLDivElement | null = null;
  private _drag: { start: XY; startScreen: XY; now: XY } | null = null;
  private readonly _listeners: [string, EventListener][] = [];
  private _status: HTMLDivElement | null = null;
  private _clearTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: Host,
    private readonly editor: () => EditorLike | null,
    private readonly kind: () => AssistEditorKind,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    // after the frame bootstrap (same module, just after the elements are defined) installed the channel
    queueMicrotask(() => void this._load());
  }

  hostDisconnected(): void {
    this._stopPicking();
    this._say(null);
  }

  /** The assists shown (for tests). */
  get offered(): readonly AssistInfo[] {
    return this._offered;
  }

  private async _load(): Promise<void> {
    try {
      this._offered = (await assistAvailable()).filter((a) => fits(this.kind(), a));
    } catch {
      this._offered = []; // the page could not list them: the editor works without
    }
    this.host.requestUpdate();
  }

  // ---- running ---------------------------------------------------------------------------------

  private _click(a: AssistInfo): void {
    if (this._busy) return;
    if (this._picking?.name === a.name) {
      this._stopPicking();
      this._say(null);
      return;
    }
    this._stopPicking();
    if (a.needs === "none") void this._run(a, {});
    else this._startPicking(a);
  }

  private async _run(a: AssistInfo, params: Record<string, unknown>): Promise<void> {
    this._busy = a.name;
    this._say({ text: `${a.title}…`, tone: "info" });
    try {
      const result = await assist(a.name, params);
      const added = this._add(result);
      const [one, many] = NOUNS[this.kind()];
      this._say({
        text: added ? `${a.title}: added ${added} ${added === 1 ? one : many} (${result.seconds.toFixed(2)} s)` : `${a.title}: ${this._nothingWhy(result)}`,
        tone: "info",
      }, RESULT_SHOWN_MS);
    } catch (e) {
      this._say({ text: `${a.title} failed: ${e instanceof Error ? e.message : String(e)}`, tone: "error" }, ERROR_SHOWN_MS);
    } finally {
      this._busy = null;
      this.host.requestUpdate();
    }
  }

  /** Adds the result's regions as objects of this editor; returns how many. */
  private _add(result: AssistResult): number {
    const ed = this.editor();
    if (!ed) return 0;
    const labels = ed.controller.labels;
    const fallback = ed.controller.currentLabel ?? labels[0] ?? "";
    const labelOf = (r: Region): string => (r.label && labels.includes(r.label) ? r.label : fallback);
    const meta = (r: Region): Partial<ObjectMeta> => ({ source: "model", model: result.model, ...(r.score !== undefined ? { score: r.score } : {}) });
    let added = 0;
    const kind = this.kind();
    for (const r of result.regions) {
      if (kind === "box" && ed.model.addBox) {
        const box = regionBox(r);
        if (box && box.width > 0 && box.height > 0) {
          ed.model.addBox(labelOf(r), box, meta(r));
          added += 1;
        }
      } else if (kind === "polygon" && ed.model.addPolygon && r.kind !== "mask") {
        const pts = regionPolygon(r);
        if (pts && ed.model.addPolygon(labelOf(r), pts, meta(r)) !== null) added += 1;
      } else if (kind === "point" && ed.model.addPoint && r.kind === "keypoints") {
        for (const p of r.points) {
          if (!labels.includes(p.label)) continue; // only the task's own keypoint names
          ed.model.addPoint(p.label, { x: p.x, y: p.y }, { source: "model", model: result.model, ...(p.score !== undefined ? { score: p.score } : {}) });
          added += 1;
        }
      }
    }
    return added;
  }

  /**
   * The status floats over the top of the image (a line in the toolbar would push the canvas
   * down mid-gesture); a result fades after a few seconds, a picking hint stays while picking.
   */
  /** Why nothing was added: nothing found, or found points none of whose names this task uses. */
  private _nothingWhy(result: AssistResult): string {
    const names = new Set(result.regions.flatMap((r) => (r.kind === "keypoints" ? r.points.map((p) => p.label) : [])));
    if (this.kind() !== "point" || names.size === 0) return "nothing found";
    const some = [...names].slice(0, 4).join(", ");
    return `found ${names.size} points (${some}…), but this task's labels name none of them`;
  }

  private _say(message: { text: string; tone: "info" | "error" } | null, clearAfterMs = 0): void {
    clearTimeout(this._clearTimer);
    const stage = this._canvas()?.parentElement;
    if (!message || !stage) {
      this._status?.remove();
      this._status = null;
      return;
    }
    if (!this._status || this._status.parentElement !== stage) {
      this._status?.remove();
      this._status = document.createElement("div");
      this._status.className = "assist-status";
      this._status.style.cssText =
        "position:absolute;left:8px;top:8px;max-width:calc(100% - 16px);z-index:3;pointer-events:none;" +
        "padding:4px 8px;border-radius:4px;font:12px/1.4 system-ui,sans-serif;color:#fff;background:rgba(20,24,31,.82)";
      stage.append(this._status);
    }
    this._status.setAttribute("role", message.tone === "error" ? "alert" : "status");
    this._status.dataset.tone = message.tone;
    this._status.style.background = message.tone === "error" ? "rgba(180,35,24,.92)" : "rgba(20,24,31,.82)";
    this._status.textContent = message.text;
    if (clearAfterMs) this._clearTimer = setTimeout(() => this._say(null), clearAfterMs);
  }

  // ---- picking a box, extreme points or a point on the canvas -----------------------------------

  private _canvas(): HTMLElement | null {
    return this.host.renderRoot.querySelector<HTMLElement>(".canvas");
  }

  private _startPicking(a: AssistInfo): void {
    const canvas = this._canvas();
    if (!canvas || !this.editor()) return;
    this._picking = a;
    this._points = [];
    const overlay = document.createElement("div");
    overlay.className = "assist-overlay";
    overlay.setAttribute("aria-hidden", "true");
    overlay.style.cssText = "position:absolute;inset:0;pointer-events:none;cursor:crosshair;z-index:2";
    canvas.after(overlay);
    this._overlay = overlay;
    canvas.style.cursor = "crosshair";
    const on = (type: string, fn: (e: Event) => void, target: EventTarget): void => {
      target.addEventListener(type, fn, true);
      this._listeners.push([type, fn]);
    };
    on("pointerdown", (e) => this._down(e as PointerEvent), canvas);
    on("pointermove", (e) => this._move(e as PointerEvent), canvas);
    on("pointerup", (e) => this._up(e as PointerEvent), canvas);
    on("keydown", (e) => this._key(e as KeyboardEvent), this.host);
    const hint =
      a.needs === "box"
        ? "drag a box around the object, or click its 4 extreme points (leftmost, topmost, rightmost, bottommost); Esc cancels"
        : a.needs === "points"
          ? "click the object's 4 extreme points; Esc cancels"
          : "click the region; Esc cancels";
    this._say({ text: `${a.title}: ${hint}`, tone: "info" });
  }

  private _stopPicking(): void {
    const canvas = this._canvas();
    for (const [type, fn] of this._listeners.splice(0)) {
      (type === "keydown" ? this.host : canvas)?.removeEventListener(type, fn, true);
    }
    if (canvas) canvas.style.cursor = "";
    this._overlay?.remove();
    this._overlay = null;
    this._picking = null;
    this._points = [];
    this._drag = null;
    this.host.requestUpdate();
  }

  private _image(e: PointerEvent): { image: XY; screen: XY } | null {
    const ed = this.editor();
    if (!ed) return null;
    const screen = ed.view.clientToStage(e.clientX, e.clientY);
    return { screen, image: toImage(ed.view.viewport, screen) };
  }

  private _take(e: Event): void {
    e.stopPropagation(); // the editor's tool must not draw too
    e.preventDefault();
  }

  private _down(e: PointerEvent): void {
    if (e.button !== 0) return; // the middle button still pans
    const at = this._image(e);
    if (!at) return;
    this._take(e);
    (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
    this._drag = { start: at.image, startScreen: at.screen, now: at.image };
  }

  private _move(e: PointerEvent): void {
    if (!this._drag) return;
    const at = this._image(e);
    if (!at) return;
    this._take(e);
    this._drag.now = at.image;
    this._draw();
  }

  private _up(e: PointerEvent): void {
    const drag = this._drag;
    const a = this._picking;
    if (!drag || !a) return;
    this._take(e);
    this._drag = null;
    const at = this._image(e) ?? { image: drag.now, screen: drag.startScreen };
    const moved = Math.hypot(at.screen.x - drag.startScreen.x, at.screen.y - drag.startScreen.y);
    if (a.needs === "box" && moved > CLICK_SLOP) {
      const box = this._clip({
        left: Math.min(drag.start.x, at.image.x),
        top: Math.min(drag.start.y, at.image.y),
        width: Math.abs(at.image.x - drag.start.x),
        height: Math.abs(at.image.y - drag.start.y),
      });
      this._stopPicking();
      void this._run(a, { box });
      return;
    }
    const p = this._clipPoint(drag.start);
    if (a.needs === "point") {
      this._stopPicking();
      void this._run(a, { x: p.x, y: p.y });
      return;
    }
    this._points.push(p);
    this._draw();
    if (this._points.length === 4) {
      const points = this._points;
      this._stopPicking();
      void this._run(a, { points });
    } else {
      this._say({ text: `${a.title}: ${4 - this._points.length} more extreme point${this._points.length === 3 ? "" : "s"}; Esc cancels`, tone: "info" });
    }
  }

  private _key(e: KeyboardEvent): void {
    if (e.key !== "Escape") return;
    e.stopPropagation();
    e.preventDefault();
    this._stopPicking();
    this._say(null);
  }

  private _clipPoint(p: XY): XY {
    const size = this.editor()?.model.image ?? { width: 0, height: 0 };
    const round = (v: number): number => Math.round(v * 100) / 100;
    return { x: round(Math.min(Math.max(p.x, 0), size.width)), y: round(Math.min(Math.max(p.y, 0), size.height)) };
  }

  private _clip(b: { left: number; top: number; width: number; height: number }): typeof b {
    const tl = this._clipPoint({ x: b.left, y: b.top });
    const br = this._clipPoint({ x: b.left + b.width, y: b.top + b.height });
    return { left: tl.x, top: tl.y, width: br.x - tl.x, height: br.y - tl.y };
  }

  /** The box being dragged and the points clicked so far, in screen pixels over the canvas. */
  private _draw(): void {
    const overlay = this._overlay;
    const ed = this.editor();
    if (!overlay || !ed) return;
    const v = ed.view.viewport;
    const screen = (p: XY): XY => ({ x: p.x * v.scale + v.x, y: p.y * v.scale + v.y });
    const parts: string[] = [];
    if (this._drag) {
      const a = screen(this._drag.start);
      const b = screen(this._drag.now);
      parts.push(`<div style="position:absolute;left:${Math.min(a.x, b.x)}px;top:${Math.min(a.y, b.y)}px;width:${Math.abs(b.x - a.x)}px;height:${Math.abs(b.y - a.y)}px;border:2px dashed #f5a623;background:rgba(245,166,35,.12)"></div>`);
    }
    for (const p of this._points) {
      const s = screen(p);
      parts.push(`<div style="position:absolute;left:${s.x - 5}px;top:${s.y - 5}px;width:10px;height:10px;border-radius:50%;background:#f5a623;border:2px solid #fff"></div>`);
    }
    overlay.innerHTML = parts.join(""); // numbers only: nothing from the task reaches this markup
  }

  // ---- rendering -----------------------------------------------------------------------------

  render(): TemplateResult | typeof nothing {
    if (!this._offered.length) return nothing;
    return html`<span class="sep"></span>
      <span class="assists" role="group" aria-label="Model assists" style="display:contents">
        ${this._offered.map(
          (a) => html`<button type="button" class="tool word assist" data-assist=${a.name} title="${a.title} (${a.model})"
            aria-pressed=${this._picking?.name === a.name ? "true" : "false"} ?disabled=${this._busy !== null}
            @click=${() => this._click(a)}>${this._busy === a.name ? `${a.title}…` : a.title}</button>`,
        )}
      </span>`;
  }
}
