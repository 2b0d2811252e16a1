import { css, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import { styleMap } from "lit/directives/style-map.js";
import { parseOverlay, type Overlay } from "../../lib/attributes";
import { ClassifierBase } from "./classifier-base";

type LoadState = "loading" | "loaded" | "error";

/** Images this narrow or narrower are scaled up with visible pixels rather than smoothing. */
const SMALL_IMAGE_PX = 256;

/** Distinct, colour-blind-friendlier hues for overlay boxes (by label). */
const BOX_COLOURS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#0092a8", "#c2185b", "#6d8c00"];

/**
 * A classifier whose content is an image (`src`), fitted to the available width with its aspect
 * kept, optionally with a verification `overlay` (bounding boxes or a segmentation mask).
 */
export class ImageClassifierBase extends ClassifierBase {
  static override properties: PropertyDeclarations = {
    src: { type: String },
    overlay: { converter: { fromAttribute: parseOverlay } },
    _load: { state: true },
    _natural: { state: true },
  };

  declare src: string;
  declare overlay: Overlay | null;
  declare private _load: LoadState;
  declare private _natural: { width: number; height: number } | null;

  constructor() {
    super();
    this.src = "";
    this.overlay = null;
    this._load = "loading";
    this._natural = null;
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    if (changed.has("src")) {
      this._load = this.src ? "loading" : "error";
      this._natural = null;
    }
  }

  private _onLoad(e: Event): void {
    const img = e.target as HTMLImageElement;
    this._natural = { width: img.naturalWidth, height: img.naturalHeight };
    this._load = "loaded";
  }

  private _onError(): void {
    this._load = "error";
  }

  private _renderOverlay(): TemplateResult | typeof nothing {
    const overlay = this.overlay;
    const size = this._natural;
    if (!overlay || !size || !size.width || !size.height) return nothing;
    const labels = [...new Set(overlay.boxes.map((b) => b.label))];
    const pct = (v: number, of: number): string => `${(v / of) * 100}%`;
    return html`<div class="overlay" part="overlay" aria-hidden="true">
      ${overlay.maskSrc ? html`<img class="mask" src=${overlay.maskSrc} alt="" draggable="false" />` : nothing}
      ${overlay.boxes.map((b) => {
        const colour = BOX_COLOURS[labels.indexOf(b.label) % BOX_COLOURS.length]!;
        return html`<div
          class="box"
          style=${styleMap({
            left: pct(b.left, size.width),
            top: pct(b.top, size.height),
            width: pct(b.width, size.width),
            height: pct(b.height, size.height),
            "--box-colour": colour,
          })}
        >
          ${b.label ? html`<span class="box-label">${b.label}</span>` : nothing}
        </div>`;
      })}
    </div>`;
  }

  protected override renderTarget(): TemplateResult {
    if (!this.src) {
      return html`<div class="image-error" role="alert">No image was given for this task.</div>`;
    }
    const state = this._load;
    const size = this._natural;
    // Once the size is known the stage takes the image's aspect, as wide as the column allows
    // but no taller than --lw-max-image-height; the overlay is laid out in the same box.
    const stageStyle = size && size.width && size.height
      ? {
          "aspect-ratio": `${size.width} / ${size.height}`,
          width: `min(100%, calc(var(--lw-max-image-height, 100vh) * ${size.width / size.height}))`,
        }
      : {};
    return html`<figure class="figure is-${state}" part="figure">
        <div class="stage ${size && size.width <= SMALL_IMAGE_PX ? "small" : ""}" style=${styleMap(stageStyle)}>
          <img
            class="image"
            part="image"
            src=${this.src}
            alt=${this.header || "Image to classify"}
            draggable="false"
            @load=${this._onLoad}
            @error=${this._onError}
          />
          ${state === "loaded" ? this._renderOverlay() : nothing}
        </div>
        ${state === "loading" ? html`<div class="placeholder" aria-live="polite">Loading image…</div>` : nothing}
        ${state === "error"
          ? html`<div class="image-error" role="alert">
              <strong>The image could not be loaded.</strong>
              <span>Its link may have expired or the file may be missing. Skip this task if it does not appear.</span>
            </div>`
          : nothing}
      </figure>
      <slot name="target"></slot>`;
  }

  static override styles = [
    ...ClassifierBase.styles,
    css`
      .figure {
        margin: 0;
      }
      .stage {
        position: relative;
        margin: 0 auto;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        background: var(--_subtle)
          repeating-conic-gradient(#eef1f4 0% 25%, transparent 0% 50%) 0 0 / 16px 16px;
        overflow: hidden;
        line-height: 0;
      }
      .image {
        display: block;
        width: 100%;
        height: 100%;
        user-select: none;
      }
      .stage.small .image {
        /* small images are scaled up to be seen: show their pixels rather than a blur */
        image-rendering: pixelated;
      }
      .figure.is-loading .image {
        /* keep the element (so it loads) but hold no space until its size is known */
        position: absolute;
        opacity: 0;
      }
      .figure.is-error .stage {
        display: none;
      }
      .placeholder {
        display: grid;
        place-items: center;
        min-height: 240px;
        border: 1px dashed var(--_border-strong);
        border-radius: var(--_radius);
        background: var(--_subtle);
        color: var(--_muted);
        font-size: 0.9rem;
      }
      .image-error {
        display: flex;
        flex-direction: column;
        gap: 0.25rem;
        justify-content: center;
        min-height: 160px;
        padding: 1rem 1.25rem;
        border: 1px solid color-mix(in srgb, var(--_danger) 35%, transparent);
        border-radius: var(--_radius);
        background: var(--_danger-soft);
        color: var(--_danger);
        font-size: 0.95rem;
        line-height: 1.45;
      }
      .image-error span {
        color: var(--_fg);
        font-size: 0.875rem;
      }
      .overlay {
        position: absolute;
        inset: 0;
        pointer-events: none;
      }
      .mask {
        position: absolute;
        inset: 0;
        width: 100%;
        height: 100%;
        opacity: 0.5;
      }
      .box {
        position: absolute;
        border: 2px solid var(--box-colour);
        box-shadow: 0 0 0 1px rgb(255 255 255 / 0.7);
      }
      .box-label {
        position: absolute;
        left: -2px;
        bottom: 100%;
        max-width: 16em;
        padding: 1px 5px;
        overflow: hidden;
        border-radius: 3px 3px 0 0;
        background: var(--box-colour);
        color: #fff;
        font: 600 11px/1.4 var(--_font);
        white-space: nowrap;
        text-overflow: ellipsis;
      }
    `,
  ];
}
