/**
 * The box editor facade: the shared `ObjectEditor` (object-editor.ts) over a `BoxModel`, the box
 * `Controller` and a `BoxView`. Framework-free: the `<lw-bounding-box>` element is a thin Lit
 * shell around it, and other hosts can use it as is.
 */
import { Controller, type ToolName } from "./controller";
import { BoxModel, type Box, type BoundingBoxOutput, type OutputBox } from "./model";
import { ObjectEditor, type ObjectEditorEvent } from "./object-editor";
import { BoxView } from "./view";

/** `change`, `selection`, `viewport`, `boxes` (a load), `state`, `image-loaded`, `image-error`. */
export type EditorEvent = ObjectEditorEvent<BoundingBoxOutput, "boxes">;

export interface EditorOptions {
  labels: readonly string[];
  onEvent: (e: EditorEvent) => void;
}

export class BoxEditor extends ObjectEditor<Box, BoxModel, BoxView, Controller, ToolName, BoundingBoxOutput, "boxes"> {
  constructor(container: HTMLDivElement, opts: EditorOptions) {
    const model = new BoxModel();
    super(model, container, opts.onEvent, "boxes", {
      view: (colourOf) => new BoxView(container, model, colourOf),
      controller: (view) => new Controller(model, view, opts.labels),
    });
  }

  load(boxes: readonly OutputBox[]): void {
    this.model.load(boxes);
  }

  output(): BoundingBoxOutput {
    return this.model.output();
  }
}
