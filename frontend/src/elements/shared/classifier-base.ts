import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import { parseCategories, parseExclusionCategory } from "../../lib/attributes";
import {
  EMPTY_MULTI,
  multiValue,
  readMulti,
  readSingle,
  singleValue,
  toggleExclusion,
  toggleLabel,
  type MultiState,
} from "../../lib/form-value";
import { hotkeyLabel, type HotkeyAction } from "../../lib/hotkeys";
import type { JsonValue } from "../../lib/json";
import { FILTER_MIN_LABELS, filterLabels } from "../../lib/label-filter";
import { FIELD_CHANGE, type LwField } from "./field";
import { elementChromeStyles } from "./chrome-styles";
import { classifierStyles } from "./classifier-styles";
import { tokens } from "./tokens";
import { INSTRUCTION_SLOTS, assignInstructionSlots } from "./instruction-slots";

/** Ground Truth's child elements and the shadow slots they go to. */
const CHILD_SLOTS: Record<string, string> = { "classification-target": "target", ...INSTRUCTION_SLOTS };

/**
 * One classifier: a header, instructions, the content to classify and the category buttons.
 * Single- or multi-label by the subclass's `static multi`; the image classifiers override
 * `renderTarget()`.
 */
export class ClassifierBase extends LitElement implements LwField {
  static multi = false;

  static override properties: PropertyDeclarations = {
    name: { type: String, reflect: true },
    header: { type: String },
    categories: { converter: { fromAttribute: parseCategories } },
    exclusionCategory: { attribute: "exclusion-category", converter: { fromAttribute: parseExclusionCategory } },
    required: { type: Boolean },
    _single: { state: true },
    _multi: { state: true },
    _error: { state: true },
    _hasShort: { state: true },
    _fullHeader: { state: true },
    _filter: { state: true },
  };

  declare name: string;
  declare header: string;
  declare categories: string[];
  /** Multi-select only: the "none of these" choice; one of `categories` or a separate button. */
  declare exclusionCategory: string | null;
  /** Multi-select only: at least one label (or the exclusion) must be chosen. */
  declare required: boolean;
  declare protected _single: string | null;
  declare protected _multi: MultiState;
  declare protected _error: string | null;
  declare protected _hasShort: boolean;
  /** Header of `<full-instructions>`, or null when there is none. */
  declare protected _fullHeader: string | null;
  /** What the worker typed in the label filter (shown from FILTER_MIN_LABELS labels). */
  declare protected _filter: string;

  readonly lwField = true as const;
  private readonly _childObserver = new MutationObserver(() => this._assignSlots());

  constructor() {
    super();
    this.name = "";
    this.header = "";
    this.categories = [];
    this.exclusionCategory = null;
    this.required = false;
    this._single = null;
    this._multi = EMPTY_MULTI;
    this._error = null;
    this._hasShort = false;
    this._fullHeader = null;
    this._filter = "";
  }

  protected get multi(): boolean {
    return (this.constructor as typeof ClassifierBase).multi;
  }

  /** The exclusion category when it is one of the categories (then it behaves as exclusive). */
  private get _exclusiveLabel(): string | null {
    const ex = this.exclusionCategory;
    return this.multi && ex !== null && this.categories.includes(ex) ? ex : null;
  }

  /** The exclusion category when it is a button of its own (Ground Truth's behaviour). */
  private get _separateExclusion(): string | null {
    const ex = this.exclusionCategory;
    return this.multi && ex !== null && !this.categories.includes(ex) ? ex : null;
  }

  // ---- LwField -----------------------------------------------------------------------------

  get fieldName(): string {
    return this.name || "category";
  }

  get fieldValue(): JsonValue | null {
    return this.multi ? multiValue(this._multi) : singleValue(this._single);
  }

  restoreFieldValue(value: JsonValue | undefined): void {
    if (this.multi) this._multi = readMulti(value, this.categories);
    else this._single = readSingle(value, this.categories);
    this._error = null;
  }

  validateField(): string | null {
    let message: string | null = null;
    if (!this.multi) {
      if (this._single === null) message = "Choose a label before submitting.";
    } else if (!this._multi.labels.length && !this._multi.excluded) {
      if (this.exclusionCategory !== null) {
        message = `Choose at least one label, or \u201c${this.exclusionCategory}\u201d.`;
      } else if (this.required) {
        message = "Choose at least one label before submitting.";
      }
    }
    this._error = message;
    return message;
  }

  applyHotkey(action: HotkeyAction): boolean {
    if (action.kind === "choose") {
      // digits count the labels as shown: the filter's matches, the exclusion apart
      const label = this._shownLabels()[action.index];
      if (label === undefined) return false;
      this.choose(this.categories.indexOf(label));
      return true;
    }
    if (action.kind === "exclusion") {
      const exclusive = this._exclusiveLabel;
      if (exclusive !== null) this.choose(this.categories.indexOf(exclusive));
      else if (this._separateExclusion !== null) this.chooseExclusion();
      else return false;
      return true;
    }
    if (action.kind === "filter") {
      const box = this.renderRoot.querySelector<HTMLInputElement>("input.filter");
      if (!box) return false;
      box.focus();
      box.select();
      return true;
    }
    return false;
  }

  /** The numbered labels in the order shown: every category but the exclusive one, filtered. */
  private _shownLabels(): string[] {
    const exclusive = this._exclusiveLabel;
    const labels = exclusive === null ? this.categories : this.categories.filter((c) => c !== exclusive);
    return this._hasFilter ? filterLabels(labels, this._filter) : labels;
  }

  private get _hasFilter(): boolean {
    return this.categories.length >= FILTER_MIN_LABELS;
  }

  /** Multi-select: drop every chosen label and the exclusion. */
  clearAll(): void {
    if (!this.multi || (!this._multi.labels.length && !this._multi.excluded)) return;
    this._multi = EMPTY_MULTI;
    this._changed();
  }

  // ---- choosing ----------------------------------------------------------------------------

  /** Choose the n-th category (toggle it in a multi-select). */
  choose(index: number): void {
    const label = this.categories[index];
    if (label === undefined) return;
    if (this.multi) this._multi = toggleLabel(this._multi, label, this.categories, this._exclusiveLabel);
    else this._single = label;
    this._changed();
  }

  /** Toggle the separate exclusion button ("None of the above"). */
  chooseExclusion(): void {
    if (this._separateExclusion === null) return;
    this._multi = toggleExclusion(this._multi);
    this._changed();
  }

  private _changed(): void {
    this._error = null;
    this.dispatchEvent(
      new CustomEvent(FIELD_CHANGE, {
        bubbles: true,
        composed: true,
        detail: { name: this.fieldName, value: this.fieldValue },
      }),
    );
  }

  private _isSelected(label: string): boolean {
    return this.multi ? this._multi.labels.includes(label) : this._single === label;
  }

  // ---- children ----------------------------------------------------------------------------

  override connectedCallback(): void {
    super.connectedCallback();
    this._assignSlots();
    this._childObserver.observe(this, { childList: true });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._childObserver.disconnect();
  }

  private _assignSlots(): void {
    const { hasShort, fullHeader } = assignInstructionSlots(this, CHILD_SLOTS);
    this._hasShort = hasShort;
    this._fullHeader = fullHeader;
  }

  protected override willUpdate(changed: PropertyValues): void {
    // Categories replaced after a choice: drop choices that no longer exist.
    if (changed.has("categories")) {
      if (this._single !== null && !this.categories.includes(this._single)) this._single = null;
      this._multi = readMulti(this._multi.labels, this.categories);
    }
  }

  // ---- rendering ---------------------------------------------------------------------------

  /** The content to classify. Text classifiers show `<classification-target>`. */
  protected renderTarget(): TemplateResult {
    // focusable so that a keyboard scrolls a long text; the region is named for screen readers
    return html`<div class="text-target" part="text-target" role="region" aria-label="Content to classify"
      tabindex="0"><slot name="target"></slot></div>`;
  }

  private _renderChoice(label: string, shownAt: number): TemplateResult {
    const selected = this._isSelected(label);
    const key = hotkeyLabel(shownAt);
    const index = this.categories.indexOf(label);
    return html`<button
      type="button"
      class="choice"
      part="choice"
      role=${this.multi ? "checkbox" : "radio"}
      aria-checked=${selected ? "true" : "false"}
      aria-keyshortcuts=${key ?? nothing}
      data-index=${index}
      @click=${() => this.choose(index)}
    >
      <span class="mark" aria-hidden="true"></span>
      <span class="text">${label}</span>
      ${key ? html`<kbd aria-hidden="true">${key}</kbd>` : nothing}
    </button>`;
  }

  private _renderExclusion(): TemplateResult | typeof nothing {
    const exclusive = this._exclusiveLabel;
    const text = exclusive ?? this._separateExclusion;
    if (text === null) return nothing;
    const checked = exclusive !== null ? this._multi.labels.includes(exclusive) : this._multi.excluded;
    const toggle = (): void => (exclusive !== null ? this.choose(this.categories.indexOf(exclusive)) : this.chooseExclusion());
    return html`<div class="divider" aria-hidden="true"><span>or</span></div>
      <button
        type="button"
        class="choice exclusion"
        part="choice exclusion"
        role="checkbox"
        aria-checked=${checked ? "true" : "false"}
        aria-keyshortcuts="0"
        @click=${toggle}
      >
        <span class="mark" aria-hidden="true"></span>
        <span class="text">${text}</span>
        <kbd aria-hidden="true">0</kbd>
      </button>`;
  }

  private _onFilterKey(e: KeyboardEvent): void {
    const box = e.currentTarget as HTMLInputElement;
    if (e.key === "Enter") {
      // the best match: toggled (multi) or chosen (single); the box empties for the next label
      e.preventDefault();
      const first = this._shownLabels()[0];
      if (first !== undefined && this._filter.trim()) {
        this.choose(this.categories.indexOf(first));
        this._filter = "";
        box.value = "";
      }
    } else if (e.key === "Escape") {
      e.preventDefault();
      if (this._filter) {
        this._filter = "";
        box.value = "";
      } else {
        box.blur();
      }
    } else if (e.key === "ArrowDown") {
      e.preventDefault();
      this.renderRoot.querySelector<HTMLElement>(".list .choice")?.focus();
    }
  }

  private _renderFilter(shown: number): TemplateResult | typeof nothing {
    if (!this._hasFilter) return nothing;
    return html`<div class="filter-row">
      <input
        class="filter"
        type="search"
        part="filter"
        placeholder="Filter ${this.categories.length} labels"
        aria-label="Filter labels"
        aria-keyshortcuts="/"
        autocomplete="off"
        spellcheck="false"
        .value=${this._filter}
        @input=${(e: Event) => (this._filter = (e.target as HTMLInputElement).value)}
        @keydown=${(e: KeyboardEvent) => this._onFilterKey(e)}
      />
      <kbd aria-hidden="true">/</kbd>
    </div>
    ${this._filter.trim()
      ? html`<p class="filter-status" role="status">
          ${shown ? `${shown} match${shown === 1 ? "" : "es"}: Enter takes the first` : "No label matches"}
        </p>`
      : nothing}`;
  }

  /** Multi-select: what is chosen (labels may be scrolled or filtered out of view) and Clear all. */
  private _renderChosen(): TemplateResult | typeof nothing {
    if (!this.multi) return nothing;
    const chosen = this._multi.labels;
    const count = chosen.length + (this._multi.excluded ? 1 : 0);
    if (!count) return nothing;
    return html`<div class="chosen" part="chosen">
      <span class="chosen-count">${count} chosen</span>
      ${this._hasFilter
        ? chosen.map(
            (label) => html`<button
              type="button"
              class="chip"
              title="Remove ${label}"
              aria-label="Remove ${label}"
              @click=${() => this.choose(this.categories.indexOf(label))}
            >${label}<span aria-hidden="true">×</span></button>`,
          )
        : nothing}
      <button type="button" class="clear" part="clear" @click=${() => this.clearAll()}>Clear all</button>
    </div>`;
  }

  override render(): TemplateResult {
    const multi = this.multi;
    const shown = this._shownLabels();
    const many = this._hasFilter;
    const hasInstructions = this._hasShort || this._fullHeader !== null;
    return html`
      ${this.header ? html`<h2 class="header" id="header" part="header">${this.header}</h2>` : nothing}
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
      <div class="body ${many ? "many" : ""}">
        <div class="target" part="target">${this.renderTarget()}</div>
        <div
          class="choices ${this._error ? "invalid" : ""}"
          part="choices"
          role=${multi ? "group" : "radiogroup"}
          aria-labelledby=${this.header ? "header" : nothing}
          aria-label=${this.header ? nothing : multi ? "Labels" : "Label"}
          aria-invalid=${this._error ? "true" : nothing}
          aria-describedby=${this._error ? "error" : nothing}
        >
          <p class="choices-title" aria-hidden="true">${multi ? "Choose all that apply" : "Choose one"}</p>
          ${this._renderFilter(shown.length)}
          <div class="list">${shown.map((label, i) => this._renderChoice(label, i))}</div>
          ${this._renderExclusion()}
          ${this._renderChosen()}
          ${this.categories.length === 0 ? html`<p class="empty">No categories are configured.</p>` : nothing}
          ${this._error ? html`<p class="error" id="error" role="alert" part="error">${this._error}</p>` : nothing}
        </div>
      </div>
    `;
  }

  static override styles = [tokens, elementChromeStyles, classifierStyles];
}
