import { html } from "lit";
import { parsePolygons } from "../../canvas/shapes";
import { LwShapeElement, type ShapeElementSpec } from "../shared/shape-element";

/**
 * `<lw-polygon name src labels header initial-value required>` (`<crowd-polygon>`): draw, edit,
 * move, relabel and delete polygons on an image. Output
 * `{[name]: {polygons: [{label, vertices: [{x, y}…]}], inputImageProperties: {width, height}}}`
 * in the image's own pixels.
 */
export class LwPolygon extends LwShapeElement {
  protected readonly spec: ShapeElementSpec = {
    kind: "polygon",
    noun: "polygon",
    nouns: "polygons",
    parse: parsePolygons,
    drawTitle: "Draw polygons",
    drawKey: "P",
    hint: html`Click to add points, click the first point or <kbd>Enter</kbd> to close · <kbd>Backspace</kbd> last point ·
      <kbd>Esc</kbd> cancel · <kbd>1</kbd>–<kbd>9</kbd> label · <kbd>V</kbd> select, drag a point · <kbd>Del</kbd> delete ·
      wheel zoom · <kbd>Space</kbd>+drag pan · <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo`,
  };
}
