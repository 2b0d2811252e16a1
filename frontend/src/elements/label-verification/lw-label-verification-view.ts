import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import { LABEL_COLOURS } from "../../canvas/view";
import { actualSize, fit, panBy, toImage, toScreen, wheelFactor, zoomAt, type Viewport } from "../../canvas/viewport";
import { isTypingTarget } from "../../lib/hotkeys";
import { tokens } from "../shared/tokens";
import { verificationViewStyles } from "./styles";
import { attributeText, countByLabel, maskBlend, objectAt, parseEarlierLabel, type Drawable, type EarlierLabel } from "./earlier-label";

/** Label tags are written only up to this many objects (beyond, they hide the image). */
const TAG_LIMIT = 400;

/**
 * `<lw-label-verification-view src label-data label-metadata mask-src attribute>`: the image with
 * an earlier label drawn over it, read-only, for a verification task (put it in the verdict
 * classifier's `<classification-target>`). Boxes, polygons, polylines, lines and keypoints are
 * outlined in their label's colour with a tag; a semantic-segmentation label map (`mask-src`) is
 * laid over the photo at the chosen opacity. Wheel or +/− zooms about the cursor, a drag pans,
 * F fits, `O` (or the eye button) shows and hides the overlay. It has no value of its own: the
 * verdict and comment are the form's other fields.
 */
export class LwLabelVerificationView extends LitElement {
  static override properties: PropertyDeclarations = {
    src: { type: String },
    labelData: { attribute: "label-data" },
    labelMetadata: { attribute: "label-metadata" },
    maskSrc: { type: String, attribute: "mask-src" },
    attribute: { type: String },
    _overlay: { state: true },
    _opacity: { state: true },
    _scale: { state: true },
    _status: { state: true },
    _hover: { state: true },
  };

  declare src: string;
  declare labelData: unknown;
  declare labelMetadata: unknown;
  declare maskSrc: string;
  declare attribute: string;
  declare private _overlay: boolean;
  declare private _opacity: number;
  declare private _scale: number;
  declare private _status: "loading" | "ready" | "error";
  /** The earlier object under the pointer (its index) and where the pointer is in the stage: its card shows its attributes. */
  declare private _hover: { index: number; x: number; y: number } | null;

  private _label: EarlierLabel = parseEarlierLabel(null, null);
  private _image: HTMLImageElement | null = null;
  private _mask: HTMLImageElement | null = null;
  private _view: Viewport = { scale: 1, x: 0, y: 0 };
  private _fitted = false;
  /** True once the worker zoomed or panned: a resize then keeps their view instead of refitting. */
  private _moved = false;
  private _frame = 0;
  private _drag: { x: number; y: number } | null = null;
  private _resize: ResizeObserver | null = null;
  private readonly _colours = new Map<string, string>();
  private readonly _onKey = (e: KeyboardEvent): void => this._key(e);

  constructor() {
    super();
    this.src = "";
    this.labelData = null;
    this.labelMetadata = null;
    this.maskSrc = "";
    this.attribute = "";
    this._overlay = true;
    this._opacity = 0.5;
    this._scale = 1;
    this._hover = null;
    this._status = "loading";
  }

  /** For tests and the chrome: what is drawn. */
  get earlierLabel(): EarlierLabel {
    return this._label;
  }

  get overlayVisible(): boolean {
    return this._overlay;
  }

  get viewport(): Viewport {
    return { ...this._view };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // keys reach the frame's document wherever focus is; text fields keep theirs
    window.addEventListener("keydown", this._onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("keydown", this._onKey);
    this._resize?.disconnect();
    this._resize = null;
    cancelAnimationFrame(this._frame);
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("labelData") || changed.has("labelMetadata")) {
      this._label = parseEarlierLabel(this.labelData, this.labelMetadata);
      this._colours.clear();
      this._label.maskClasses.forEach((c) => c.colour && this._colours.set(c.label, c.colour));
    }
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has("src")) this._loadImage();
    if (changed.has("maskSrc")) this._loadMask();
    if (!this._resize) {
      const stage = this._stage();
      if (stage) {
        this._resize = new ResizeObserver(() => this._layout());
        this._resize.observe(stage);
      }
    }
    this._paint();
  }

  // ---- view actions ------------------------------------------------------------------------------

  toggleOverlay(show = !this._overlay): void {
    this._overlay = show;
  }

  fitView(): void {
    this._moved = false;
    const img = this._imageSize();
    const stage = this._stage();
    if (!img || !stage) return;
    this._setView(fit(img, { width: stage.clientWidth, height: stage.clientHeight }));
  }

  zoomBy(factor: number, anchor?: { x: number; y: number }): void {
    const stage = this._stage();
    if (!stage) return;
    this._moved = true;
    this._setView(zoomAt(this._view, factor, anchor ?? { x: stage.clientWidth / 2, y: stage.clientHeight / 2 }));
  }

  colourOf(label: string): string {
    let c = this._colours.get(label);
    if (!c) {
      c = LABEL_COLOURS[this._colours.size % LABEL_COLOURS.length];
      this._colours.set(label, c);
    }
    return c;
  }

  // ---- internals ---------------------------------------------------------------------------------

  private _stage(): HTMLDivElement | null {
    return this.renderRoot.querySelector<HTMLDivElement>(".stage");
  }

  private _canvas(): HTMLCanvasElement | null {
    return this.renderRoot.querySelector<HTMLCanvasElement>("canvas");
  }

  private _imageSize(): { width: number; height: number } | null {
    const img = this._image;
    if (img && img.naturalWidth) return { width: img.naturalWidth, height: img.naturalHeight };
    return this._label.size;
  }

  private _loadImage(): void {
    this._status = "loading";
    this._fitted = false;
    this._moved = false;
    if (!this.src) {
      this._image = null;
      this._status = "error";
      return;
    }
    const img = new Image();
    img.decoding = "async";
    img.onload = () => {
      if (this._image !== img) return;
      this._status = "ready";
      this._layout();
      this.dispatchEvent(new CustomEvent("image-loaded", {
        detail: { width: img.naturalWidth, height: img.naturalHeight }, bubbles: true, composed: true }));
    };
    img.onerror = () => {
      if (this._image === img) this._status = "error";
    };
    this._image = img;
    img.src = this.src;
  }

  private _loadMask(): void {
    this._mask = null;
    if (!this.maskSrc) return;
    const mask = new Image();
    mask.onload = () => {
      if (this._mask === mask) this._paint();
    };
    this._mask = mask;
    mask.src = this.maskSrc;
  }

  /** Sizes the canvas to its box (device pixels); fits the image the first time it can. */
  private _layout(): void {
    const stage = this._stage();
    const canvas = this._canvas();
    if (!stage || !canvas) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(stage.clientWidth * dpr));
    canvas.height = Math.max(1, Math.round(stage.clientHeight * dpr));
    if ((!this._fitted || !this._moved) && this._image?.naturalWidth) {
      this._fitted = true;
      this.fitView();
      return;
    }
    this._paint();
  }

  private _setView(v: Viewport): void {
    this._view = v;
    this._scale = v.scale;
    this._paint();
  }

  /** One repaint per animation frame, however many changes asked for it. */
  private _paint(): void {
    if (this._frame) return;
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      this._draw();
    });
  }

  private _draw(): void {
    const canvas = this._canvas();
    const ctx = canvas?.getContext("2d");
    if (!canvas || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    const v = this._view;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(dpr * v.scale, 0, 0, dpr * v.scale, dpr * v.x, dpr * v.y);
    ctx.imageSmoothingEnabled = v.scale < 2; // past 2×, show the pixels as they are
    const img = this._image;
    if (img?.naturalWidth) ctx.drawImage(img, 0, 0);
    if (!this._overlay) return;
    const mask = this._mask;
    if (mask?.naturalWidth && img?.naturalWidth) {
      ctx.save();
      ctx.globalAlpha = this._opacity;
      ctx.globalCompositeOperation = maskBlend(this._label.maskBackground);
      ctx.imageSmoothingEnabled = false; // a label map's edges stay crisp
      ctx.drawImage(mask, 0, 0, img.naturalWidth, img.naturalHeight);
      ctx.restore();
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0); // outlines in screen pixels: the same width at any zoom
    const objects = this._label.objects;
    for (const o of objects) this._drawObject(ctx, o);
    const hovered = this._hover ? objects[this._hover.index] : undefined;
    if (hovered) {
      ctx.save();
      ctx.shadowColor = "rgb(0 0 0 / 0.6)";
      ctx.shadowBlur = 4;
      this._drawObject(ctx, hovered, 4);
      ctx.restore();
    }
    if (objects.length <= TAG_LIMIT) for (const o of objects) this._drawTag(ctx, o);
  }

  private _drawObject(ctx: CanvasRenderingContext2D, o: Drawable, width = 2): void {
    const v = this._view;
    const colour = this.colourOf(o.label);
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = width;
    ctx.lineJoin = "round";
    if (o.kind === "box") {
      const p = toScreen(v, { x: o.left, y: o.top });
      ctx.strokeStyle = "rgb(255 255 255 / 0.75)"; // a light halo keeps dark outlines visible
      ctx.lineWidth = 4;
      ctx.strokeRect(p.x, p.y, o.width * v.scale, o.height * v.scale);
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.strokeRect(p.x, p.y, o.width * v.scale, o.height * v.scale);
      return;
    }
    if (o.kind === "point") {
      const p = toScreen(v, o);
      ctx.beginPath();
      ctx.arc(p.x, p.y, 5, 0, Math.PI * 2);
      ctx.fill();
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 1.5;
      ctx.stroke();
      return;
    }
    ctx.beginPath();
    o.points.forEach((pt, i) => {
      const p = toScreen(v, pt);
      if (i === 0) ctx.moveTo(p.x, p.y);
      else ctx.lineTo(p.x, p.y);
    });
    if (o.kind === "polygon") {
      ctx.closePath();
      ctx.globalAlpha = 0.2;
      ctx.fill();
      ctx.globalAlpha = 1;
    }
    ctx.stroke();
  }

  private _drawTag(ctx: CanvasRenderingContext2D, o: Drawable): void {
    const v = this._view;
    const anchor =
      o.kind === "box" ? { x: o.left, y: o.top }
      : o.kind === "point" ? { x: o.x + 6 / v.scale, y: o.y - 6 / v.scale }
      : o.points.reduce((a, b) => (b.y < a.y ? b : a));
    const p = toScreen(v, anchor);
    ctx.font = "600 11px system-ui, sans-serif";
    const w = ctx.measureText(o.label).width + 10;
    ctx.fillStyle = this.colourOf(o.label);
    ctx.fillRect(p.x - 1, p.y - 17, w, 16);
    ctx.fillStyle = "#fff";
    ctx.fillText(o.label, p.x + 4, p.y - 5);
  }

  private _key(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.composedPath()[0] as HTMLElement)) return;
    if (e.key === "o" || e.key === "O") this.toggleOverlay();
    else if (e.key === "f" || e.key === "F") this.fitView();
    else if (e.key === "+" || e.key === "=") this.zoomBy(1.25);
    else if (e.key === "-") this.zoomBy(0.8);
    else return;
    e.preventDefault();
  }

  private _local(e: PointerEvent | WheelEvent): { x: number; y: number } {
    const r = this._stage()!.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  private _onWheel(e: WheelEvent): void {
    e.preventDefault();
    this.zoomBy(wheelFactor(e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY), this._local(e));
  }

  private _onDown(e: PointerEvent): void {
    if (e.button > 1) return;
    e.preventDefault(); // no text selection; focus is moved by hand so that O and F reach the frame
    const stage = e.currentTarget as HTMLElement;
    stage.focus({ preventScroll: true });
    stage.setPointerCapture(e.pointerId);
    this._drag = { x: e.clientX, y: e.clientY };
  }

  private _onMove(e: PointerEvent): void {
    if (!this._drag) return this._hoverAt(e);
    const dx = e.clientX - this._drag.x;
    const dy = e.clientY - this._drag.y;
    this._drag = { x: e.clientX, y: e.clientY };
    this._moved = true;
    this._setView(panBy(this._view, dx, dy));
  }

  private _onUp(): void {
    this._drag = null;
  }

  /** Finds the earlier object under the pointer: its outline is drawn thicker and its card shows its values. */
  private _hoverAt(e: PointerEvent): void {
    const local = this._local(e);
    const index = this._overlay ? objectAt(this._label.objects, toImage(this._view, local), 6 / this._view.scale) : null;
    const was = this._hover?.index ?? null;
    this._hover = index === null ? null : { index, ...local };
    if (index !== was) this._paint();
  }

  private _renderHoverCard(): TemplateResult | typeof nothing {
    const h = this._hover;
    const o = h ? this._label.objects[h.index] : undefined;
    if (!h || !o || !this._overlay) return nothing;
    const values = attributeText(o.attributes);
    return html`<div class="hover-card" role="tooltip" style="left:${h.x + 14}px;top:${h.y + 14}px">
      <strong>${o.label}</strong>${values ? html`<span class="values">${values}</span>` : html`<span class="values none">no attributes</span>`}
    </div>`;
  }

  static override styles = [tokens, verificationViewStyles];

  /** The stage takes the image's proportions (within the height limits) once its size is known. */
  private _aspect(): string {
    const size = this._status === "ready" ? this._imageSize() : this._label.size;
    return size ? `height:auto;aspect-ratio:${size.width} / ${size.height}` : "";
  }

  private _renderLegend(): TemplateResult {
    const l = this._label;
    const rows = l.objects.length
      ? countByLabel(l.objects)
      : l.maskClasses.map((c) => ({ label: c.label, count: 0 }));
    const name = this.attribute ? html`<strong>${this.attribute}:</strong>` : nothing;
    if (!rows.length && !this.maskSrc) {
      return html`<p class="legend empty">${name} no objects in this label.</p>`;
    }
    return html`<ul class="legend" aria-label="Earlier label">
      ${this.attribute ? html`<li>${name}</li>` : nothing}
      ${rows.map(
        (r) => html`<li>
          <span class="swatch" style="background:${this.colourOf(r.label)}"></span>${r.label}
          ${r.count ? html`<span class="count">×${r.count}</span>` : nothing}
        </li>`,
      )}
      ${l.skipped ? html`<li class="count">${l.skipped} not drawable</li>` : nothing}
      ${Object.keys(l.frameAttributes).length
        ? html`<li class="frame-attributes">Image: ${attributeText(l.frameAttributes)}</li>`
        : nothing}
      ${l.objects.some((o) => o.attributes) ? html`<li class="count">point at an object for its attributes</li>` : nothing}
    </ul>`;
  }

  protected override render(): TemplateResult {
    return html`
      <div class="toolbar" role="toolbar" aria-label="View">
        <button type="button" class="toggle" aria-pressed=${this._overlay ? "true" : "false"}
          title="Show or hide the earlier label (O)" @click=${() => this.toggleOverlay()}>
          Labels <kbd aria-hidden="true">O</kbd>
        </button>
        ${this.maskSrc
          ? html`<label class="opacity">Opacity
              <input type="range" min="10" max="100" .value=${String(Math.round(this._opacity * 100))}
                @input=${(e: Event) => {
                  e.stopPropagation();
                  this._opacity = Number((e.target as HTMLInputElement).value) / 100;
                }} />
            </label>`
          : nothing}
        <button type="button" title="Zoom out (−)" aria-label="Zoom out" @click=${() => this.zoomBy(0.8)}>−</button>
        <span class="zoom" aria-live="polite">${Math.round(this._scale * 100)}%</span>
        <button type="button" title="Zoom in (+)" aria-label="Zoom in" @click=${() => this.zoomBy(1.25)}>+</button>
        <button type="button" title="Fit the image (F)" @click=${() => this.fitView()}>Fit</button>
        <button type="button" title="One image pixel per screen pixel" @click=${() => {
          const s = this._stage();
          if (s) this._setView(actualSize(this._view, { x: s.clientWidth / 2, y: s.clientHeight / 2 }));
        }}>1:1</button>
      </div>
      <div class="stage" part="stage" tabindex="0" style=${this._aspect()}
        @wheel=${this._onWheel}
        @pointerdown=${this._onDown}
        @pointermove=${this._onMove}
        @pointerup=${this._onUp}
        @pointercancel=${this._onUp}
        @pointerleave=${() => {
          if (this._hover) this._paint();
          this._hover = null;
        }}>
        <canvas aria-label="Image with the earlier label" role="img"></canvas>
        ${this._status === "ready" ? nothing
          : html`<div class="status">${this._status === "error" ? "The image could not be loaded." : "Loading the image…"}</div>`}
        ${this._renderHoverCard()}
      </div>
      ${this._renderLegend()}
    `;
  }
}
