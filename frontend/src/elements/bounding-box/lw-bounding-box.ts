import { guard } from "lit/directives/guard.js";
import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import { BoxEditor, type EditorEvent } from "../../canvas/editor";
import type { ToolName } from "../../canvas/controller";
import { parseBoxes, type BoundingBoxOutput, type OutputBox } from "../../canvas/model";
import { EMPTY_ATTRIBUTES, type AttributeValue, type AttributeValues } from "../../canvas/object-meta";
import { parseCategories } from "../../lib/attributes";
import type { JsonValue } from "../../lib/json";
import { parseAttributeLiteral } from "../../lib/loose-json";
import { renderAttributePanel } from "../shared/attribute-panel";
import {
  NO_ATTRIBUTES,
  attributesOf,
  firstProblem,
  hasAttributes,
  parseAttributeSchema,
  pruneAttributes,
  type AttributeSchema,
} from "../shared/attribute-schema";
import { FIELD_CHANGE } from "../shared/field";
import { AssistBar } from "../shared/assist-bar";
import { LwImageEditorElement } from "../shared/image-editor-element";
import { attributeMark, focusRow, renderRegionList, scrollRowIntoView } from "../shared/region-list";

const TOOLS: { tool: ToolName; title: string; key: string; icon: TemplateResult }[] = [
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

function parseInitial(attr: string | null): { boxes: OutputBox[]; frameAttributes?: AttributeValues; problems: string[] } {
  const text = (attr ?? "").trim();
  if (!text) return { boxes: [], problems: [] };
  try {
    return parseBoxes(parseAttributeLiteral(text));
  } catch (e) {
    return { boxes: [], problems: [`initial-value is not valid JSON: ${(e as Error).message}`] };
  }
}

/**
 * `<lw-bounding-box name src labels header initial-value required>` (`<crowd-bounding-box>`):
 * draw, select, move, resize, relabel and delete boxes on an image. Output
 * `{[name]: {boundingBoxes: [{label, left, top, width, height}], inputImageProperties: {width, height}}}`
 * in the image's own pixels. When `labels` is a label-category file with attributes, the selected
 * box shows its label's attributes and the image its `frameAttributes` (panels in the side bar);
 * values go out as each box's `labelCategoryAttributes` and the answer's `frameAttributes`. The editing itself is the framework-free canvas package
 * (src/canvas, see its README); this element is its chrome: tools, labels, region list.
 */
export class LwBoundingBox extends LwImageEditorElement<BoxEditor> {
  static override properties: PropertyDeclarations = {
    labels: { converter: { fromAttribute: parseCategories } },
    _listFirst: { state: true },
  };

  declare labels: string[];
  declare initialValue: string | null;
  /** The first row in the region list's window. */
  declare private _listFirst: number;

  /** Boxes given before the editor exists (a draft restored early). */
  private _pending: OutputBox[] | null = null;
  private _pendingFrame: AttributeValues | null = null;
  /** The label-category attributes the `labels` attribute declares. */
  private _schema: AttributeSchema = NO_ATTRIBUTES;
  /** After a submit was blocked by an attribute: show required-but-empty fields as problems. */
  private _showRequired = false;
  private _problems: string[] = [];
  /** Bumped on every model change: the region list re-renders only when it or the selection moves. */
  private _rev = 0;
  /** Model assists in the toolbar (assist-bar.ts): buttons only inside a task frame that offers some. */
  private readonly _assists = new AssistBar(this, () => this._editor, () => "box");

  constructor() {
    super();
    this.labels = [];
    this.initialValue = null;
    this._listFirst = 0;
  }

  // ---- LwField -----------------------------------------------------------------------------

  get fieldValue(): JsonValue | null {
    if (this._editor) return this._output(this._editor.output()) as unknown as JsonValue;
    const initial = parseInitial(this.initialValue);
    const boxes = this._pending ?? initial.boxes;
    const frame = this._pendingFrame ?? initial.frameAttributes ?? EMPTY_ATTRIBUTES;
    const out: BoundingBoxOutput = { boundingBoxes: boxes, inputImageProperties: { width: 0, height: 0 } };
    if (Object.keys(frame).length) out.frameAttributes = { ...frame };
    return this._output(out) as unknown as JsonValue;
  }

  /** The answer: each box's values limited to its label's attributes (see pruneAttributes). */
  private _output(out: BoundingBoxOutput): BoundingBoxOutput {
    return hasAttributes(this._schema) ? { ...out, boundingBoxes: pruneAttributes(out.boundingBoxes, this._schema) } : out;
  }

  restoreFieldValue(value: JsonValue | undefined): void {
    const parsed = parseBoxes(value);
    this._problems = parsed.problems.map((p) => `draft: ${p}`);
    if (this._editor) {
      this._editor.load(parsed.boxes);
      this._editor.model.loadFrameAttributes(parsed.frameAttributes ?? EMPTY_ATTRIBUTES);
    } else {
      this._pending = parsed.boxes;
      this._pendingFrame = parsed.frameAttributes ?? EMPTY_ATTRIBUTES;
    }
    this._error = null;
    this.requestUpdate();
  }

  validateField(): string | null {
    return this._validate(true);
  }

  protected revalidate(): void {
    this._validate(false);
  }

  /** `reveal`: select and show the box an attribute problem is on (a submit, not a re-check on edit). */
  private _validate(reveal: boolean): string | null {
    const count = this._editor?.model.size ?? 0;
    // Boxes are in the image's pixels: without its size the answer cannot be read.
    if (this._image === "error" || !this.src) this._error = "The image could not be loaded: skip this task.";
    else if (this._image === "loading") this._error = "Wait for the image to load before submitting.";
    else if (this.required && count === 0) this._error = "Draw at least one box before submitting.";
    else this._error = this._attributeError(reveal);
    return this._error;
  }

  /**
   * The first box (in list order) or image attribute that is missing or out of bounds, as a
   * message naming both; the box is selected and shown so that the worker can fix it at once.
   */
  private _attributeError(reveal: boolean): string | null {
    const ed = this._editor;
    if (!ed || !hasAttributes(this._schema)) return null;
    const frame = firstProblem(this._schema.frame, ed.model.frameAttributes);
    if (frame) {
      this._showRequired = true;
      return `Image attributes: ${frame.message}.`;
    }
    const boxes = ed.model.boxes;
    for (let i = 0; i < boxes.length; i++) {
      const b = boxes[i]!;
      const problem = firstProblem(attributesOf(this._schema, b.label), b.attributes);
      if (!problem) continue;
      this._showRequired = true;
      if (reveal) {
        ed.controller.select(b.id);
        ed.controller.reveal(b.id);
      }
      return `Box ${i + 1} (${b.label}): ${problem.message}.`;
    }
    return null;
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  protected keepForReconnect(): void {
    if (this._editor) {
      this._pending = this._editor.output().boundingBoxes;
      this._pendingFrame = this._editor.model.frameAttributes;
    }
  }

  protected makeEditor(container: HTMLDivElement): BoxEditor {
    return new BoxEditor(container, { labels: this.labels, onEvent: (e) => this._onEditorEvent(e) });
  }

  protected loadFirstValue(): void {
    this._loadInitial();
  }

  protected override willUpdate(changed: PropertyValues): void {
    // A label-category file in `labels` may declare attributes (the property holds the names only).
    if (changed.has("labels")) this._schema = parseAttributeSchema(this.getAttribute("labels"));
  }

  protected override updated(changed: PropertyValues): void {
    const ed = this._editor;
    if (!ed) return;
    if (changed.has("labels") && changed.get("labels") !== undefined) ed.setLabels(this.labels);
    if (changed.has("initialValue") && changed.get("initialValue") !== undefined) this._loadInitial();
    if (changed.has("src") && changed.get("src") !== undefined) {
      this._image = "loading";
      ed.setSource(this.src);
    }
  }

  private _loadInitial(): void {
    const parsed = parseInitial(this.initialValue);
    this._problems = parsed.problems.map((p) => `initial-value: ${p}`);
    if (this._problems.length) console.warn(`<${this.localName} name="${this.fieldName}">`, this._problems.join("; "));
    this._editor!.load(this._pending ?? parsed.boxes);
    this._editor!.model.loadFrameAttributes(this._pendingFrame ?? parsed.frameAttributes ?? EMPTY_ATTRIBUTES);
    this._pending = null;
    this._pendingFrame = null;
  }

  private _onEditorEvent(e: EditorEvent): void {
    if (e.kind === "viewport") return this.showZoom(e.scale);
    if (e.kind === "change" || e.kind === "boxes") this._rev++;
    if (e.kind === "change") {
      if (this._error) this._validate(false);
      this.dispatchEvent(
        new CustomEvent(FIELD_CHANGE, { bubbles: true, composed: true, detail: { name: this.fieldName, value: this._output(e.value) } }),
      );
    } else if (e.kind === "image-loaded") {
      this.imageLoaded(e.width, e.height);
    } else if (e.kind === "image-error") {
      this._image = "error";
    } else if (e.kind === "selection") {
      void this.updateComplete.then(() => this._scrollListToSelection());
    }
    this.requestUpdate();
  }

  // ---- rendering ---------------------------------------------------------------------------

  protected renderToolbar(): TemplateResult {
    const ed = this._editor;
    const c = ed?.controller;
    const m = ed?.model;
    return html`<div class="toolbar" part="toolbar" role="toolbar" aria-label="Tools">
      ${TOOLS.map(
        (t) => html`<button
          type="button"
          class="tool"
          title="${t.title} (${t.key})"
          aria-label=${t.title}
          aria-pressed=${c?.tool === t.tool ? "true" : "false"}
          data-tool=${t.tool}
          @click=${() => c?.setTool(t.tool)}
        >
          ${t.icon}
        </button>`,
      )}
      <span class="sep"></span>
      ${this.renderViewTools()}
      <span class="sep"></span>
      ${this.renderUndoRedo(m, Boolean(m?.canUndo))}
      <button
        type="button"
        class="tool"
        title="Delete the selected box (Delete)"
        aria-label="Delete box"
        ?disabled=${!c?.selected || c.selected.locked}
        @click=${() => c?.deleteSelected()}
      >
        <svg viewBox="0 0 20 20"><path d="M6 6h8l-.8 11H6.8zM4.5 4.5h11M8 4.5V3h4v1.5" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>
      </button>
      ${this._assists.render()}
    </div>`;
  }

  /** Scrolls the region list so the selected box's row is in its window (selected on the canvas). */
  private _scrollListToSelection(): void {
    const ed = this._editor;
    const sel = ed?.controller.selected;
    const list = this.renderRoot.querySelector<HTMLElement>(".region-list");
    if (!ed || !sel || !list) return;
    scrollRowIntoView(list, ed.model.boxes.indexOf(sel));
  }

  /** An arrow key in the region list: select that row's box, show it, and keep the focus on its row. */
  private _moveInList(index: number): void {
    const ed = this._editor;
    const box = ed?.model.boxes[index];
    if (!ed || !box) return;
    ed.controller.select(box.id);
    ed.controller.reveal(box.id);
    void this.updateComplete.then(() => {
      this._scrollListToSelection();
      return this.updateComplete;
    }).then(() => focusRow(this.renderRoot, index));
  }

  private _setAttribute(name: string, value: AttributeValue | null): void {
    const c = this._editor?.controller;
    const sel = c?.selected;
    if (sel && !sel.locked) this._editor!.model.setAttribute(sel.id, name, value);
  }

  private _renderAttributes(): TemplateResult | typeof nothing {
    const ed = this._editor;
    if (!ed || !hasAttributes(this._schema)) return nothing;
    const sel = ed.controller.selected;
    const specs = sel ? attributesOf(this._schema, sel.label) : [];
    return html`${this._schema.frame.length
      ? renderAttributePanel({
          heading: "Image",
          part: "frame-attributes",
          specs: this._schema.frame,
          values: ed.model.frameAttributes,
          showRequired: this._showRequired,
          onChange: (name, value) => ed.model.setFrameAttribute(name, value),
        })
      : nothing}
    ${sel && specs.length
      ? renderAttributePanel({
          heading: `Box ${ed.model.boxes.indexOf(sel) + 1} · ${sel.label}`,
          part: "object-attributes",
          specs,
          values: sel.attributes,
          disabled: sel.locked,
          showRequired: this._showRequired,
          onChange: (name, value) => this._setAttribute(name, value),
        })
      : nothing}`;
  }

  private _renderLabels(): TemplateResult {
    return this.renderLabelChoices(
      this.labels.map((label) => ({ label, color: this._editor?.colourOf(label) ?? "#888" })),
      this._editor?.controller.labelIndex,
      "Label for new boxes",
      "No labels are configured: boxes cannot be drawn.",
    );
  }

  private _renderRegions(): TemplateResult {
    const ed = this._editor;
    if (!ed) return html``;
    const boxes = ed.model.boxes;
    const c = ed.controller;
    return html`<div class="regions">
      <p class="title">Boxes <span class="count">${boxes.length}</span></p>
      ${boxes.length === 0 ? html`<p class="empty">Drag on the image to draw a box.</p>` : nothing}
      ${renderRegionList({
        label: "Boxes",
        items: boxes,
        top: this._listFirst,
        onScroll: (top) => (this._listFirst = top),
        onMove: (to) => this._moveInList(to),
        renderRow: (b, index) => {
          const n = index + 1;
          return html`<li class="region ${b.id === c.selectedId ? "selected" : ""} ${b.hidden ? "is-hidden" : ""}" data-row=${index}>
            <button type="button" class="pick" aria-label="Select box ${n}: ${b.label}"
              aria-current=${b.id === c.selectedId ? "true" : "false"}
              @click=${() => {
                c.select(b.id);
                c.reveal(b.id);
              }}>
              <span class="swatch" style="background:${ed.colourOf(b.label)}"></span>
              <span class="text">${n}. ${b.label}</span>
              ${attributeMark(firstProblem(attributesOf(this._schema, b.label), b.attributes))}
              <span class="dims">${b.width}×${b.height}</span>
            </button>
            <button type="button" class="mini" aria-pressed=${b.hidden ? "true" : "false"}
              title=${b.hidden ? "Show" : "Hide"} aria-label=${b.hidden ? "Show box" : "Hide box"}
              @click=${() => ed.model.setHidden(b.id, !b.hidden)}>
              ${b.hidden
                ? html`<svg viewBox="0 0 20 20"><path d="M3 3l14 14M2 10s3-5 8-5 8 5 8 5-3 5-8 5-8-5-8-5z" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>`
                : html`<svg viewBox="0 0 20 20"><path d="M2 10s3-5 8-5 8 5 8 5-3 5-8 5-8-5-8-5z" fill="none" stroke="currentColor" stroke-width="1.5"/><circle cx="10" cy="10" r="2.5" fill="currentColor"/></svg>`}
            </button>
            <button type="button" class="mini" aria-pressed=${b.locked ? "true" : "false"}
              title=${b.locked ? "Unlock" : "Lock"} aria-label=${b.locked ? "Unlock box" : "Lock box"}
              @click=${() => ed.model.setLocked(b.id, !b.locked)}>
              <svg viewBox="0 0 20 20"><rect x="4.5" y="9" width="11" height="8" rx="1.5" fill=${b.locked ? "currentColor" : "none"} stroke="currentColor" stroke-width="1.5"/><path d=${b.locked ? "M7 9V6.5a3 3 0 016 0V9" : "M7 9V6.5a3 3 0 015.8-1"} fill="none" stroke="currentColor" stroke-width="1.5"/></svg>
            </button>
          </li>`;
        },
      })}
    </div>`;
  }

  protected hint(): TemplateResult {
    return html`Drag to draw (<kbd>Shift</kbd> on a selected box) · <kbd>1</kbd>–<kbd>9</kbd> label · <kbd>Del</kbd> delete · wheel zoom · <kbd>Space</kbd>+drag pan ·
      <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo`;
  }

  protected renderNotices(): TemplateResult | typeof nothing {
    return this._problems.length ? html`<p class="error" role="alert">Some boxes could not be loaded: ${this._problems.join("; ")}</p>` : nothing;
  }

  protected renderSide(): TemplateResult {
    return html`${this._renderLabels()} ${this._renderAttributes()}
      ${guard([this._rev, this._editor?.controller.selectedId, this.labels, this._listFirst], () => this._renderRegions())}`;
  }
}
