import { html } from "lit";
import { parseLines } from "../../canvas/shapes";
import { LwShapeElement, type ShapeElementSpec } from "../shared/shape-element";

/**
 * `<lw-line name src labels header initial-value required>` (`<crowd-line>`): draw, edit, move,
 * relabel and delete two-point lines on an image. Output
 * `{[name]: {lines: [{label, vertices: [{x, y}, {x, y}]}], inputImageProperties: {width, height}}}`
 * in the image's own pixels.
 */
export class LwLine extends LwShapeElement {
  protected readonly spec: ShapeElementSpec = {
    kind: "line",
    noun: "line",
    nouns: "lines",
    parse: parseLines,
    drawTitle: "Draw lines",
    drawKey: "L",
    hint: html`Click the start, then the end of each line · <kbd>Esc</kbd> cancel · <kbd>1</kbd>–<kbd>9</kbd> label ·
      <kbd>V</kbd> select, drag an end · <kbd>Del</kbd> delete · wheel zoom · <kbd>Space</kbd>+drag pan ·
      <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo`,
  };
}
