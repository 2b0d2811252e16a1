import { html, type TemplateResult } from "lit";
import { LwMaskElement } from "./mask-element";

/**
 * `<lw-semantic-segmentation name src labels header initial-value required>`
 * (`<crowd-semantic-segmentation>`): paint every pixel's class with a brush, eraser, polygon
 * fill, magic wand or region fill. Output (Ground Truth's shape)
 * `{[name]: {labeledImage: {pngImageData}, labelMappings: {<label>: {color}}, inputImageProperties: {width, height}}}`:
 * a PNG at the image's size, each class in its colour, unlabeled pixels white.
 */
export class LwSemanticSegmentation extends LwMaskElement {
  protected readonly kind = "semantic" as const;

  protected hint(): TemplateResult {
    return html`<kbd>B</kbd> brush · <kbd>E</kbd> eraser · <kbd>[</kbd> <kbd>]</kbd> size · <kbd>P</kbd> polygon fill
      (<kbd>Enter</kbd> fills, <kbd>Shift</kbd>+<kbd>Enter</kbd> erases) · <kbd>W</kbd> magic wand · <kbd>G</kbd> fill region · <kbd>1</kbd>–<kbd>9</kbd> class ·
      wheel zoom · <kbd>Space</kbd>+drag pan · <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo`;
  }
}
