import { LitElement, html, nothing, type PropertyDeclarations, type TemplateResult } from "lit";
import { hotkeyLabel, isTypingTarget, type HotkeyAction } from "../../lib/hotkeys";
import type { JsonValue } from "../../lib/json";
import type { LwField } from "./field";
import { renderImageAdjust } from "./image-adjust";
import { elementChromeStyles } from "./chrome-styles";
import { imageEditorStyles } from "./image-editor-styles";
import { tokens } from "./tokens";
import { assignInstructionSlots } from "./instruction-slots";

/** Ground Truth's child elements and the shadow slots they go to. */

/** What the shell needs of a canvas editor (BoxEditor, ShapeEditor, MaskEditor in src/canvas). */
export interface ImageEditorCore {
  readonly view: {
    readonly viewport: { scale: number };
    containerSize(): { width: number; height: number };
    setImageAdjust(brightness: number, contrast: number): void;
  };
  readonly controller: {
    zoomAt(factor: number, anchor: { x: number; y: number }): void;
    fit(): void;
    actualSize(): void;
    undo(): unknown;
    redo(): unknown;
    chooseLabel(index: number): boolean;
  };
  setSource(src: string): void;
  keyDown(e: KeyboardEvent): unknown;
  keyUp(e: KeyboardEvent): void;
  destroy(): void;
}

/** The undo history's state as the toolbar's undo and redo buttons show it. */
export interface UndoState {
  readonly canRedo: boolean;
  readonly undoTitle?: string | null;
  readonly redoTitle?: string | null;
}

/**
 * The Lit chrome shared by the image editor elements (`<lw-bounding-box>`, the shape elements
 * and the mask elements) around their canvas editor: the attributes every one has (`name`, `src`,
 * `header`, `initial-value`, `required`), the instructions slots, the stage with its image notices,
 * zoom and brightness/contrast, keys to the editor, and the editor's life across reconnects.
 * What differs (the editor, the toolbar's tools, the side bar, the value) is the subclass's.
 */
export abstract class LwImageEditorElement<E extends ImageEditorCore> extends LitElement implements LwField {
  static override properties: PropertyDeclarations = {
    name: { type: String, reflect: true },
    src: { type: String },
    header: { type: String },
    initialValue: { attribute: "initial-value" },
    required: { type: Boolean },
    _error: { state: true },
    _image: { state: true },
    _hasShort: { state: true },
    _fullHeader: { state: true },
    _brightness: { state: true },
    _contrast: { state: true },
  };

  declare name: string;
  declare src: string;
  declare header: string;
  declare required: boolean;
  declare protected _error: string | null;
  declare protected _image: "loading" | "loaded" | "error";
  declare private _hasShort: boolean;
  declare private _fullHeader: string | null;
  /** Image brightness and contrast in percent (a view aid; not part of the output). */
  declare private _brightness: number;
  declare private _contrast: number;

  readonly lwField = true as const;
  protected _editor: E | null = null;
  private readonly _childObserver = new MutationObserver(() => this._assignSlots());

  constructor() {
    super();
    this.name = "";
    this.src = "";
    this.header = "";
    this.required = false;
    this._error = null;
    this._image = "loading";
    this._hasShort = false;
    this._fullHeader = null;
    this._brightness = 100;
    this._contrast = 100;
    this.addEventListener("keydown", (e) => this._onKey(e));
    this.addEventListener("keyup", (e) => this._editor?.keyUp(e));
  }

  /** The canvas editor (for tests and benchmarks), once rendered. */
  get editor(): E | null {
    return this._editor;
  }

  // ---- what each element supplies ----------------------------------------------------------

  abstract get fieldValue(): JsonValue | null;
  abstract restoreFieldValue(value: JsonValue | undefined): void;
  abstract validateField(): string | null;
  /** A new canvas editor in the stage's container. */
  protected abstract makeEditor(container: HTMLDivElement): E;
  /** Loads the draft kept over a reconnect, or else the initial value, into a new editor. */
  protected abstract loadFirstValue(editor: E): void;
  /** Keeps the value of the editor about to go (a disconnect) for the next one. */
  protected abstract keepForReconnect(): void;
  /** Re-checks a shown problem after an edit or the image's arrival. */
  protected abstract revalidate(): void;
  protected abstract renderToolbar(): TemplateResult;
  /** The key line under the stage. */
  protected abstract hint(): TemplateResult;
  /** Messages under the hint (what could not be loaded); the validation error follows them. */
  protected abstract renderNotices(): unknown;
  protected abstract renderSide(): unknown;

  /** The stage's accessible name. */
  protected stageLabel(): string {
    return "Image to annotate";
  }

  /** Whether a key on this target stays there (sliders keep their arrows, text fields every key). */
  protected keepsKey(target: EventTarget | undefined): boolean {
    return target instanceof HTMLInputElement || isTypingTarget(target as Element);
  }

  // ---- LwField -----------------------------------------------------------------------------

  get fieldName(): string {
    return this.name || "annotatedResult";
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
    // Moved in the page (removed, then added again): a new editor over the same value.
    if (this.hasUpdated && !this._editor) this._createEditor();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._childObserver.disconnect();
    // The stage, its canvases and listeners go; the value is kept for a reconnect.
    this.keepForReconnect();
    this._editor?.destroy();
    this._editor = null;
  }

  private _assignSlots(): void {
    const { hasShort, fullHeader } = assignInstructionSlots(this);
    this._hasShort = hasShort;
    this._fullHeader = fullHeader;
  }

  protected override firstUpdated(): void {
    this._createEditor();
  }

  private _createEditor(): void {
    const container = this.renderRoot.querySelector<HTMLDivElement>(".canvas")!;
    this._image = "loading";
    const editor = this.makeEditor(container);
    this._editor = editor;
    this.loadFirstValue(editor);
    editor.setSource(this.src);
    editor.view.setImageAdjust(this._brightness / 100, this._contrast / 100);
    this.requestUpdate();
  }

  // ---- editor events every editor sends ----------------------------------------------------

  /** Only the zoom figure shows the viewport: set it without a Lit render at pointer rate. */
  protected showZoom(scale: number): void {
    const zoom = this.renderRoot.querySelector(".zoom");
    if (zoom) zoom.textContent = `${Math.round(scale * 100)}%`;
  }

  protected imageLoaded(width: number, height: number): void {
    this._image = "loaded";
    if (this._error) this.revalidate();
    this.style.setProperty("--_aspect", `${width} / ${height}`);
  }

  private _onKey(e: KeyboardEvent): void {
    const ed = this._editor;
    const target = e.composedPath()[0];
    if (!ed || e.defaultPrevented || this.keepsKey(target)) return;
    // A focused button keeps Space and Enter (they press it).
    if (target instanceof HTMLButtonElement && (e.key === " " || e.key === "Enter")) return;
    ed.keyDown(e);
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

  private _zoom(factor: number): void {
    const ed = this._editor;
    if (!ed) return;
    const s = ed.view.containerSize();
    ed.controller.zoomAt(factor, { x: s.width / 2, y: s.height / 2 });
  }

  // ---- rendering ---------------------------------------------------------------------------

  /** The toolbar's zoom buttons and figure, Fit, 1:1 and the brightness/contrast pop-over. */
  protected renderViewTools(): TemplateResult {
    const ed = this._editor;
    const c = ed?.controller;
    const zoom = ed ? Math.round(ed.view.viewport.scale * 100) : 100;
    return html`<button type="button" class="tool" title="Zoom out (wheel)" aria-label="Zoom out" @click=${() => this._zoom(1 / 1.25)}>−</button>
      <span class="zoom" aria-label="Zoom" .textContent=${`${zoom}%`}></span>
      <button type="button" class="tool" title="Zoom in (wheel)" aria-label="Zoom in" @click=${() => this._zoom(1.25)}>+</button>
      <button type="button" class="tool word" title="Fit the image (F)" @click=${() => c?.fit()}>Fit</button>
      <button type="button" class="tool word" title="Actual pixels" @click=${() => c?.actualSize()}>1:1</button>
      ${renderImageAdjust(this._brightness, this._contrast, (w, e) => this._adjust(w, e), () => this._resetAdjust())}`;
  }

  /** The undo and redo buttons; `undoable`: whether there is something to undo (a step or a draft). */
  protected renderUndoRedo(h: UndoState | undefined, undoable: boolean): TemplateResult {
    const c = this._editor?.controller;
    return html`<button type="button" class="tool" aria-label="Undo" ?disabled=${!undoable}
        title=${h?.undoTitle ? `Undo ${h.undoTitle.toLowerCase()} (Ctrl+Z)` : "Undo (Ctrl+Z)"} @click=${() => c?.undo()}>
        <svg viewBox="0 0 20 20"><path d="M8 5L3 9.5 8 14v-3c4 0 6.5 1 8.5 4-.5-4.5-3-8-8.5-8z" fill="currentColor"/></svg>
      </button>
      <button type="button" class="tool" aria-label="Redo" ?disabled=${!h?.canRedo}
        title=${h?.redoTitle ? `Redo ${h.redoTitle.toLowerCase()} (Ctrl+Shift+Z)` : "Redo (Ctrl+Shift+Z)"} @click=${() => c?.redo()}>
        <svg viewBox="0 0 20 20"><path d="M12 5l5 4.5-5 4.5v-3c-4 0-6.5 1-8.5 4 .5-4.5 3-8 8.5-8z" fill="currentColor"/></svg>
      </button>`;
  }

  /** The label choices (a radio group, hotkeys 1–9); `chosen`: the index of the label new marks get. */
  protected renderLabelChoices(
    labels: readonly { label: string; color: string; disabled?: string }[],
    chosen: number | undefined,
    groupLabel: string,
    empty: string,
  ): TemplateResult {
    const c = this._editor?.controller;
    if (!labels.length) return html`<p class="empty">${empty}</p>`;
    return html`<div class="labels" role="radiogroup" aria-label=${groupLabel}>
      ${labels.map((l, i) => {
        const key = hotkeyLabel(i);
        // A label that may not be used (editsAllowed: none) is shown, disabled, with the reason.
        return html`<button type="button" class="choice" role="radio" aria-checked=${chosen === i && !l.disabled ? "true" : "false"}
          ?disabled=${Boolean(l.disabled)} title=${l.disabled ?? nothing} @click=${() => c?.chooseLabel(i)}>
          <span class="swatch" style="background:${l.color}"></span>
          <span class="text">${l.label}</span>
          ${key ? html`<kbd aria-hidden="true">${key}</kbd>` : nothing}
        </button>`;
      })}
    </div>`;
  }

  private _renderInstructions(): TemplateResult | typeof nothing {
    if (!this._hasShort && this._fullHeader === null) return nothing;
    return html`<div class="instructions" part="instructions">
      ${this._hasShort ? html`<div class="short"><slot name="short"></slot></div>` : nothing}
      ${this._fullHeader !== null
        ? html`<details class="full"><summary>${this._fullHeader}</summary><div class="full-body"><slot name="full"></slot></div></details>`
        : nothing}
    </div>`;
  }

  override render(): TemplateResult {
    return html`
      ${this.header ? html`<h2 class="header" part="header">${this.header}</h2>` : nothing}
      ${this._renderInstructions()}
      <div class="body">
        <div class="main">
          ${this.renderToolbar()}
          <div class="stage is-${this._image}">
            <div class="canvas" part="canvas" tabindex="0" aria-label=${this.stageLabel()}></div>
            ${this._image === "loading" && this.src ? html`<div class="notice">Loading image…</div>` : nothing}
            ${this._image === "error" || !this.src
              ? html`<div class="notice image-error" role="alert">
                  <strong>The image could not be loaded.</strong>
                  <span>Its link may have expired or the file may be missing. Skip this task if it does not appear.</span>
                </div>`
              : nothing}
          </div>
          <p class="hint" aria-hidden="true">${this.hint()}</p>
          ${this.renderNotices()}
          ${this._error ? html`<p class="error" role="alert" part="error">${this._error}</p>` : nothing}
        </div>
        <aside class="side">${this.renderSide()}</aside>
      </div>
    `;
  }

  static override styles = [tokens, elementChromeStyles, imageEditorStyles];
}
