import { guard } from "lit/directives/guard.js";
import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import { BoxEditor, type EditorEvent } from "../../canvas/editor";
import type { ToolName } from "../../canvas/controller";
import { parseBoxes, type BoundingBoxOutput, type OutputBox } from "../../canvas/model";
import { EMPTY_ATTRIBUTES, type AttributeValue, type AttributeValues } from "../../canvas/object-meta";
import { parseCategories } from "../../lib/attributes";
import { hotkeyLabel, isTypingTarget, type HotkeyAction } from "../../lib/hotkeys";
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
import { FIELD_CHANGE, type LwField } from "../shared/field";
import { AssistBar } from "../shared/assist-bar";
import { renderImageAdjust } from "../shared/image-adjust";
import { imageEditorStyles } from "../shared/image-editor-styles";
import { attributeMark, focusRow, renderRegionList, scrollRowIntoView } from "../shared/region-list";
import { tokens } from "../shared/tokens";

/** Ground Truth's child elements and the shadow slots they go to. */
const CHILD_SLOTS: Record<string, string> = { "short-instructions": "short", "full-instructions": "full" };

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
export class LwBoundingBox extends LitElement implements LwField {
  static override properties: PropertyDeclarations = {
    name: { type: String, reflect: true },
    src: { type: String },
    header: { type: String },
    labels: { converter: { fromAttribute: parseCategories } },
    initialValue: { attribute: "initial-value" },
    required: { type: Boolean },
    _error: { state: true },
    _image: { state: true },
    _hasShort: { state: true },
    _fullHeader: { state: true },
    _brightness: { state: true },
    _contrast: { state: true },
    _listFirst: { state: true },
  };

  declare name: string;
  declare src: string;
  declare header: string;
  declare labels: string[];
  declare initialValue: string | null;
  declare required: boolean;
  declare private _error: string | null;
  declare private _image: "loading" | "loaded" | "error";
  declare private _hasShort: boolean;
  declare private _fullHeader: string | null;
  /** Image brightness and contrast in percent (a view aid; not part of the output). */
  declare private _brightness: number;
  declare private _contrast: number;
  /** The first row in the region list's window. */
  declare private _listFirst: number;

  readonly lwField = true as const;
  private _editor: BoxEditor | null = null;
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
  private readonly _childObserver = new MutationObserver(() => this._assignSlots());
  /** Model assists in the toolbar (assist-bar.ts): buttons only inside a task frame that offers some. */
  private readonly _assists = new AssistBar(this, () => this._editor, () => "box");

  constructor() {
    super();
    this.name = "";
    this.src = "";
    this.header = "";
    this.labels = [];
    this.initialValue = null;
    this.required = false;
    this._error = null;
    this._image = "loading";
    this._hasShort = false;
    this._fullHeader = null;
    this._brightness = 100;
    this._contrast = 100;
    this._listFirst = 0;
    this.addEventListener("keydown", (e) => this._onKey(e));
    this.addEventListener("keyup", (e) => this._editor?.keyUp(e));
  }

  /** The canvas editor (for tests and benchmarks), once rendered. */
  get editor(): BoxEditor | null {
    return this._editor;
  }

  // ---- LwField -----------------------------------------------------------------------------

  get fieldName(): string {
    return this.name || "annotatedResult";
  }

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

  applyHotkey(action: HotkeyAction): boolean {
    if (action.kind !== "choose" || !this._editor) return false;
    return this._editor.controller.chooseLabel(action.index);
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  override connectedCallback(): void {
    super.connectedCallback();
    this._assignSlots();
    this._childObserver.observe(this, { childList: true });
    // Moved in the page (removed, then added again): a new editor over the same boxes.
    if (this.hasUpdated && !this._editor) this._createEditor();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._childObserver.disconnect();
    // The stage, its canvases and listeners go; the boxes are kept for a reconnect.
    if (this._editor) {
      this._pending = this._editor.output().boundingBoxes;
      this._pendingFrame = this._editor.model.frameAttributes;
    }
    this._editor?.destroy();
    this._editor = null;
  }

  private _assignSlots(): void {
    let short = false;
    let fullHeader: string | null = null;
    for (const child of Array.from(this.children)) {
      const slot = CHILD_SLOTS[child.localName];
      if (slot && child.getAttribute("slot") !== slot) child.setAttribute("slot", slot);
      if (slot === "short") short = true;
      if (slot === "full") fullHeader = child.getAttribute("header")?.trim() || "View full instructions";
    }
    this._hasShort = short;
    this._fullHeader = fullHeader;
  }

  protected override firstUpdated(): void {
    this._createEditor();
  }

  private _createEditor(): void {
    const container = this.renderRoot.querySelector<HTMLDivElement>(".canvas")!;
    this._image = "loading";
    this._editor = new BoxEditor(container, { labels: this.labels, onEvent: (e) => this._onEditorEvent(e) });
    this._loadInitial();
    this._editor.setSource(this.src);
    this._editor.view.setImageAdjust(this._brightness / 100, this._contrast / 100);
    this.requestUpdate();
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
    if (e.kind === "viewport") {
      // Only the zoom figure shows the viewport: set it without a Lit render at pointer rate.
      const zoom = this.renderRoot.querySelector(".zoom");
      if (zoom) zoom.textContent = `${Math.round(e.scale * 100)}%`;
      return;
    }
    if (e.kind === "change" || e.kind === "boxes") this._rev++;
    if (e.kind === "change") {
      if (this._error) this._validate(false);
      this.dispatchEvent(
        new CustomEvent(FIELD_CHANGE, { bubbles: true, composed: true, detail: { name: this.fieldName, value: this._output(e.value) } }),
      );
    } else if (e.kind === "image-loaded") {
      this._image = "loaded";
      if (this._error) this._validate(false);
      this.style.setProperty("--_aspect", `${e.width} / ${e.height}`);
    } else if (e.kind === "image-error") {
      this._image = "error";
    } else if (e.kind === "selection") {
      void this.updateComplete.then(() => this._scrollListToSelection());
    }
    this.requestUpdate();
  }

  private _onKey(e: KeyboardEvent): void {
    const ed = this._editor;
    const target = e.composedPath()[0];
    // Sliders keep their arrow keys; text fields keep every key.
    if (!ed || e.defaultPrevented || target instanceof HTMLInputElement || isTypingTarget(target as Element)) return;
    // A focused button keeps Space and Enter (they press it).
    if (target instanceof HTMLButtonElement && (e.key === " " || e.key === "Enter")) return;
    ed.keyDown(e);
  }

  // ---- rendering ---------------------------------------------------------------------------

  private _renderToolbar(): TemplateResult {
    const ed = this._editor;
    const c = ed?.controller;
    const m = ed?.model;
    const zoom = ed ? Math.round(ed.view.viewport.scale * 100) : 100;
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
      <button type="button" class="tool" title="Zoom out (wheel)" aria-label="Zoom out" @click=${() => this._zoom(1 / 1.25)}>−</button>
      <span class="zoom" aria-label="Zoom" .textContent=${`${zoom}%`}></span>
      <button type="button" class="tool" title="Zoom in (wheel)" aria-label="Zoom in" @click=${() => this._zoom(1.25)}>+</button>
      <button type="button" class="tool word" title="Fit the image (F)" @click=${() => c?.fit()}>Fit</button>
      <button type="button" class="tool word" title="Actual pixels" @click=${() => c?.actualSize()}>1:1</button>
      ${renderImageAdjust(this._brightness, this._contrast, (w, e) => this._adjust(w, e), () => this._resetAdjust())}
      <span class="sep"></span>
      <button
        type="button"
        class="tool"
        title=${m?.undoTitle ? `Undo ${m.undoTitle.toLowerCase()} (Ctrl+Z)` : "Undo (Ctrl+Z)"}
        aria-label="Undo"
        ?disabled=${!m?.canUndo}
        @click=${() => c?.undo()}
      >
        <svg viewBox="0 0 20 20"><path d="M8 5L3 9.5 8 14v-3c4 0 6.5 1 8.5 4-.5-4.5-3-8-8.5-8z" fill="currentColor"/></svg>
      </button>
      <button
        type="button"
        class="tool"
        title=${m?.redoTitle ? `Redo ${m.redoTitle.toLowerCase()} (Ctrl+Shift+Z)` : "Redo (Ctrl+Shift+Z)"}
        aria-label="Redo"
        ?disabled=${!m?.canRedo}
        @click=${() => c?.redo()}
      >
        <svg viewBox="0 0 20 20"><path d="M12 5l5 4.5-5 4.5v-3c-4 0-6.5 1-8.5 4 .5-4.5 3-8 8.5-8z" fill="currentColor"/></svg>
      </button>
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

  private _adjust(which: "_brightness" | "_contrast", e: Event): void {
    e.stopPropagation(); // a view aid, not an answer: the form need not hear about it
    this[which] = Number((e.target as HTMLInputElement).value);
    this._editor?.view.setImageAdjust(this._brightness / 100, this._contrast / 100);
  }

  private _resetAdjust(): void {
    this._brightness = 100;
    this._contrast = 100;
    this._editor?.view.setImageAdjust(1, 1);
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

  private _zoom(factor: number): void {
    const ed = this._editor;
    if (!ed) return;
    const s = ed.view.containerSize();
    ed.controller.zoomAt(factor, { x: s.width / 2, y: s.height / 2 });
  }

  private _renderLabels(): TemplateResult {
    const c = this._editor?.controller;
    if (!this.labels.length) return html`<p class="empty">No labels are configured: boxes cannot be drawn.</p>`;
    return html`<div class="labels" role="radiogroup" aria-label="Label for new boxes">
      ${this.labels.map((label, i) => {
        const key = hotkeyLabel(i);
        return html`<button
          type="button"
          class="choice"
          role="radio"
          aria-checked=${c?.labelIndex === i ? "true" : "false"}
          @click=${() => c?.chooseLabel(i)}
        >
          <span class="swatch" style="background:${this._editor?.colourOf(label) ?? "#888"}"></span>
          <span class="text">${label}</span>
          ${key ? html`<kbd aria-hidden="true">${key}</kbd>` : nothing}
        </button>`;
      })}
    </div>`;
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

  override render(): TemplateResult {
    const hasInstructions = this._hasShort || this._fullHeader !== null;
    return html`
      ${this.header ? html`<h2 class="header" part="header">${this.header}</h2>` : nothing}
      ${hasInstructions
        ? html`<div class="instructions" part="instructions">
            ${this._hasShort ? html`<div class="short"><slot name="short"></slot></div>` : nothing}
            ${this._fullHeader !== null
              ? html`<details class="full">
                  <summary>${this._fullHeader}</summary>
                  <div class="full-body"><slot name="full"></slot></div>
                </details>`
              : nothing}
          </div>`
        : nothing}
      <div class="body">
        <div class="main">
          ${this._renderToolbar()}
          <div class="stage is-${this._image}">
            <div class="canvas" part="canvas" tabindex="0" aria-label="Image to annotate"></div>
            ${this._image === "loading" && this.src ? html`<div class="notice">Loading image…</div>` : nothing}
            ${this._image === "error" || !this.src
              ? html`<div class="notice image-error" role="alert">
                  <strong>The image could not be loaded.</strong>
                  <span>Its link may have expired or the file may be missing. Skip this task if it does not appear.</span>
                </div>`
              : nothing}
          </div>
          <p class="hint" aria-hidden="true">
            Drag to draw (<kbd>Shift</kbd> on a selected box) · <kbd>1</kbd>–<kbd>9</kbd> label · <kbd>Del</kbd> delete · wheel zoom · <kbd>Space</kbd>+drag pan ·
            <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo
          </p>
          ${this._problems.length
            ? html`<p class="error" role="alert">Some boxes could not be loaded: ${this._problems.join("; ")}</p>`
            : nothing}
          ${this._error ? html`<p class="error" role="alert" part="error">${this._error}</p>` : nothing}
        </div>
        <aside class="side">
          ${this._renderLabels()}
          ${this._renderAttributes()}
          ${guard([this._rev, this._editor?.controller.selectedId, this.labels, this._listFirst], () =>
            this._renderRegions(),
          )}
        </aside>
      </div>
    `;
  }

  static override styles = [tokens, imageEditorStyles];
}
