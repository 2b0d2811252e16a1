import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import { parseKeypoints } from "../../canvas/shapes";
import type { ShapeEditor } from "../../canvas/shape-editor";
import { parseSkeleton, type ParsedSkeleton } from "../../canvas/skeleton";
import { parseAttributeLiteral } from "../../lib/loose-json";
import { LwShapeElement, type ShapeElementSpec } from "../shared/shape-element";

/**
 * `<lw-keypoint name src labels header initial-value required skeleton keypoint-set>`
 * (`<crowd-keypoint>`): place, move, relabel and delete labelled points on an image. Output
 * `{[name]: {keypoints: [{label, x, y}], inputImageProperties: {width, height}}}` in image pixels
 * (Ground Truth's flat list, with or without a skeleton).
 *
 * - `skeleton`: edges drawn between the points of one instance, as label-name pairs
 *   (`[["nose","left_eye"], …]`) or 1-based label numbers (COCO, `[[1,2], …]`). An instance is
 *   read from the order of the points: a label placed again starts the next one.
 * - `keypoint-set`: each label is one named point per instance; placing a point arms the next
 *   label the instance still lacks (after the last, the first again: the next instance).
 */
export class LwKeypoint extends LwShapeElement {
  static override properties: PropertyDeclarations = {
    ...LwShapeElement.properties,
    skeleton: { type: String },
    keypointSet: { type: Boolean, attribute: "keypoint-set" },
  };

  declare skeleton: string | null;
  declare keypointSet: boolean;
  /** The editor the skeleton and the mode were last handed to (a reconnect makes a new one). */
  private _configured: ShapeEditor | null = null;
  private _skeleton: ParsedSkeleton = { edges: [], problems: [] };

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

  constructor() {
    super();
    this.skeleton = null;
    this.keypointSet = false;
  }

  /** The skeleton edges in use (label-name pairs) and what was left out of the attribute. */
  get skeletonEdges(): ParsedSkeleton {
    return this._skeleton;
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    const ed = this.editor;
    if (!ed) return;
    ed.controller.keypointSet = this.keypointSet;
    if (ed === this._configured && !changed.has("skeleton") && !changed.has("labels")) return;
    this._configured = ed;
    const before = this._skeleton.problems.join("; ");
    this._skeleton = this._parseSkeleton();
    const problems = this._skeleton.problems.join("; ");
    if (problems) console.warn(`<${this.localName} name="${this.fieldName}">`, problems);
    ed.view.setSkeleton(this._skeleton.edges);
    if (problems !== before) this.requestUpdate(); // the problems line in render()
  }

  private _parseSkeleton(): ParsedSkeleton {
    const text = (this.skeleton ?? "").trim();
    if (!text) return { edges: [], problems: [] };
    try {
      return parseSkeleton(parseAttributeLiteral(text), this.labels);
    } catch (e) {
      return { edges: [], problems: [`skeleton is not valid JSON: ${(e as Error).message}`] };
    }
  }

  override render(): TemplateResult {
    const problems = this._skeleton.problems;
    return html`${super.render()}
    ${problems.length ? html`<p class="error" role="alert">Some skeleton edges were left out: ${problems.join("; ")}</p>` : nothing}`;
  }
}
