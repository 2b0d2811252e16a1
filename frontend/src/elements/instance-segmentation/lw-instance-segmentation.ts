import { html, type TemplateResult } from "lit";
import { LwMaskElement } from "../semantic-segmentation/mask-element";

/**
 * `<lw-instance-segmentation name src labels header initial-value required>`
 * (`<crowd-instance-segmentation>`): paint each object as its own instance (its own colour and
 * label). Painting with no instance selected starts a new one of the current label; `N` (or Esc)
 * ends it. Output (Ground Truth's shape) as `<lw-semantic-segmentation>`'s plus
 * `instances: [{color, label}]`, one distinct colour per instance in the PNG.
 */
export class LwInstanceSegmentation extends LwMaskElement {
  protected readonly kind = "instance" as const;

  protected hint(): TemplateResult {
    return html`Paint an object, <kbd>N</kbd> for the next one · <kbd>B</kbd> brush · <kbd>E</kbd> eraser ·
      <kbd>P</kbd> polygon fill · <kbd>W</kbd> magic wand · <kbd>V</kbd> select · <kbd>1</kbd>–<kbd>9</kbd> label
      (relabels the selected instance) · <kbd>Del</kbd> delete · <kbd>Space</kbd>+drag pan · <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo`;
  }
}
