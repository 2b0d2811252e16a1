import { html } from "lit";
import { parseKeypoints } from "../../canvas/shapes";
import { LwShapeElement, type ShapeElementSpec } from "../shared/shape-element";

/**
 * `<lw-keypoint name src labels header initial-value required>` (`<crowd-keypoint>`): place,
 * move, relabel and delete labelled points on an image. Output
 * `{[name]: {keypoints: [{label, x, y}], inputImageProperties: {width, height}}}` in image pixels.
 */
export class LwKeypoint extends LwShapeElement {
  protected readonly spec: ShapeElementSpec = {
    kind: "point",
    noun: "point",
    nouns: "points",
    parse: parseKeypoints,
    drawTitle: "Place points",
    drawKey: "K",
    hint: html`Click to place a point with the current label · drag a point to move it · <kbd>1</kbd>–<kbd>9</kbd> label ·
      <kbd>Del</kbd> delete · wheel zoom · <kbd>Space</kbd>+drag pan · <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo`,
  };
}
