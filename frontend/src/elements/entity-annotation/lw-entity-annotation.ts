import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import { hotkeyLabel, isTypingTarget, type HotkeyAction } from "../../lib/hotkeys";
import type { JsonValue } from "../../lib/json";
import { parseAttributeLiteral } from "../../lib/loose-json";
import { TextEditor, type TextEditorEvent } from "../../text/editor";
import { parseEntityLabels, parseNameList, type EntityLabel } from "../../text/labels";
import type { TextValue } from "../../text/model";
import { parseTextValue } from "../../text/value";
import { FIELD_CHANGE, type LwField } from "../shared/field";
import { tokens } from "../shared/tokens";
import { EntityAssists, FIND_KEY } from "./entity-assists";
import { entityStyles } from "./styles";
import { assignInstructionSlots } from "../shared/instruction-slots";

/** The relation list re-renders with the chrome: past this many rows the arrows of the selected span say the rest. */
const MAX_RELATION_ROWS = 200;

function clip(s: string, n = 40): string {
  const t = s.replace(/\s+/g, " ");
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

/**
 * `<lw-entity-annotation name text labels header initial-value required relation-labels
 * document-labels multi-document-labels token-snap>` (`<crowd-entity-annotation>`): mark spans of
 * a text with labels, link them with labelled relations, label the document. Output
 * `{[name]: {entities: [{label, startOffset, endOffset, id}], relations?, documentLabels?}}` with
 * offsets in Unicode code points (docs/labeling-contract.md). The editing is `TextEditor`
 * (src/text); this shell draws the label bar, the status line and the relation list.
 */
export class LwEntityAnnotation extends LitElement implements LwField {
  static override properties: PropertyDeclarations = {
    name: { type: String, reflect: true },
    text: { type: String },
    header: { type: String },
    labels: { type: String },
    initialValue: { attribute: "initial-value" },
    required: { type: Boolean },
    relationLabels: { attribute: "relation-labels" },
    documentLabels: { attribute: "document-labels" },
    multiDocumentLabels: { attribute: "multi-document-labels", type: Boolean },
    tokenSnap: { attribute: "token-snap", type: Boolean },
    _error: { state: true },
    _hasShort: { state: true },
    _fullHeader: { state: true },
    _tick: { state: true },
  };

  declare name: string;
  declare text: string;
  declare header: string;
  declare labels: string | null;
  declare initialValue: string | null;
  declare required: boolean;
  declare relationLabels: string | null;
  declare documentLabels: string | null;
  declare multiDocumentLabels: boolean;
  declare tokenSnap: boolean;
  declare private _error: string | null;
  declare private _hasShort: boolean;
  declare private _fullHeader: string | null;
  /** Bumped on editor events: the chrome re-renders from the editor's state. */
  declare private _tick: number;

  readonly lwField = true as const;
  private _editor: TextEditor | null = null;
  private _labels: EntityLabel[] = [];
  private _relationLabels: string[] = [];
  private _docLabels: string[] = [];
  private _problems: string[] = [];
  /** "Find entities" / "Suggest" when the labeling page offers span or label assists. */
  private readonly _assists = new EntityAssists(this, {
    spanLabels: () => this._labels.map((l) => l.label),
    documentLabels: () => this._docLabels,
    multiDocumentLabels: () => this.multiDocumentLabels,
  });
  /** A draft restored before the editor exists. */
  private _pending: unknown = undefined;
  private readonly _childObserver = new MutationObserver(() => this._assignSlots());

  constructor() {
    super();
    this.name = "";
    this.text = "";
    this.header = "";
    this.labels = null;
    this.initialValue = null;
    this.required = false;
    this.relationLabels = null;
    this.documentLabels = null;
    this.multiDocumentLabels = false;
    this.tokenSnap = false;
    this._error = null;
    this._hasShort = false;
    this._fullHeader = null;
    this._tick = 0;
    this.addEventListener("keydown", (e) => this._onKey(e));
  }

  /** The span editor (tests, benchmarks), once rendered. */
  get editor(): TextEditor | null {
    return this._editor;
  }

  /** The model buttons (tests). */
  get assists(): EntityAssists {
    return this._assists;
  }

  /** F runs "Find entities" unless a label took F as its own key. */
  private get _findHotkey(): boolean {
    return this._assists.findAssist !== null && !this._labels.some((l) => l.key === FIND_KEY);
  }

  // ---- LwField -------------------------------------------------------------------------------

  get fieldName(): string {
    return this.name || "entities";
  }

  get fieldValue(): JsonValue | null {
    if (this._editor) return this._editor.output() as unknown as JsonValue;
    return null;
  }

  restoreFieldValue(value: JsonValue | undefined): void {
    if (this._editor) this._loadValue(value, "draft");
    else this._pending = value;
    this._error = null;
  }

  validateField(): string | null {
    const ed = this._editor;
    if (!ed) this._error = "The text is not ready yet.";
    else if (this.required && ed.model.size === 0) this._error = "Label at least one span before submitting.";
    else if (this._docLabels.length && !this.multiDocumentLabels && this.required && !ed.model.documentLabels.length) {
      this._error = "Choose a label for the whole document before submitting.";
    } else this._error = null;
    return this._error;
  }

  applyHotkey(action: HotkeyAction): boolean {
    if (action.kind !== "choose" || !this._editor) return false;
    return this._editor.controller.chooseLabel(action.index, false);
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  override connectedCallback(): void {
    super.connectedCallback();
    this._assignSlots();
    this._childObserver.observe(this, { childList: true });
    if (this.hasUpdated && !this._editor) this._createEditor();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._childObserver.disconnect();
    if (this._editor) this._pending = this._editor.output();
    this._editor?.destroy();
    this._editor = null;
  }

  private _assignSlots(): void {
    const { hasShort, fullHeader } = assignInstructionSlots(this);
    this._hasShort = hasShort;
    this._fullHeader = fullHeader;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("labels")) {
      const parsed = parseEntityLabels(this.labels);
      this._labels = parsed.labels;
      if (parsed.problems.length) console.warn(`<${this.localName}> labels: ${parsed.problems.join("; ")}`);
      this._editor?.setLabels(this._labels);
    }
    if (changed.has("relationLabels")) {
      this._relationLabels = parseNameList(this.relationLabels);
      if (this._editor) this._editor.controller.relationLabels = this._relationLabels;
    }
    if (changed.has("documentLabels")) this._docLabels = parseNameList(this.documentLabels);
    if (changed.has("tokenSnap") && this._editor) this._editor.controller.tokenSnap = this.tokenSnap;
  }

  protected override firstUpdated(): void {
    this._createEditor();
  }

  protected override updated(changed: PropertyValues): void {
    if (!this._editor) return;
    if (changed.has("text") && changed.get("text") !== undefined) this._createEditor();
    else if (changed.has("initialValue") && changed.get("initialValue") !== undefined) this._loadValue(this._initial(), "initial-value");
    else if (changed.has("labels") && changed.get("labels") !== undefined) this._editor.load(this._currentValue());
  }

  private _initial(): unknown {
    const text = (this.initialValue ?? "").trim();
    if (!text) return null;
    try {
      return parseAttributeLiteral(text);
    } catch (e) {
      this._problems = [`initial-value is not valid JSON: ${(e as Error).message}`];
      return null;
    }
  }

  private _createEditor(): void {
    const host = this.renderRoot.querySelector<HTMLDivElement>(".text")!;
    const old = this._editor;
    if (old) this._pending = undefined; // a new text: old offsets mean nothing
    old?.destroy();
    this._editor = new TextEditor(host, {
      text: this.text ?? "",
      labels: this._labels,
      relationLabels: this._relationLabels,
      tokenSnap: this.tokenSnap,
      onEvent: (e) => this._onEditorEvent(e),
    });
    const pending = this._pending;
    this._pending = undefined;
    if (pending !== undefined) this._loadValue(pending, "draft");
    else this._loadValue(this._initial(), "initial-value");
  }

  private _loadValue(raw: unknown, what: string): void {
    const ed = this._editor!;
    const parsed = parseTextValue(raw, ed.offsets);
    this._problems = parsed.problems.map((p) => `${what}: ${p}`);
    if (this._problems.length) console.warn(`<${this.localName} name="${this.fieldName}">`, this._problems.join("; "));
    ed.load(parsed.value);
    this._tick++;
  }

  private _currentValue(): TextValue {
    const ed = this._editor!;
    return { entities: ed.model.entities(), relations: [...ed.model.relations], documentLabels: [...ed.model.documentLabels] };
  }

  private _onEditorEvent(e: TextEditorEvent): void {
    if (e.kind === "change") {
      if (this._error) this.validateField();
      this.dispatchEvent(new CustomEvent(FIELD_CHANGE, { bubbles: true, composed: true, detail: { name: this.fieldName, value: e.value } }));
    }
    this._tick++;
  }

  private _onKey(e: KeyboardEvent): void {
    const ed = this._editor;
    const target = e.composedPath()[0] as Element;
    if (!ed || e.defaultPrevented || e.isComposing || isTypingTarget(target)) return;
    if (target instanceof HTMLButtonElement && (e.key === " " || e.key === "Enter")) return;
    // Tab leaves the element unless the focus is on the text itself.
    if (e.key === "Tab" && !(target instanceof HTMLElement && target.classList.contains("text"))) return;
    if (e.key.toLowerCase() === FIND_KEY && !e.ctrlKey && !e.metaKey && !e.altKey && !e.shiftKey && this._findHotkey && !ed.controller.relation) {
      e.preventDefault();
      void this._assists.findEntities();
      return;
    }
    ed.keyDown(e);
  }

  // ---- document labels -----------------------------------------------------------------------

  private _toggleDocLabel(label: string): void {
    const m = this._editor?.model;
    if (!m) return;
    const cur = m.documentLabels;
    let next: string[];
    if (this.multiDocumentLabels) next = cur.includes(label) ? cur.filter((l) => l !== label) : [...cur, label];
    else next = cur.includes(label) ? [] : [label];
    m.setDocumentLabels(next);
  }

  // ---- rendering -----------------------------------------------------------------------------

  private _renderDocLabels(): TemplateResult | typeof nothing {
    if (!this._docLabels.length) return nothing;
    const chosen = this._editor?.model.documentLabels ?? [];
    return html`<div class="bar doc-labels" role=${this.multiDocumentLabels ? "group" : "radiogroup"} aria-label="Document labels">
      <span class="title">Document</span>
      ${this._docLabels.map(
        (l) => html`<button type="button" class="chip" role=${this.multiDocumentLabels ? "checkbox" : "radio"}
          aria-checked=${chosen.includes(l) ? "true" : "false"} @click=${() => this._toggleDocLabel(l)}>${l}</button>`,
      )}
    </div>`;
  }

  private _renderLabels(): TemplateResult {
    const c = this._editor?.controller;
    if (!this._labels.length) return html`<p class="empty-note">No labels are configured: nothing can be marked.</p>`;
    const drawingRel = c?.relation?.stage === "label";
    if (drawingRel) {
      return html`<div class="bar rel-labels" role="group" aria-label="Relation label">
        <span class="title">Relation</span>
        ${this._relationLabels.map(
          (l, i) => html`<button type="button" class="choice" @mousedown=${(e: Event) => e.preventDefault()}
            @click=${() => c!.chooseLabel(i, false)}>${l}${hotkeyLabel(i) ? html`<kbd>${hotkeyLabel(i)}</kbd>` : nothing}</button>`,
        )}
      </div>`;
    }
    return html`<div class="bar labels" role="group" aria-label="Labels">
      ${this._labels.map((l, i) => {
        const key = hotkeyLabel(i);
        return html`<button type="button" class="choice" data-label=${l.label} title=${l.full}
          aria-pressed=${c?.armed === i ? "true" : "false"}
          @mousedown=${(e: Event) => e.preventDefault()}
          @click=${(e: MouseEvent) => c?.chooseLabel(i, e.shiftKey)}>
          <span class="swatch" style="background:${l.colour}"></span>
          ${l.short !== l.full ? html`<span class="short">${l.short}</span>` : nothing}
          <span class="full">${l.full}</span>
          ${key ? html`<kbd aria-hidden="true">${key}</kbd>` : nothing}
          ${l.key ? html`<kbd aria-hidden="true">${l.key.toUpperCase()}</kbd>` : nothing}
        </button>`;
      })}
    </div>`;
  }

  private _renderStatus(): TemplateResult {
    const ed = this._editor;
    const c = ed?.controller;
    if (!ed || !c) return html`<p class="status"></p>`;
    const quote = (s: number, e: number) => `\u201c${clip(ed.text.slice(s, e))}\u201d`;
    let body: TemplateResult;
    if (c.relation?.stage === "target") {
      const from = ed.model.entity(c.relation.from);
      body = html`Relation from <strong>${from?.label}</strong> ${from ? quote(from.start, from.end) : ""}: click the target span (or Tab to it and press Enter) · Esc cancels`;
    } else if (c.relation?.stage === "label") {
      body = html`Choose the relation's label (<kbd>1</kbd>–<kbd>9</kbd>) · Esc cancels`;
    } else if (c.hasRange) {
      const [s, e] = c.range;
      body = html`Selected ${quote(s, e)}: press a label's key or click a label`;
    } else if (c.selected) {
      const s = c.selected;
      const model = s.extra.source === "model" ? String(s.extra.model ?? "a model") : null;
      const score = typeof s.extra.score === "number" ? ` ${Math.round(s.extra.score * 100)} %` : "";
      body = html`<strong>${s.label}</strong> ${quote(s.start, s.end)}
        ${model ? html`· <span class="proposal">${s.extra.edited ? "edited, proposed by" : "proposed by"} ${model}${score}</span>` : nothing}
        · a label's key relabels, Shift+key adds a label ·
        Delete removes${this._relationLabels.length ? html` · R draws a relation` : nothing}`;
    } else if (c.armed !== null) {
      body = html`Marking <strong>${this._labels[c.armed]?.full}</strong>: select text to label it · Esc stops`;
    } else body = html`Select text with the mouse or Shift+arrows, then choose a label`;
    return html`<p class="status" aria-live="polite">${body}</p>`;
  }

  private _renderToolbar(): TemplateResult {
    const ed = this._editor;
    const m = ed?.model;
    const c = ed?.controller;
    return html`<div class="bar toolbar" role="toolbar" aria-label="Edit">
      <button type="button" class="tool" aria-label="Undo" ?disabled=${!m?.canUndo} @mousedown=${(e: Event) => e.preventDefault()}
        title=${m?.undoTitle ? `Undo ${m.undoTitle} (Ctrl+Z)` : "Undo (Ctrl+Z)"} @click=${() => c?.undo()}>↶ Undo</button>
      <button type="button" class="tool" aria-label="Redo" ?disabled=${!m?.canRedo} @mousedown=${(e: Event) => e.preventDefault()}
        title=${m?.redoTitle ? `Redo ${m.redoTitle} (Ctrl+Shift+Z)` : "Redo (Ctrl+Shift+Z)"} @click=${() => c?.redo()}>↷ Redo</button>
      <button type="button" class="tool" aria-label="Delete span" ?disabled=${!c?.selected} title="Delete the selected span (Delete)"
        @click=${() => c?.deleteSelected()}>Delete</button>
      ${this._relationLabels.length
        ? html`<button type="button" class="tool relate" ?disabled=${!c?.selected} title="Draw a relation from the selected span (R)"
            aria-pressed=${c?.relation ? "true" : "false"} @click=${() => c?.relations.start()}>Relate <kbd>R</kbd></button>`
        : nothing}
      ${this._assists.renderButtons(this._findHotkey)}
      <span class="title">${m?.size ?? 0} spans</span>
    </div>
    ${this._assists.renderStatus()}`;
  }

  private _renderRelations(): TemplateResult | typeof nothing {
    const ed = this._editor;
    if (!ed || !this._relationLabels.length) return nothing;
    const rels = ed.model.relations;
    const name = (id: string) => {
      const e = ed.model.entity(id);
      return e ? `${e.label} \u201c${clip(ed.text.slice(e.start, e.end), 18)}\u201d` : id;
    };
    return html`<div class="relations">
      <h3>Relations (${rels.length})</h3>
      ${rels.length
        ? html`<ul class="rels">
            ${rels.slice(0, MAX_RELATION_ROWS).map(
              (r) => html`<li @mouseenter=${() => ed.hover(r.to)} @mouseleave=${() => ed.hover(null)}>
                <button type="button" class="mini pick" title="Select the source span" @mouseenter=${() => ed.hover(r.from)}
                  @click=${() => ed.controller.select(r.from)}>◉</button>
                <span class="what">${name(r.from)} <b>→ ${r.label} →</b> ${name(r.to)}</span>
                <button type="button" class="mini" aria-label="Delete relation ${r.label}" @click=${() => ed.model.removeRelation(r)}>×</button>
              </li>`,
            )}
          </ul>
          ${rels.length > MAX_RELATION_ROWS
            ? html`<p class="empty-note">and ${rels.length - MAX_RELATION_ROWS} more: select a span to see its relations as arrows</p>`
            : nothing}`
        : html`<p class="empty-note">Select a span, press R, then click the target span.</p>`}
    </div>`;
  }

  override render(): TemplateResult {
    void this._tick;
    const hasInstructions = this._hasShort || this._fullHeader !== null;
    const side = this._relationLabels.length > 0;
    const picking = this._editor?.controller.relation?.stage === "target";
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
      ${this._renderDocLabels()} ${this._renderLabels()} ${this._renderToolbar()} ${this._renderStatus()}
      <div class="body ${side ? "" : "no-side"}">
        <div class="text ${picking ? "picking" : ""}" part="text" tabindex="0" role="document" aria-label="Text to annotate"></div>
        ${side ? html`<aside class="side">${this._renderRelations()}</aside>` : nothing}
      </div>
      <p class="hint" aria-hidden="true">
        Drag or double-click to select · <kbd>Shift</kbd>+arrows extend (<kbd>Ctrl</kbd>: by word) · <kbd>1</kbd>–<kbd>9</kbd> label ·
        click or <kbd>Tab</kbd> selects a span · <kbd>Del</kbd> delete · <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo${this._findHotkey
          ? html` · <kbd>F</kbd> find entities`
          : nothing}
      </p>
      ${this._problems.length ? html`<p class="error" role="alert">Some spans could not be loaded: ${this._problems.join("; ")}</p>` : nothing}
      ${this._error ? html`<p class="error" role="alert" part="error">${this._error}</p>` : nothing}
    `;
  }

  static override styles = [tokens, entityStyles];
}
