import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import { isTypingTarget, type HotkeyAction } from "../../lib/hotkeys";
import type { JsonValue } from "../../lib/json";
import { parseJsonAttribute as parseJson } from "../../lib/loose-json";
import { FIELD_CHANGE, type LwField } from "../shared/field";
import { tokens } from "../shared/tokens";
import { renderMarkdown } from "./markdown";
import { RankingModel, isStoredRanking, parseDimensions, parseResponses } from "./model";
import { rankingStyles } from "./styles";

const LETTERS = "ABCDEFGHIJKLMNOPQRST";

/**
 * `<lw-text-ranking name header prompt messages responses shuffle-seed ordinal-ranking-dimensions
 * likert-scale likert-optional response-classes single-class classes-required rationale markdown
 * initial-value>` (`<crowd-text-ranking>`): rank k responses to a prompt on each dimension (ties
 * where the dimension allows them), compare two responses on a Likert scale, classify each
 * response and explain. Responses appear in an order fixed by `shuffle-seed` (one per annotator
 * and item). Output `{[name]: {displayOrder, ordinalRankingDimensions: [{name, responseRankings}],
 * pairwiseChoice?, responseClassifications?, rationale?}}`, ranks in the order shown
 * (docs/task-types/text-ranking.md). Responses are plain text, or with `markdown` a safe Markdown
 * subset (./markdown.ts: Lit text bindings only).
 *
 * Keyboard: Tab or the arrow keys move between responses, 1–9 give the focused response that rank
 * on the current dimension, 0 or Backspace clears it, Shift+Up / Shift+Down move it one place up or
 * down in the order (ranking every response by its place). Mouse: the rank menus, or drag the chips
 * of the order strip (best first).
 */
export class LwTextRanking extends LitElement implements LwField {
  static override properties: PropertyDeclarations = {
    name: { type: String, reflect: true },
    header: { type: String },
    prompt: { type: String },
    text: { type: String },
    messages: { type: String },
    responses: { type: String },
    shuffleSeed: { attribute: "shuffle-seed", type: String },
    dimensions: { attribute: "ordinal-ranking-dimensions", type: String },
    likertScale: { attribute: "likert-scale", type: String },
    likertOptional: { attribute: "likert-optional", type: Boolean },
    responseClasses: { attribute: "response-classes", type: String },
    singleClass: { attribute: "single-class", type: Boolean },
    classesRequired: { attribute: "classes-required", type: Boolean },
    rationale: { type: String },
    markdown: { type: Boolean },
    initialValue: { attribute: "initial-value" },
    _tab: { state: true },
    _focusId: { state: true },
    _error: { state: true },
    _tick: { state: true },
  };

  declare name: string;
  declare header: string;
  declare prompt: string;
  declare text: string;
  declare messages: string | null;
  declare responses: string | null;
  declare shuffleSeed: string;
  declare dimensions: string | null;
  declare likertScale: string | null;
  declare likertOptional: boolean;
  declare responseClasses: string | null;
  declare singleClass: boolean;
  declare classesRequired: boolean;
  declare rationale: string;
  declare markdown: boolean;
  declare initialValue: string | null;
  declare private _tab: number;
  declare private _focusId: string | null;
  declare private _error: string | null;
  declare private _tick: number;

  readonly lwField = true as const;
  model: RankingModel = new RankingModel([], "", [], [], []);
  problems: string[] = [];
  private _turns: { role: string; content: string }[] = [];
  private _dragId: string | null = null;
  private _pending: unknown = undefined;
  /** a stored value was restored: report the element's own answer once rendered */
  private _announce = false;

  static override styles = [tokens, rankingStyles];

  constructor() {
    super();
    this.name = "";
    this.header = "";
    this.prompt = "";
    this.text = "";
    this.messages = null;
    this.responses = null;
    this.shuffleSeed = "";
    this.dimensions = null;
    this.likertScale = null;
    this.likertOptional = false;
    this.responseClasses = null;
    this.singleClass = false;
    this.classesRequired = false;
    this.rationale = "optional";
    this.markdown = false;
    this.initialValue = null;
    this._tab = 0;
    this._focusId = null;
    this._error = null;
    this._tick = 0;
  }

  // ---- LwField -------------------------------------------------------------------------------

  get fieldName(): string {
    return this.name || "ranking";
  }

  get fieldValue(): JsonValue | null {
    return this.model.k ? (this.model.value() as unknown as JsonValue) : null;
  }

  /**
   * A draft in the posted shape, or the stored value (the review page presets its frame with the
   * canonical or consolidated answer: ranks in the item's order under `responseIds`). The stored
   * shape is not the posted one (its `displayOrder` says how another worker saw it), so after loading
   * it the element reports its own answer as a change: a host saving the frame untouched then posts
   * that, not the preset it sent.
   */
  restoreFieldValue(value: JsonValue | undefined): void {
    if (!this.hasUpdated) {
      this._pending = value;
      return;
    }
    if (value !== undefined) {
      this.model.load(value);
      this._announce = isStoredRanking(value);
    }
    this._error = null;
    this._tick++;
  }

  protected override updated(): void {
    if (!this._announce) return;
    this._announce = false;
    this.dispatchEvent(new CustomEvent(FIELD_CHANGE, { bubbles: true, composed: true,
      detail: { name: this.fieldName, value: this.fieldValue } }));
  }

  validateField(): string | null {
    this._error = this.model.k ? this.model.problem({
      likertRequired: !this.likertOptional,
      classesRequired: this.classesRequired,
      rationaleRequired: this.rationale === "required",
    }) : "The responses are not ready yet.";
    return this._error;
  }

  applyHotkey(action: HotkeyAction): boolean {
    if (action.kind !== "choose" || !this._focusId) return false;
    return this._rank(this._focusId, action.index + 1);
  }

  // ---- state ---------------------------------------------------------------------------------

  protected override willUpdate(changed: PropertyValues): void {
    const inputs = ["prompt", "text", "messages", "responses", "shuffleSeed", "dimensions", "likertScale",
      "responseClasses", "singleClass", "initialValue"];
    if (!inputs.some((k) => changed.has(k))) return;
    const problems: string[] = [];
    const parsed = parseResponses(parseJson(this.responses, "responses", problems) ?? []);
    problems.push(...parsed.problems);
    const dims = parseDimensions(parseJson(this.dimensions, "ordinal-ranking-dimensions", problems));
    const scale = parseJson(this.likertScale, "likert-scale", problems);
    const classes = parseJson(this.responseClasses, "response-classes", problems);
    const keep = this.hasUpdated && this.model.k ? this.model.value() : undefined;
    this.model = new RankingModel(parsed.responses, this.shuffleSeed ?? "", dims.length ? dims : [{ name: "overall", description: "", allowTie: false }],
      Array.isArray(scale) ? scale.map(String) : [], Array.isArray(classes) ? classes.map(String) : [], !this.singleClass);
    const msgs = parseJson(this.messages, "messages", problems);
    this._turns = Array.isArray(msgs)
      ? msgs.filter((m) => m && typeof m === "object").map((m) => ({ role: String((m as Record<string, unknown>).role ?? ""), content: String((m as Record<string, unknown>).content ?? "") }))
      : [];
    const restored = this._pending !== undefined;
    const pending = restored ? this._pending : keep ?? parseJson(this.initialValue, "initial-value", problems);
    this._pending = undefined;
    if (pending) problems.push(...this.model.load(pending));
    if (restored && isStoredRanking(pending)) this._announce = true;
    this.problems = problems;
    if (problems.length) console.warn(`<${this.localName} name="${this.fieldName}">`, problems.join("; "));
    if (this._tab >= this.model.dimensions.length) this._tab = 0;
  }

  private get _dim(): string {
    return this.model.dimensions[this._tab]?.name ?? "";
  }

  private _changed(): void {
    this._tick++;
    if (this._error) this.validateField();
    this.dispatchEvent(new CustomEvent(FIELD_CHANGE, { bubbles: true, composed: true,
      detail: { name: this.fieldName, value: this.fieldValue } }));
  }

  private _rank(id: string, rank: number | null): boolean {
    if (rank !== null && (rank < 1 || rank > this.model.k)) return false;
    this.model.setRank(this._dim, id, rank);
    this._changed();
    return true;
  }

  // ---- keyboard and mouse --------------------------------------------------------------------

  private _onCardKey(e: KeyboardEvent, id: string): void {
    const target = e.composedPath()[0] as Element;
    if (e.defaultPrevented || e.isComposing || e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(target)) return;
    const ids = this.model.shown.map((r) => r.id);
    const at = ids.indexOf(id);
    if (/^[1-9]$/.test(e.key)) {
      if (this._rank(id, Number(e.key))) e.preventDefault();
      else e.preventDefault(); // a rank past k: nothing, and no label hotkey either
    } else if (e.key === "0" || e.key === "Backspace" || e.key === "Delete") {
      e.preventDefault();
      this._rank(id, null);
    } else if (e.shiftKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
      // Shift+arrows move the focused response one place up (better) or down in the order
      e.preventDefault();
      const order = this.model.order(this._dim);
      this.model.move(this._dim, id, order.indexOf(id) + (e.key === "ArrowUp" ? -1 : 1));
      this._changed();
    } else if (e.key === "ArrowRight" || e.key === "ArrowDown" || e.key === "ArrowLeft" || e.key === "ArrowUp") {
      if (target.classList?.contains("text")) return; // scrolling a long response
      e.preventDefault();
      const step = e.key === "ArrowRight" || e.key === "ArrowDown" ? 1 : -1;
      this._focusCard(ids[(at + step + ids.length) % ids.length]!);
    }
  }

  private _focusCard(id: string): void {
    this.renderRoot.querySelector<HTMLElement>(`.card[data-id="${CSS.escape(id)}"]`)?.focus();
  }

  private _onDrop(e: DragEvent, to: number): void {
    e.preventDefault();
    const id = this._dragId ?? e.dataTransfer?.getData("text/plain");
    this._dragId = null;
    if (!id) return;
    this.model.move(this._dim, id, to);
    this._changed();
  }

  // ---- rendering -----------------------------------------------------------------------------

  private _letter(id: string): string {
    return LETTERS[this.model.shown.findIndex((r) => r.id === id)] ?? "?";
  }

  private _renderPrompt(): TemplateResult | typeof nothing {
    const text = this.prompt || this.text;
    if (this._turns.length) {
      return html`<section class="prompt" aria-label="Prompt">${this._turns.map((t) => html`
        <p class="turn"><span class="role">${t.role}</span>${t.content}</p>`)}</section>`;
    }
    return text ? html`<section class="prompt" aria-label="Prompt"><p class="turn">${text}</p></section>` : nothing;
  }

  private _renderTabs(): TemplateResult | typeof nothing {
    const dims = this.model.dimensions;
    if (dims.length < 2) return nothing;
    return html`<div role="tablist" aria-label="Ranking dimensions">${dims.map((d, i) => {
      const done = this.model.shown.every((r) => this.model.rankOf(d.name, r.id) !== null);
      return html`<button role="tab" type="button" aria-selected=${i === this._tab ? "true" : "false"}
        @click=${() => { this._tab = i; }}>${d.name}${done ? html`<span class="done" aria-label="ranked">✓</span>` : nothing}</button>`;
    })}</div>`;
  }

  private _renderOrder(): TemplateResult {
    const dim = this._dim;
    const order = this.model.order(dim);
    return html`<ol class="order" aria-label="Order, best first (drag to reorder)"
      @dragover=${(e: DragEvent) => e.preventDefault()} @drop=${(e: DragEvent) => this._onDrop(e, order.length)}>
      <span class="caption">Best first:</span>
      ${order.map((id, i) => {
        const rank = this.model.rankOf(dim, id);
        return html`<li class="chip ${rank === null ? "unranked" : ""}" draggable="true" data-id=${id}
          aria-label=${`Response ${this._letter(id)}${rank === null ? ", not ranked" : `, rank ${rank}`}`}
          @dragstart=${(e: DragEvent) => { this._dragId = id; e.dataTransfer?.setData("text/plain", id); }}
          @dragover=${(e: DragEvent) => { e.preventDefault(); (e.currentTarget as HTMLElement).classList.add("over"); }}
          @dragleave=${(e: DragEvent) => (e.currentTarget as HTMLElement).classList.remove("over")}
          @drop=${(e: DragEvent) => { e.stopPropagation(); (e.currentTarget as HTMLElement).classList.remove("over"); this._onDrop(e, i); }}>
          <strong>${this._letter(id)}</strong>${rank === null ? "–" : `#${rank}`}</li>`;
      })}</ol>`;
  }

  private _renderCard(id: string, text: string, index: number): TemplateResult {
    const dim = this._dim;
    const rank = this.model.rankOf(dim, id);
    const letter = LETTERS[index] ?? "?";
    const chosen = this.model.classes.get(id) ?? [];
    return html`<article class="card ${this._focusId === id ? "focused" : ""}" tabindex="0" role="group" data-id=${id}
      aria-label=${`Response ${letter}`} @focusin=${() => { this._focusId = id; }}
      @keydown=${(e: KeyboardEvent) => this._onCardKey(e, id)}>
      <header>
        <span class="letter">Response ${letter}</span>
        <select aria-label=${`Rank of response ${letter}`} .value=${rank === null ? "" : String(rank)}
          @change=${(e: Event) => { const v = (e.target as HTMLSelectElement).value; this._rank(id, v ? Number(v) : null); }}>
          <option value="" ?selected=${rank === null}>Rank…</option>
          ${this.model.shown.map((_, r) => html`<option value=${String(r + 1)} ?selected=${rank === r + 1}>${r + 1}</option>`)}
        </select>
        <span class="rank-pill ${rank === null ? "none" : ""}" aria-hidden="true">${rank === null ? "–" : `#${rank}`}</span>
      </header>
      <div class="text ${this.markdown ? "md" : ""}" tabindex="-1">${this.markdown ? renderMarkdown(text) : text}</div>
      ${this.model.classNames.length ? html`<div class="chips" role="group" aria-label=${`Classes of response ${letter}`}>
        ${this.model.classNames.map((c) => html`<button type="button" aria-pressed=${chosen.includes(c) ? "true" : "false"}
          @click=${() => { this.model.toggleClass(id, c); this._changed(); }}>${c}</button>`)}</div>` : nothing}
    </article>`;
  }

  private _renderLikert(): TemplateResult | typeof nothing {
    if (!this.model.likertActive) return nothing;
    const scale = this.model.likertScale;
    return html`<fieldset><legend>Compare A and B${this.likertOptional ? "" : " *"}</legend>
      <div class="likert" role="radiogroup" aria-label="Compare response A with response B">
        ${scale.map((label, i) => html`<button type="button" role="radio" aria-checked=${this.model.likert === i + 1 ? "true" : "false"}
          @click=${() => { this.model.likert = this.model.likert === i + 1 ? null : i + 1; this._changed(); }}>${label}</button>`)}
      </div></fieldset>`;
  }

  private _renderRationale(): TemplateResult | typeof nothing {
    if (this.rationale === "off") return nothing;
    return html`<fieldset><legend>Rationale${this.rationale === "required" ? " *" : " (optional)"}</legend>
      <textarea aria-label="Rationale" .value=${this.model.rationale} placeholder="Why did you rank them this way?"
        @input=${(e: Event) => { this.model.rationale = (e.target as HTMLTextAreaElement).value; this._changed(); }}></textarea>
    </fieldset>`;
  }

  protected override render(): TemplateResult {
    void this._tick;
    const d = this.model.dimensions[this._tab];
    return html`
      ${this.header ? html`<p class="header">${this.header}</p>` : nothing}
      <div class="instructions"><slot></slot></div>
      ${this._renderPrompt()}
      ${this._renderTabs()}
      ${d ? html`<p class="dim-info">Rank on <strong>${d.name}</strong>${d.description ? html`: ${d.description}` : nothing}
        <span class="badge">${d.allowTie ? "ties allowed" : "no ties"}</span></p>` : nothing}
      ${this._renderOrder()}
      <div class="responses">${this.model.shown.map((r, i) => this._renderCard(r.id, r.text, i))}</div>
      ${this._renderLikert()}
      ${this._renderRationale()}
      <p class="hint">Focus a response (Tab or arrows) and press 1–${Math.min(9, this.model.k)} to rank it, 0 to clear, Shift+↑/↓ to move it up or down; or use the menus, or drag the chips.</p>
      ${this._error ? html`<div class="error" role="alert">${this._error}</div>` : nothing}
    `;
  }
}
