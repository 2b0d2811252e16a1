/**
 * The facade for polygons, keypoints, polylines and lines, as `BoxEditor` is for boxes: the
 * shared `ObjectEditor` (object-editor.ts) over a `ShapeModel`, a `ShapeController` and a
 * `ShapeView`. `<lw-polygon>`, `<lw-keypoint>`, `<lw-polyline>` and `<lw-line>` are thin shells
 * around it.
 */
import { ObjectEditor, type ObjectEditorEvent } from "./object-editor";
import { ShapeController, type ShapeToolName } from "./shape-controller";
import { ShapeView } from "./shape-view";
import {
  ShapeModel,
  type KeypointOutput,
  type OpenShapeOutput,
  type ParsedShapes,
  type PolygonOutput,
  type Shape,
  type ShapeKind,
} from "./shapes";

type ShapeOutput = PolygonOutput | KeypointOutput | OpenShapeOutput;

/** `change`, `selection`, `viewport`, `shapes` (a load), `state`, `image-loaded`, `image-error`. */
export type ShapeEditorEvent = ObjectEditorEvent<ShapeOutput, "shapes">;

export interface ShapeEditorOptions {
  kind: ShapeKind;
  labels: readonly string[];
  onEvent: (e: ShapeEditorEvent) => void;
}

export class ShapeEditor extends ObjectEditor<Shape, ShapeModel, ShapeView, ShapeController, ShapeToolName, ShapeOutput, "shapes"> {
  private readonly kind: ShapeKind;

  constructor(container: HTMLDivElement, opts: ShapeEditorOptions) {
    const model = new ShapeModel();
    super(model, container, opts.onEvent, "shapes", {
      view: (colourOf) => {
        const view = new ShapeView(container, model, colourOf);
        view.closedDraft = opts.kind === "polygon";
        return view;
      },
      controller: (view) => new ShapeController(model, view, opts.labels, opts.kind),
    });
    this.kind = opts.kind;
  }

  load(parsed: ParsedShapes["shapes"]): void {
    this.model.load(parsed);
  }

  output(): ShapeOutput {
    const kind = this.kind;
    if (kind === "polygon") return this.model.polygonOutput();
    return kind === "point" ? this.model.keypointOutput() : this.model.openOutput(kind);
  }
}
