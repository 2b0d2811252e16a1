import { html, type TemplateResult } from "lit";

/**
 * The brightness / contrast pop-over of the image elements' toolbars (a view aid: a CSS filter
 * on the image layer, never in the output). Values in percent; `onInput` gets the slider event.
 */
export function renderImageAdjust(
  brightness: number,
  contrast: number,
  onInput: (which: "_brightness" | "_contrast", e: Event) => void,
  onReset: () => void,
): TemplateResult {
  return html`<details class="adjust">
    <summary class="tool word" title="Brightness and contrast">
      <svg viewBox="0 0 20 20"><circle cx="10" cy="10" r="6.5" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M10 3.5a6.5 6.5 0 010 13z" fill="currentColor"/></svg>
    </summary>
    <div class="adjust-panel">
      <label>Brightness <input type="range" min="30" max="250" step="5" .value=${String(brightness)}
        aria-label="Brightness" @input=${(e: Event) => onInput("_brightness", e)} /></label>
      <label>Contrast <input type="range" min="30" max="250" step="5" .value=${String(contrast)}
        aria-label="Contrast" @input=${(e: Event) => onInput("_contrast", e)} /></label>
      <button type="button" class="tool word" @click=${onReset}>Reset</button>
    </div>
  </details>`;
}
