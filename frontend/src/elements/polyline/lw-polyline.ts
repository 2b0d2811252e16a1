import { html } from "lit";
import { parsePolylines } from "../../canvas/shapes";
import { LwShapeElement, type ShapeElementSpec } from "../shared/shape-element";

/**
 * `<lw-polyline name src labels header initial-value required>` (`<crowd-polyline>`): draw, edit,
 * move, relabel and delete open polylines (2 or more vertices) on an image. Output
 * `{[name]: {polylines: [{label, vertices: [{x, y}…]}], inputImageProperties: {width, height}}}`
 * in the image's own pixels.
 */
export class LwPolyline extends LwShapeElement {
  protected readonly spec: ShapeElementSpec = {
    kind: "polyline",
    noun: "polyline",
    nouns: "polylines",
    parse: parsePolylines,
    drawTitle: "Draw polylines",
    drawKey: "L",
    hint: html`Click to add points, double-click or <kbd>Enter</kbd> to finish · <kbd>Backspace</kbd> last point ·
      <kbd>Esc</kbd> cancel · <kbd>1</kbd>–<kbd>9</kbd> label · <kbd>V</kbd> select, drag a point · <kbd>Del</kbd> delete ·
      wheel zoom · <kbd>Space</kbd>+drag pan · <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo`,
  };
}
