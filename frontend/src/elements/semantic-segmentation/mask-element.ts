import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import { MaskEditor, type MaskEditorEvent } from "../../canvas/mask-editor";
import { ASSISTED_TOOLS, type MaskToolName } from "../../canvas/mask-controller";
import type { MaskKind } from "../../canvas/mask-model";
import { parseMaskLabels, type MaskLabel } from "../../canvas/mask-palette";
import { hotkeyLabel, isTypingTarget, type HotkeyAction } from "../../lib/hotkeys";
import type { JsonValue } from "../../lib/json";
import { parseAttributeLiteral } from "../../lib/loose-json";
import { FIELD_CHANGE, type LwField } from "../shared/field";
import { renderImageAdjust } from "../shared/image-adjust";
import { imageEditorStyles } from "../shared/image-editor-styles";
import { tokens } from "../shared/tokens";
import { BIN, ICONS } from "./mask-icons";
import { focusRow, scrollRowIntoView } from "../shared/region-list";
import { maskEditorStyles, renderClasses, renderInstances, sortedInstances } from "./mask-regions";

const CHILD_SLOTS: Record<string, string> = { "short-instructions": "short", "full-instructions": "full" };

/**
 * A 4000×3000 mask is a PNG of a few hundred kilobytes to encode: the value is posted (and the
 * draft saved) this long after the worker stops, and at least this often while painting on.
 */
export const DRAFT_IDLE_MS = 700;
export const DRAFT_MAX_WAIT_MS = 4000;

/**
 * The Lit shell of `<lw-semantic-segmentation>` and `<lw-instance-segmentation>` around
 * `MaskEditor` (src/canvas): toolbar (tools, brush size, wand tolerance, opacity, zoom,
 * brightness/contrast, undo/redo), label choices with hotkeys 1–9, region list (classes or
 * instances), instructions, validation, and change events throttled for drafts. Attributes as
 * Ground Truth's: `name`, `src`, `labels`, `header`, `initial-value`, `required`.
 */
export abstract class LwMaskElement extends LitElement implements LwField {
  static override properties: PropertyDeclarations = {
    name: { type: String, reflect: true },
    src: { type: String },
    header: { type: String },
    labels: {},
    initialValue: { attribute: "initial-value" },
    required: { type: Boolean },
    _error: { state: true },
    _image: { state: true },
    _hasShort: { state: true },
    _fullHeader: { state: true },
    _brightness: { state: true },
    _contrast: { state: true },
    _message: { state: true },
    _listFirst: { state: true },
  };

  declare name: string;
  declare src: string;
  declare header: string;
  /** Strings, `{label, color}` objects or a label-category file (attribute or property). */
  declare labels: unknown;
  declare initialValue: unknown;
  declare required: boolean;
  declare private _error: string | null;
  declare private _image: "loading" | "loaded" | "error";
  declare private _hasShort: boolean;
  declare private _fullHeader: string | null;
  declare private _brightness: number;
  declare private _contrast: number;
  declare private _message: string | null;
  /** The first row in the instance list's window (it is virtual). */
  declare private _listFirst: number;

  readonly lwField = true as const;
  protected abstract readonly kind: MaskKind;
  private _editor: MaskEditor | null = null;
  private _labels: MaskLabel[] = [];
  private _labelProblems: string[] = [];
  /** A draft or initial value waiting for the editor. */
  private _pending: unknown = undefined;
  private _cache: { version: number; value: JsonValue } | null = null;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _dirtySince = 0;
  private readonly _childObserver = new MutationObserver(() => this._assignSlots());

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
    this._message = null;
    this._listFirst = 0;
    this.addEventListener("keydown", (e) => this._onKey(e));
    this.addEventListener("keyup", (e) => this._editor?.keyUp(e));
  }

  /** The canvas editor (for tests), once rendered. */
  get editor(): MaskEditor | null {
    return this._editor;
  }

  private get _noun(): string {
    return this.kind === "instance" ? "instance" : "region";
  }

  // ---- LwField -----------------------------------------------------------------------------

  get fieldName(): string {
    return this.name || "annotatedResult";
  }

  get fieldValue(): JsonValue | null {
    const ed = this._editor;
    if (ed?.ready && !ed.loading) {
      if (this._cache?.version === ed.model.version) return this._cache.value;
      const value = ed.output() as unknown as JsonValue;
      this._cache = { version: ed.model.version, value };
      return value;
    }
    // Not loaded yet: the value is what will be loaded (unchanged), or nothing.
    const pending = ed?.loading ? ed.pendingValue : this._pending ?? this._initialValue();
    return (pending ?? null) as JsonValue | null;
  }

  restoreFieldValue(value: JsonValue | undefined): void {
    this._error = null;
    if (this._editor) void this._editor.loadValue(value);
    else this._pending = value ?? null;
    this.requestUpdate();
  }

  validateField(): string | null {
    const ed = this._editor;
    const m = ed?.model;
    if (this._image === "error" || !this.src) this._error = "The image could not be loaded: skip this task.";
    else if (this._image === "loading" || !ed?.ready) this._error = "Wait for the image to load before submitting.";
    else if (ed.loading) this._error = "Wait for the earlier mask to load before submitting.";
    else if (ed.controller.drafting) this._error = "Fill the polygon you are drawing (click its first point or press Enter), or press Esc.";
    else if (this.required && m && m.count(0) === m.width * m.height) this._error = `Paint at least one ${this._noun} before submitting.`;
    else this._error = null;
    return this._error;
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
    if (this.hasUpdated && !this._editor) this._createEditor();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._childObserver.disconnect();
    clearTimeout(this._timer);
    if (this._editor?.ready) this._pending = this.fieldValue;
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

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("labels")) {
      const parsed = parseMaskLabels(this.labels);
      this._labels = parsed.labels;
      this._labelProblems = parsed.problems;
      if (parsed.problems.length) console.warn(`<${this.localName} name="${this.fieldName}"> labels:`, parsed.problems.join("; "));
    }
  }

  protected override firstUpdated(): void {
    this._createEditor();
  }

  private _initialValue(): unknown {
    const v = this.initialValue;
    if (typeof v !== "string") return v ?? null;
    const text = v.trim();
    if (!text) return null;
    try {
      return parseAttributeLiteral(text);
    } catch (e) {
      this._message = `initial-value is not valid JSON: ${(e as Error).message}`;
      return null;
    }
  }

  private _createEditor(): void {
    const container = this.renderRoot.querySelector<HTMLDivElement>(".canvas")!;
    this._image = "loading";
    this._editor = new MaskEditor(container, { kind: this.kind, labels: this._labels, onEvent: (e) => this._onEditorEvent(e) });
    const value = this._pending !== undefined ? this._pending : this._initialValue();
    this._pending = undefined;
    if (value !== null && value !== undefined) void this._editor.loadValue(value);
    this._editor.setSource(this.src);
    this._editor.view.setImageAdjust(this._brightness / 100, this._contrast / 100);
    this.requestUpdate();
  }

  protected override updated(changed: PropertyValues): void {
    const ed = this._editor;
    if (!ed) return;
    if (changed.has("labels") && changed.get("labels") !== undefined) ed.setLabels(this._labels);
    if (changed.has("initialValue") && changed.get("initialValue") !== undefined) void ed.loadValue(this._initialValue());
    if (changed.has("src") && changed.get("src") !== undefined) {
      this._image = "loading";
      ed.setSource(this.src);
      const value = this._initialValue();
      if (value) void ed.loadValue(value);
    }
  }

  // ---- change events (throttled: a PNG per brush step would stall painting) ---------------

  private _scheduleChange(): void {
    clearTimeout(this._timer);
    const now = performance.now();
    if (!this._dirtySince) this._dirtySince = now;
    const wait = Math.max(0, Math.min(DRAFT_IDLE_MS, this._dirtySince + DRAFT_MAX_WAIT_MS - now));
    this._timer = setTimeout(() => void this._flushChange(), wait);
  }

  private async _flushChange(): Promise<void> {
    const ed = this._editor;
    if (!ed?.ready) return;
    if (ed.controller.model.stepOpen) return this._scheduleChange(); // mid-stroke: after it
    this._dirtySince = 0;
    const out = await ed.outputAsync();
    if (ed !== this._editor) return;
    if (!out || out.version !== ed.model.version) return this._scheduleChange();
    const { version, value } = out;
    this._cache = { version, value: value as unknown as JsonValue };
    this.dispatchEvent(new CustomEvent(FIELD_CHANGE, { bubbles: true, composed: true, detail: { name: this.fieldName, value } }));
  }

  /** Posts the value now (tests and hosts that cannot wait for the throttle). */
  async flushChange(): Promise<void> {
    clearTimeout(this._timer);
    await this._flushChange();
  }

  private _onEditorEvent(e: MaskEditorEvent): void {
    if (e.kind === "viewport") {
      const zoom = this.renderRoot.querySelector(".zoom");
      if (zoom) zoom.textContent = `${Math.round(e.scale * 100)}%`;
      return;
    }
    if (e.kind === "change") {
      if (this._error) this.validateField();
      this._scheduleChange();
    } else if (e.kind === "mask") {
      // A loaded value is no change of the worker's: a pending change event is dropped, and the
      // value is encoded in the background so the next read of it is free.
      clearTimeout(this._timer);
      this._dirtySince = 0;
      const ed = this._editor;
      if (ed?.ready) void ed.outputAsync().then((r) => {
        if (r && ed === this._editor && r.version === ed.model.version) this._cache = { version: r.version, value: r.value as unknown as JsonValue };
      });
    } else if (e.kind === "message") {
      this._message = e.text;
    } else if (e.kind === "image-loaded") {
      this._image = "loaded";
      if (this._error) this.validateField();
      this.style.setProperty("--_aspect", `${e.width} / ${e.height}`);
    } else if (e.kind === "image-error") {
      this._image = "error";
    }
    this.requestUpdate();
  }

  private _onKey(e: KeyboardEvent): void {
    const ed = this._editor;
    const target = e.composedPath()[0];
    if (!ed || e.defaultPrevented || target instanceof HTMLInputElement || target instanceof HTMLSelectElement || isTypingTarget(target as Element)) return;
    if (target instanceof HTMLButtonElement && (e.key === " " || e.key === "Enter")) return;
    ed.keyDown(e);
  }

  /** A navigation key in the instance list: select that instance, bring its row into view, focus it. */
  private _moveInList(index: number): void {
    const ed = this._editor;
    const inst = ed ? sortedInstances(ed.model)[index] : undefined;
    if (!ed || !inst) return;
    ed.controller.select(inst.id);
    void this.updateComplete
      .then(() => {
        const list = this.renderRoot.querySelector<HTMLElement>(".region-list");
        if (list) scrollRowIntoView(list, index);
        return this.updateComplete;
      })
      .then(() => focusRow(this.renderRoot, index));
  }

  private _adjust(which: "_brightness" | "_contrast", e: Event): void {
    e.stopPropagation(); // a view aid, not an answer
    this[which] = Number((e.target as HTMLInputElement).value);
    this._editor?.view.setImageAdjust(this._brightness / 100, this._contrast / 100);
  }

  private _resetAdjust(): void {
    this._brightness = 100;
    this._contrast = 100;
    this._editor?.view.setImageAdjust(1, 1);
  }

  private _zoom(factor: number): void {
    const ed = this._editor;
    if (!ed) return;
    const s = ed.view.containerSize();
    ed.controller.zoomAt(factor, { x: s.width / 2, y: s.height / 2 });
  }

  /** Slider input: a view or tool setting, never part of the answer. */
  private _slider(e: Event, apply: (v: number) => void): void {
    e.stopPropagation();
    apply(Number((e.target as HTMLInputElement).value));
    this.requestUpdate();
  }

  // ---- rendering ---------------------------------------------------------------------------

  private _renderToolbar(): TemplateResult {
    const ed = this._editor;
    const c = ed?.controller;
    const h = ed?.model.history;
    const all: { tool: MaskToolName; title: string; key: string }[] = [
      { tool: "brush", title: "Brush", key: "B" },
      { tool: "eraser", title: "Eraser", key: "E" },
      { tool: "polygon", title: "Polygon fill", key: "P" },
      { tool: "wand", title: "Magic wand (fill similar colour)", key: "W" },
      { tool: "fill", title: "Fill the region under the pointer (e.g. an unlabeled hole)", key: "G" },
      { tool: "pick", title: this.kind === "instance" ? "Select an instance" : "Pick a class from the mask", key: "V" },
      { tool: "pan", title: "Pan (or hold Space, or drag with the middle button)", key: "H" },
      { tool: "superpixel", title: "Superpixel brush (paints whole segments)", key: "U" },
      { tool: "grabcut", title: "Auto: drag a box round an object, or click its 4 extreme points (GrabCut)", key: "A" },
    ];
    const tools = all.filter((t) => {
      const needs = ASSISTED_TOOLS[t.tool];
      return !needs || (c?.assists.available.has(needs) ?? false);
    });
    const zoom = ed ? Math.round(ed.view.viewport.scale * 100) : 100;
    return html`<div class="toolbar" part="toolbar" role="toolbar" aria-label="Tools">
      ${tools.map(
        (t) => html`<button type="button" class="tool" title="${t.title} (${t.key})" aria-label=${t.title}
          aria-pressed=${c?.tool === t.tool ? "true" : "false"} data-tool=${t.tool} @click=${() => c?.setTool(t.tool)}>
          ${ICONS[t.tool]}
        </button>`,
      )}
      <span class="sep"></span>
      <span class="group">
      <label class="setting" title="Brush size in image pixels ([ and ])">
        <span>Size</span>
        <input type="range" min="1" max="200" .value=${String(c?.brushSize ?? 20)} aria-label="Brush size"
          @input=${(e: Event) => this._slider(e, (v) => c?.setBrushSize(v))} />
        <output>${c?.brushSize ?? 20}</output>
      </label>
      ${c?.tool === "wand"
        ? html`<label class="setting" title="How far a colour may be from the clicked one">
            <span>Tolerance</span>
            <input type="range" min="0" max="128" .value=${String(c.tolerance)} aria-label="Tolerance"
              @input=${(e: Event) => this._slider(e, (v) => c.setTolerance(v))} />
            <output>${c.tolerance}</output>
          </label>`
        : nothing}
      <label class="setting" title="Mask opacity">
        <span>Opacity</span>
        <input type="range" min="0" max="100" .value=${String(Math.round((ed?.view.opacity ?? 0.55) * 100))} aria-label="Opacity"
          @input=${(e: Event) => this._slider(e, (v) => ed?.view.setOpacity(v / 100))} />
      </label>
      <label class="setting" title="Paint only unlabeled pixels: nothing already labelled is painted over">
        <input type="checkbox" .checked=${c?.keepLabelled ?? false} aria-label="Keep labelled pixels"
          @change=${(e: Event) => {
            e.stopPropagation();
            c?.setKeepLabelled((e.target as HTMLInputElement).checked);
          }} />
        <span>Keep labelled</span>
      </label>
      </span>
      <span class="sep"></span>
      <span class="group">
      <button type="button" class="tool" title="Zoom out (wheel)" aria-label="Zoom out" @click=${() => this._zoom(1 / 1.25)}>−</button>
      <span class="zoom" aria-label="Zoom" .textContent=${`${zoom}%`}></span>
      <button type="button" class="tool" title="Zoom in (wheel)" aria-label="Zoom in" @click=${() => this._zoom(1.25)}>+</button>
      <button type="button" class="tool word" title="Fit the image (F)" @click=${() => c?.fit()}>Fit</button>
      <button type="button" class="tool word" title="Actual pixels" @click=${() => c?.actualSize()}>1:1</button>
      ${renderImageAdjust(this._brightness, this._contrast, (w, e) => this._adjust(w, e), () => this._resetAdjust())}
      </span>
      <span class="sep"></span>
      <button type="button" class="tool" aria-label="Undo" ?disabled=${!h?.canUndo && !c?.drafting}
        title=${h?.undoTitle ? `Undo ${h.undoTitle.toLowerCase()} (Ctrl+Z)` : "Undo (Ctrl+Z)"} @click=${() => c?.undo()}>
        <svg viewBox="0 0 20 20"><path d="M8 5L3 9.5 8 14v-3c4 0 6.5 1 8.5 4-.5-4.5-3-8-8.5-8z" fill="currentColor"/></svg>
      </button>
      <button type="button" class="tool" aria-label="Redo" ?disabled=${!h?.canRedo}
        title=${h?.redoTitle ? `Redo ${h.redoTitle.toLowerCase()} (Ctrl+Shift+Z)` : "Redo (Ctrl+Shift+Z)"} @click=${() => c?.redo()}>
        <svg viewBox="0 0 20 20"><path d="M12 5l5 4.5-5 4.5v-3c-4 0-6.5 1-8.5 4 .5-4.5 3-8 8.5-8z" fill="currentColor"/></svg>
      </button>
      ${this.kind === "instance"
        ? html`<button type="button" class="tool" title="Delete the selected instance (Delete)" aria-label="Delete instance"
            ?disabled=${c?.selectedId == null} @click=${() => c?.deleteSelected()}>${BIN}</button>`
        : nothing}
    </div>`;
  }

  private _renderLabels(): TemplateResult {
    const c = this._editor?.controller;
    if (!this._labels.length) return html`<p class="empty">No labels are configured: nothing can be painted.</p>`;
    return html`<div class="labels" role="radiogroup" aria-label="Label to paint">
      ${this._labels.map((l, i) => {
        const key = hotkeyLabel(i);
        return html`<button type="button" class="choice" role="radio" aria-checked=${(c?.labelIndex ?? 0) === i ? "true" : "false"}
          @click=${() => c?.chooseLabel(i)}>
          <span class="swatch" style="background:${l.color}"></span>
          <span class="text">${l.label}</span>
          ${key ? html`<kbd aria-hidden="true">${key}</kbd>` : nothing}
        </button>`;
      })}
    </div>`;
  }

  protected abstract hint(): TemplateResult;

  override render(): TemplateResult {
    const hasInstructions = this._hasShort || this._fullHeader !== null;
    return html`
      ${this.header ? html`<h2 class="header" part="header">${this.header}</h2>` : nothing}
      ${hasInstructions
        ? html`<div class="instructions" part="instructions">
            ${this._hasShort ? html`<div class="short"><slot name="short"></slot></div>` : nothing}
            ${this._fullHeader !== null
              ? html`<details class="full"><summary>${this._fullHeader}</summary><div class="full-body"><slot name="full"></slot></div></details>`
              : nothing}
          </div>`
        : nothing}
      <div class="body">
        <div class="main">
          ${this._renderToolbar()}
          <div class="stage is-${this._image}">
            <div class="canvas" part="canvas" tabindex="0" aria-label="Image to segment"></div>
            ${this._image === "loading" && this.src ? html`<div class="notice">Loading image…</div>` : nothing}
            ${this._image === "error" || !this.src
              ? html`<div class="notice image-error" role="alert">
                  <strong>The image could not be loaded.</strong>
                  <span>Its link may have expired or the file may be missing. Skip this task if it does not appear.</span>
                </div>`
              : nothing}
          </div>
          <p class="hint" aria-hidden="true">${this.hint()}</p>
          ${this._labelProblems.length ? html`<p class="error" role="alert">Labels: ${this._labelProblems.join("; ")}</p>` : nothing}
          ${this._message ? html`<p class="error note" role="status">${this._message}
            <button type="button" class="mini" aria-label="Dismiss" @click=${() => (this._message = null)}>×</button></p>` : nothing}
          ${this._error ? html`<p class="error" role="alert" part="error">${this._error}</p>` : nothing}
        </div>
        <aside class="side">${this._renderLabels()} ${this._editor
          ? this.kind === "instance"
            ? renderInstances(this._editor, this._labels, {
                top: this._listFirst,
                onScroll: (top) => (this._listFirst = top),
                onMove: (index) => this._moveInList(index),
                focusCanvas: () => this.renderRoot.querySelector<HTMLElement>(".canvas")?.focus({ preventScroll: true }),
              })
            : renderClasses(this._editor, this._labels)
          : nothing}</aside>
      </div>
    `;
  }

  static override styles = [tokens, imageEditorStyles, maskEditorStyles];
}
