import { LitElement, css, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import { isTypingTarget, type HotkeyAction } from "../../lib/hotkeys";
import type { JsonValue } from "../../lib/json";
import { parseJsonAttribute as parseJson } from "../../lib/loose-json";
import { FIELD_CHANGE, type LwField } from "../shared/field";
import { tokens } from "../shared/tokens";
import { isCanonicalValue } from "./canonical";
import { EvaluationModel, parseCriteria, parseReplies, type Criterion, type Thumb } from "./model";

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const COMPARISON = ["A is much better", "A is slightly better", "About the same", "B is slightly better",
  "B is much better"];

/**
 * `<lw-model-evaluation name header prompt reference category responses generations shuffle-seed
 * criteria initial-value>`: Bedrock-style human evaluation of any number of model responses. The
 * responses (Bedrock's `modelResponses` and the item's `lw-generations`) are shown anonymised as
 * A, B, C… in an order fixed by `shuffle-seed` (one per annotator and item); each criterion
 * (`[{name, description, method}]`) gets one control: thumbs up/down per response, 1–5 radios per
 * response, a five-point comparison of A and B (two responses only), choice buttons, or ranks.
 * Output `{[name]: {displayOrder: [model ids as shown], criteria: {name: answer}}}`, per-response
 * answers in the order shown, a choice as its position (1 = A) (docs/task-types/model-evaluation.md).
 *
 * Keyboard: on a rank row, 1..k give that response the rank (a rank held by another response moves
 * here), 0 or Backspace clears it; Tab moves between rows and controls.
 */
export class LwModelEvaluation extends LitElement implements LwField {
  static override properties: PropertyDeclarations = {
    name: { type: String, reflect: true },
    header: { type: String },
    prompt: { type: String },
    reference: { type: String },
    category: { type: String },
    responses: { type: String },
    generations: { type: String },
    shuffleSeed: { attribute: "shuffle-seed", type: String },
    criteria: { type: String },
    initialValue: { attribute: "initial-value" },
    _error: { state: true },
    _tick: { state: true },
  };

  declare name: string;
  declare header: string;
  declare prompt: string;
  declare reference: string;
  declare category: string;
  declare responses: string | null;
  declare generations: string | null;
  declare shuffleSeed: string;
  declare criteria: string | null;
  declare initialValue: string | null;
  declare private _error: string | null;
  declare private _tick: number;

  readonly lwField = true as const;
  model = new EvaluationModel([], "", []);
  problems: string[] = [];
  private _pending: unknown = undefined;
  private _focusedRank: { criterion: string; model: string } | null = null;
  /** a stored value was loaded: report the element's own answer once rendered (see restoreFieldValue) */
  private _announce = false;

  static override styles = [tokens, css`
    :host { display: block; font: inherit; }
    .prompt, .reference { white-space: pre-wrap; padding: 0.5rem 0.75rem; border-radius: 6px; margin: 0 0 0.5rem; }
    .prompt { background: var(--lw-surface-2, #f3f4f6); }
    .reference { border-left: 3px solid var(--lw-accent, #2563eb); background: #eff6ff; }
    .label { font-weight: 600; display: block; font-size: 0.85em; color: #4b5563; }
    .category { font-size: 0.8em; padding: 0.1rem 0.4rem; border-radius: 4px; background: #e5e7eb; }
    .responses { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 0.5rem; margin: 0.5rem 0; }
    .card { border: 1px solid #d1d5db; border-radius: 6px; padding: 0.5rem 0.75rem; }
    .card .text { white-space: pre-wrap; max-height: 20rem; overflow: auto; }
    fieldset { border: 1px solid #d1d5db; border-radius: 6px; margin: 0.5rem 0; padding: 0.5rem 0.75rem; }
    legend { font-weight: 600; }
    .desc { margin: 0 0 0.4rem; color: #4b5563; font-size: 0.9em; }
    .row { display: flex; flex-wrap: wrap; align-items: center; gap: 0.25rem 0.5rem; margin: 0.2rem 0; padding: 0.1rem 0.25rem; border-radius: 4px; }
    .row [role="radiogroup"] { white-space: nowrap; }
    .row:focus { outline: 2px solid var(--lw-accent, #2563eb); }
    .row .who { min-width: 6.5rem; font-weight: 600; }
    button[aria-pressed="true"], button[aria-checked="true"] { background: var(--lw-accent, #2563eb); color: white; }
    button { font: inherit; padding: 0.2rem 0.6rem; border: 1px solid #9ca3af; border-radius: 4px; background: white; cursor: pointer; }
    .error { color: #b91c1c; margin-top: 0.5rem; }
    .hint { color: #6b7280; font-size: 0.85em; }
    .note { color: #92400e; background: #fef3c7; border-radius: 4px; padding: 0 0.35rem; font-size: 0.85em; white-space: nowrap; }
  `];

  constructor() {
    super();
    this.name = "";
    this.header = "";
    this.prompt = "";
    this.reference = "";
    this.category = "";
    this.responses = null;
    this.generations = null;
    this.shuffleSeed = "";
    this.criteria = null;
    this.initialValue = null;
    this._error = null;
    this._tick = 0;
  }

  // ---- LwField -------------------------------------------------------------------------------

  get fieldName(): string {
    return this.name || "evaluation";
  }

  get fieldValue(): JsonValue | null {
    return this.model.k ? (this.model.value() as unknown as JsonValue) : null;
  }

  /**
   * A draft in the posted shape, or a stored answer (the review page presets its frame with the
   * canonical or consolidated value, keyed by model id). A stored answer is not what the server takes
   * back, and a consolidated one may hold figures between the controls' (a Likert mean of 4.67): once
   * loaded, the element reports its own answer as a change, so a host that saves the frame untouched
   * posts the shown, valid answer instead of the preset it sent.
   */
  restoreFieldValue(value: JsonValue | undefined): void {
    if (!this.hasUpdated) {
      this._pending = value;
      return;
    }
    if (value !== undefined) {
      const problems = this.model.load(value);
      if (problems.length) console.warn(`<${this.localName} name="${this.fieldName}">`, problems.join("; "));
      this._announce = isCanonicalValue(value);
    }
    this._error = null;
    this._tick++;
  }

  validateField(): string | null {
    this._error = this.model.k ? this.model.problem() : "The responses are not ready yet.";
    return this._error;
  }

  applyHotkey(action: HotkeyAction): boolean {
    if (action.kind !== "choose" || !this._focusedRank) return false;
    return this._rank(this._focusedRank.criterion, this._focusedRank.model, action.index + 1);
  }

  // ---- state ---------------------------------------------------------------------------------

  protected override willUpdate(changed: PropertyValues): void {
    if (!["responses", "generations", "shuffleSeed", "criteria", "initialValue"].some((k) => changed.has(k))) return;
    const problems: string[] = [];
    const parsed = parseReplies(parseJson(this.responses, "responses", problems),
      parseJson(this.generations, "generations", problems));
    problems.push(...parsed.problems);
    const keep = this.hasUpdated && this.model.k ? this.model.value() : undefined;
    this.model = new EvaluationModel(parsed.replies, this.shuffleSeed ?? "",
      parseCriteria(parseJson(this.criteria, "criteria", problems)));
    const restored = this._pending !== undefined;
    const pending = restored ? this._pending : keep ?? parseJson(this.initialValue, "initial-value", problems);
    this._pending = undefined;
    if (pending) problems.push(...this.model.load(pending));
    if (restored && isCanonicalValue(pending)) this._announce = true;
    this.problems = problems;
    if (problems.length) console.warn(`<${this.localName} name="${this.fieldName}">`, problems.join("; "));
  }

  protected override updated(): void {
    if (!this._announce) return;
    this._announce = false;
    this._changed();
  }

  private _changed(): void {
    this.dispatchEvent(new CustomEvent(FIELD_CHANGE, { bubbles: true, composed: true,
      detail: { name: this.fieldName, value: this.fieldValue } }));
  }

  private _set(criterion: string, model: string, answer: number | Thumb | null): void {
    this.model.set(criterion, model, answer);
    this._tick++;
    if (this._error) this.validateField();
    this._changed();
  }

  /** The stored figure a control shows rounded, or a consolidated rank's score. */
  private _note(criterion: string, model = ""): TemplateResult | typeof nothing {
    const note = this.model.note(criterion, model);
    return note ? html`<span class="note" title="The stored answer; the control shows it rounded">${note}</span>` : nothing;
  }

  private _rank(criterion: string, model: string, rank: number | null): boolean {
    if (rank !== null && (rank < 1 || rank > this.model.k)) return false;
    this._set(criterion, model, rank);
    return true;
  }

  private _onRankKey(e: KeyboardEvent, criterion: string, model: string): void {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.composedPath()[0] as Element)) return;
    if (/^[1-9]$/.test(e.key)) {
      e.preventDefault(); // a rank past k does nothing, and is no label hotkey either
      this._rank(criterion, model, Number(e.key));
    } else if (e.key === "0" || e.key === "Backspace" || e.key === "Delete") {
      e.preventDefault();
      this._rank(criterion, model, null);
    }
  }

  // ---- rendering -----------------------------------------------------------------------------

  private _who(i: number): string {
    return `Response ${LETTERS[i] ?? "?"}`;
  }

  private _perResponse(c: Criterion, control: (model: string, who: string) => TemplateResult): TemplateResult {
    return html`${this.model.shown.map((r, i) => html`<div class="row" role="group" aria-label=${`${c.name}: ${this._who(i)}`}>
      <span class="who">${this._who(i)}</span>${control(r.model, this._who(i))}${this._note(c.name, r.model)}</div>`)}`;
  }

  private _control(c: Criterion): TemplateResult {
    const m = this.model;
    switch (c.method) {
      case "thumbs":
        return this._perResponse(c, (model, who) => html`${(["up", "down"] as const).map((t) => html`
          <button type="button" aria-pressed=${m.get(c.name, model) === t ? "true" : "false"}
            aria-label=${`${who}: thumbs ${t}`}
            @click=${() => this._set(c.name, model, m.get(c.name, model) === t ? null : t)}>${t === "up" ? "▲ Up" : "▼ Down"}</button>`)}`);
      case "likert":
        return this._perResponse(c, (model, who) => html`<span role="radiogroup" aria-label=${`${who}: ${c.name} 1 to 5`}>
          ${[1, 2, 3, 4, 5].map((v) => html`<label><input type="radio" name=${`${c.name}-${model}`} .checked=${m.get(c.name, model) === v}
            aria-label=${`${who}: ${v}`} @change=${() => this._set(c.name, model, v)}>${v}</label>`)}</span>`);
      case "comparison-likert":
        return html`<div role="radiogroup" aria-label=${`${c.name}: compare A and B`}>${COMPARISON.map((label, i) => html`
          <button type="button" role="radio" aria-checked=${m.get(c.name) === i + 1 ? "true" : "false"}
            @click=${() => this._set(c.name, "", m.get(c.name) === i + 1 ? null : i + 1)}>${label}</button>`)}
          ${this._note(c.name)}</div>`;
      case "choice":
        return html`<div role="radiogroup" aria-label=${`${c.name}: choose one`}>${m.shown.map((_, i) => html`
          <button type="button" role="radio" aria-checked=${m.get(c.name) === i + 1 ? "true" : "false"}
            @click=${() => this._set(c.name, "", m.get(c.name) === i + 1 ? null : i + 1)}>${this._who(i)}</button>`)}</div>`;
      case "rank":
        return html`${m.shown.map((r, i) => {
          const rank = m.get(c.name, r.model);
          return html`<div class="row" tabindex="0" role="group" data-rank-model=${r.model}
            aria-label=${`${c.name}: rank of ${this._who(i)}${rank === null ? ", not ranked" : `, ${rank}`}`}
            @focusin=${() => { this._focusedRank = { criterion: c.name, model: r.model }; }}
            @focusout=${() => { this._focusedRank = null; }}
            @keydown=${(e: KeyboardEvent) => this._onRankKey(e, c.name, r.model)}>
            <span class="who">${this._who(i)}</span>
            <select aria-label=${`${c.name}: rank of ${this._who(i)}`} .value=${rank === null ? "" : String(rank)}
              @change=${(e: Event) => { const v = (e.target as HTMLSelectElement).value; this._rank(c.name, r.model, v ? Number(v) : null); }}>
              <option value="" ?selected=${rank === null}>Rank…</option>
              ${m.shown.map((_, j) => html`<option value=${String(j + 1)} ?selected=${rank === j + 1}>${j + 1}</option>`)}
            </select>${this._note(c.name, r.model)}</div>`;
        })}<p class="hint">Focus a row and press 1–${Math.min(9, m.k)} to rank it (1 is best), 0 to clear.</p>`;
    }
  }

  protected override render(): TemplateResult {
    void this._tick;
    return html`
      ${this.header ? html`<p class="header">${this.header}</p>` : nothing}
      <div class="instructions"><slot></slot></div>
      ${this.category ? html`<span class="category" aria-label="Category">${this.category}</span>` : nothing}
      ${this.prompt ? html`<section class="prompt" aria-label="Prompt"><span class="label">Prompt</span>${this.prompt}</section>` : nothing}
      ${this.reference ? html`<section class="reference" aria-label="Reference response"><span class="label">Reference response</span>${this.reference}</section>` : nothing}
      <div class="responses">${this.model.shown.map((r, i) => html`<article class="card" aria-label=${this._who(i)}>
        <span class="label">${this._who(i)}</span><div class="text">${r.text}</div></article>`)}</div>
      ${this.model.criteria.map((c) => html`<fieldset data-criterion=${c.name}><legend>${c.name} *</legend>
        ${c.description ? html`<p class="desc">${c.description}</p>` : nothing}${this._control(c)}</fieldset>`)}
      ${this._error ? html`<div class="error" role="alert">${this._error}</div>` : nothing}
    `;
  }
}
