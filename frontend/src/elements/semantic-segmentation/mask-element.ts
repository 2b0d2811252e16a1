import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import { EDIT_LOCKED_REASON, NO_LIMITS, parseEditLimits, type EditLimits } from "../../canvas/edit-limits";
import { MaskEditor, type MaskEditorEvent } from "../../canvas/mask-editor";
import { ASSISTED_TOOLS, type MaskToolName } from "../../canvas/mask-controller";
import type { MaskKind } from "../../canvas/mask-model";
import { parseMaskLabels, type MaskLabel } from "../../canvas/mask-palette";
import type { JsonValue } from "../../lib/json";
import { parseAttributeLiteral } from "../../lib/loose-json";
import { FIELD_CHANGE } from "../shared/field";
import { LwImageEditorElement } from "../shared/image-editor-element";
import { elementChromeStyles } from "../shared/chrome-styles";
import { imageEditorStyles } from "../shared/image-editor-styles";
import { tokens } from "../shared/tokens";
import { BIN, ICONS } from "./mask-icons";
import { focusRow, scrollRowIntoView } from "../shared/region-list";
import { maskEditorStyles, renderClasses, renderInstances, sortedInstances } from "./mask-regions";

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
export abstract class LwMaskElement extends LwImageEditorElement<MaskEditor> {
  static override properties: PropertyDeclarations = {
    labels: {},
    _message: { state: true },
    _listFirst: { state: true },
  };

  /** Strings, `{label, color}` objects or a label-category file (attribute or property). */
  declare labels: unknown;
  declare initialValue: unknown;
  declare private _message: string | null;
  /** The first row in the instance list's window (it is virtual). */
  declare private _listFirst: number;

  protected abstract readonly kind: MaskKind;
  private _labels: MaskLabel[] = [];
  /** What the label file forbids in an adjustment job (`editsAllowed: none`): those classes' pixels stay. */
  private _limits: EditLimits = NO_LIMITS;
  private _labelProblems: string[] = [];
  /** A draft or initial value waiting for the editor. */
  private _pending: unknown = undefined;
  private _cache: { version: number; value: JsonValue } | null = null;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _dirtySince = 0;

  constructor() {
    super();
    this.labels = [];
    this.initialValue = null;
    this._message = null;
    this._listFirst = 0;
  }

  private get _noun(): string {
    return this.kind === "instance" ? "instance" : "region";
  }

  // ---- LwField -----------------------------------------------------------------------------

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

  protected revalidate(): void {
    this.validateField();
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  protected keepForReconnect(): void {
    clearTimeout(this._timer);
    if (this._editor?.ready) this._pending = this.fieldValue;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("labels")) {
      const parsed = parseMaskLabels(this.labels);
      this._labels = parsed.labels;
      this._labelProblems = parsed.problems;
      if (parsed.problems.length) console.warn(`<${this.localName} name="${this.fieldName}"> labels:`, parsed.problems.join("; "));
      this._limits = parseEditLimits(this.getAttribute("labels"));
    }
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

  protected makeEditor(container: HTMLDivElement): MaskEditor {
    return new MaskEditor(container, { kind: this.kind, labels: this._labels, onEvent: (e) => this._onEditorEvent(e) });
  }

  protected loadFirstValue(editor: MaskEditor): void {
    editor.controller.setEditLimits(this._limits);
    const value = this._pending !== undefined ? this._pending : this._initialValue();
    this._pending = undefined;
    if (value !== null && value !== undefined) void editor.loadValue(value);
  }

  protected override updated(changed: PropertyValues): void {
    const ed = this._editor;
    if (!ed) return;
    if (changed.has("labels") && changed.get("labels") !== undefined) {
      ed.setLabels(this._labels);
      ed.controller.setEditLimits(this._limits);
    }
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
    if (e.kind === "viewport") return this.showZoom(e.scale);
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
      this.imageLoaded(e.width, e.height);
    } else if (e.kind === "image-error") {
      this._image = "error";
    }
    this.requestUpdate();
  }

  /** Its selects (in the class list) keep their keys too. */
  protected override keepsKey(target: EventTarget | undefined): boolean {
    return super.keepsKey(target) || target instanceof HTMLSelectElement;
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

  /** Slider input: a view or tool setting, never part of the answer. */
  private _slider(e: Event, apply: (v: number) => void): void {
    e.stopPropagation();
    apply(Number((e.target as HTMLInputElement).value));
    this.requestUpdate();
  }

  // ---- rendering ---------------------------------------------------------------------------

  protected renderToolbar(): TemplateResult {
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
      <span class="group">${this.renderViewTools()}</span>
      <span class="sep"></span>
      ${this.renderUndoRedo(h, Boolean(h?.canUndo || c?.drafting))}
      ${this.kind === "instance"
        ? html`<button type="button" class="tool" title="Delete the selected instance (Delete)" aria-label="Delete instance"
            ?disabled=${c?.selectedId == null || Boolean(c && this._editor?.model.isValueLocked(c.selectedId ?? 0))}
            @click=${() => c?.deleteSelected()}>${BIN}</button>`
        : nothing}
    </div>`;
  }

  private _renderLabels(): TemplateResult {
    const chosen = this._editor?.controller.labelIndex ?? 0;
    // editsAllowed: none: the class is shown, disabled, with the reason; its pixels stay as loaded.
    const labels = this._labels.map((l) =>
      this._limits.labels.has(l.label) ? { ...l, disabled: `${l.label}: ${EDIT_LOCKED_REASON} (its pixels stay as they are)` } : l,
    );
    return this.renderLabelChoices(labels, chosen, "Label to paint", "No labels are configured: nothing can be painted.");
  }

  protected override stageLabel(): string {
    return "Image to segment";
  }

  protected renderNotices(): TemplateResult {
    return html`${this._labelProblems.length ? html`<p class="error" role="alert">Labels: ${this._labelProblems.join("; ")}</p>` : nothing}
      ${this._message ? html`<p class="error note" role="status">${this._message}
        <button type="button" class="mini" aria-label="Dismiss" @click=${() => (this._message = null)}>×</button></p>` : nothing}`;
  }

  protected renderSide(): TemplateResult {
    return html`${this._renderLabels()} ${this._editor
      ? this.kind === "instance"
        ? renderInstances(this._editor, this._labels, {
            top: this._listFirst,
            onScroll: (top) => (this._listFirst = top),
            onMove: (index) => this._moveInList(index),
            focusCanvas: () => this.renderRoot.querySelector<HTMLElement>(".canvas")?.focus({ preventScroll: true }),
          })
        : renderClasses(this._editor, this._labels)
      : nothing}`;
  }

  static override styles = [tokens, elementChromeStyles, imageEditorStyles, maskEditorStyles];
}
