import { html, type TemplateResult } from "lit";
import { BoxEditor } from "../../canvas/editor";
import type { ToolName } from "../../canvas/controller";
import { parseBoxes, type Box, type BoundingBoxOutput, type OutputBox } from "../../canvas/model";
import { AssistBar } from "../shared/assist-bar";
import { LwObjectElement, type ParsedObjects, type ToolButton } from "../shared/object-element";

const TOOLS: ToolButton<ToolName>[] = [
  {
    tool: "draw",
    title: "Draw boxes",
    key: "B",
    icon: html`<svg viewBox="0 0 20 20"><rect x="4" y="4" width="12" height="12" rx="1" fill="none" stroke="currentColor" stroke-width="1.6" stroke-dasharray="3 2"/><path d="M10 7v6M7 10h6" stroke="currentColor" stroke-width="1.6"/></svg>`,
  },
  {
    tool: "select",
    title: "Select, move and resize",
    key: "V",
    icon: html`<svg viewBox="0 0 20 20"><path d="M5 3l10 7-4.5 1 2.5 5-2 1-2.5-5L5 15z" fill="currentColor"/></svg>`,
  },
  {
    tool: "pan",
    title: "Pan (or hold Space, or drag with the middle button)",
    key: "H",
    icon: html`<svg viewBox="0 0 20 20"><path d="M10 2l3 3h-2v4h4V7l3 3-3 3v-2h-4v4h2l-3 3-3-3h2v-4H5v2l-3-3 3-3v2h4V5H7z" fill="currentColor"/></svg>`,
  },
];

/**
 * `<lw-bounding-box name src labels header initial-value required>` (`<crowd-bounding-box>`):
 * draw, select, move, resize, relabel and delete boxes on an image. Output
 * `{[name]: {boundingBoxes: [{label, left, top, width, height}], inputImageProperties: {width, height}}}`
 * in the image's own pixels. When `labels` is a label-category file with attributes, the selected
 * box shows its label's attributes and the image its `frameAttributes` (panels in the side bar);
 * values go out as each box's `labelCategoryAttributes` and the answer's `frameAttributes`. The
 * editing itself is the framework-free canvas package (src/canvas, see its README); the chrome
 * (tools, labels, region list, attributes, drafts, validation) is the shared `LwObjectElement`.
 */
export class LwBoundingBox extends LwObjectElement<Box, OutputBox, BoundingBoxOutput, ToolName, BoxEditor> {
  protected readonly noun = "box";
  protected readonly nouns = "boxes";
  protected readonly objectKeys = ["boundingBoxes"] as const;
  protected readonly loadedEvent = "boxes";
  /** Model assists in the toolbar (assist-bar.ts): buttons only inside a task frame that offers some. */
  private readonly _assists = new AssistBar(this, () => this._editor, () => "box");

  protected parse(value: unknown): ParsedObjects<OutputBox> {
    const { boxes, ...rest } = parseBoxes(value);
    return { items: boxes, ...rest };
  }

  protected pendingOutput(boxes: readonly OutputBox[]): Record<string, unknown> {
    return { boundingBoxes: boxes, inputImageProperties: { width: 0, height: 0 } };
  }

  protected snapshot(editor: BoxEditor): OutputBox[] {
    return editor.output().boundingBoxes;
  }

  protected makeEditor(container: HTMLDivElement): BoxEditor {
    return new BoxEditor(container, { labels: this.labels, onEvent: (e) => this.onEditorEvent(e) });
  }

  protected tools(): ToolButton<ToolName>[] {
    return TOOLS;
  }

  protected dims(b: Box): string {
    return `${b.width}×${b.height}`;
  }

  protected rowAction(verb: string): string {
    return `${verb} box`;
  }

  protected override requiredMessage(): string {
    return "Draw at least one box before submitting.";
  }

  protected override noLabelsMessage(): string {
    return "No labels are configured: boxes cannot be drawn.";
  }

  protected override emptyListHint(): string {
    return "Drag on the image to draw a box.";
  }

  protected override renderAssists(): unknown {
    return this._assists.render();
  }

  protected hint(): TemplateResult {
    return html`Drag to draw (<kbd>Shift</kbd> on a selected box) · <kbd>1</kbd>–<kbd>9</kbd> label · <kbd>Del</kbd> delete · wheel zoom · <kbd>Space</kbd>+drag pan ·
      <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo`;
  }
}
