import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import type { HotkeyAction } from "../../lib/hotkeys";
import type { JsonValue } from "../../lib/json";
import { parseAttributeLiteral } from "../../lib/loose-json";
import { NO_GUIDANCE, outOfBudget, parseGuidance, wordBudget, type Guidance } from "../demonstration/guidance";
import { demonstrationStyles } from "../demonstration/styles";
import { FIELD_CHANGE, type LwField } from "../shared/field";
import { tokens } from "../shared/tokens";
import { qaStyles } from "./styles";
import { addReference, emptyPair, findQuote, fromOutput, passageRuns, qaProblem, toOutput, type QaPair } from "./qa-model";

function tagNames(raw: string | null): string[] {
  if (!raw) return [];
  let v: unknown;
  try {
    v = parseAttributeLiteral(raw);
  } catch {
    v = raw.split(",");
  }
  const list = Array.isArray(v) ? v : v && typeof v === "object" && Array.isArray((v as { labels?: unknown }).labels) ? (v as { labels: unknown[] }).labels : [];
  return list
    .map((t) => (typeof t === "string" ? t : t && typeof t === "object" ? (t as { label?: unknown }).label : null))
    .filter((t): t is string => typeof t === "string" && t.trim() !== "")
    .map((t) => t.trim());
}

/**
 * `<lw-question-answer-generation name text tags header guidance initial-value>`
 * (`<crowd-question-answer-generation>`): the worker writes question–answer pairs about a passage,
 * highlights with the mouse the passage that supports each answer (added to the active pair), and
 * tags each question with the project's tags. Output `{[name]: {questionAnswerPairs: [{question,
 * answer, tags, references: [{startOffset, endOffset}]}]}}`, offsets in Unicode code points
 * (docs/task-types/question-answer-generation.md). `guidance` holds the bounds (min/max questions,
 * words per question and answer, forbidden phrases, whether references and tags are required).
 */
export class LwQuestionAnswerGeneration extends LitElement implements LwField {
  static override properties: PropertyDeclarations = {
    name: { type: String, reflect: true },
    text: { type: String },
    tags: { type: String },
    header: { type: String },
    guidance: { type: String },
    initialValue: { attribute: "initial-value" },
    _pairs: { state: true },
    _active: { state: true },
    _error: { state: true },
    _quoteError: { state: true },
  };

  static override styles = [tokens, demonstrationStyles, qaStyles];

  declare name: string;
  declare text: string;
  declare tags: string | null;
  declare header: string;
  declare guidance: string | null;
  declare initialValue: string | null;
  declare private _pairs: QaPair[];
  declare private _active: number;
  declare private _error: string | null;
  declare private _quoteError: string | null;

  readonly lwField = true as const;
  private _guidance: Guidance = { ...NO_GUIDANCE };
  private _tags: string[] = [];
  private _restored = false;

  constructor() {
    super();
    this.name = "";
    this.text = "";
    this.tags = null;
    this.header = "";
    this.guidance = null;
    this.initialValue = null;
    this._pairs = [emptyPair()];
    this._active = 0;
    this._error = null;
    this._quoteError = null;
  }

  // ---- LwField -------------------------------------------------------------------------------

  get fieldName(): string {
    return this.name || "qa";
  }

  get fieldValue(): JsonValue | null {
    return toOutput(this.text, this._pairs, this._tags) as unknown as JsonValue;
  }

  restoreFieldValue(value: JsonValue | undefined): void {
    const pairs = fromOutput(this.text, value);
    this._pairs = pairs.length ? pairs : [emptyPair()];
    this._active = 0;
    this._restored = true;
    this._error = null;
  }

  validateField(): string | null {
    const p = qaProblem(this._pairs, this._guidance);
    this._error = p ? p.message : null;
    if (p && p.pair >= 0) this._active = p.pair;
    return this._error;
  }

  applyHotkey(_action: HotkeyAction): boolean {
    return false; // digits belong to the text boxes
  }

  /** Digits are typed into the text boxes: the form footer offers no "1–9 choose". */
  readonly takesDigitKeys = false;

  /** The pairs (tests): references in UTF-16 offsets. */
  get pairs(): readonly QaPair[] {
    return this._pairs;
  }

  get activePair(): number {
    return this._active;
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("guidance")) this._guidance = parseGuidance(this.guidance);
    if (changed.has("tags")) this._tags = tagNames(this.tags);
    if (changed.has("initialValue") && this.initialValue && !this._restored) {
      try {
        const pairs = fromOutput(this.text, parseAttributeLiteral(this.initialValue));
        if (pairs.length) this._pairs = pairs;
      } catch {
        // a malformed pre-annotation leaves the empty form
      }
    }
  }

  // ---- editing -------------------------------------------------------------------------------

  addPair(): void {
    const max = this._guidance.maxQuestions;
    if (max !== null && this._pairs.length >= max) return;
    this._pairs = [...this._pairs, emptyPair()];
    this._active = this._pairs.length - 1;
    this._changed();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLTextAreaElement>(`[data-pair="${this._active}"] textarea.question`)?.focus());
  }

  removePair(i: number): void {
    this._pairs = this._pairs.filter((_, j) => j !== i);
    if (!this._pairs.length) this._pairs = [emptyPair()];
    this._active = Math.min(this._active, this._pairs.length - 1);
    this._changed();
  }

  /** Adds [start, end) in UTF-16 offsets of the passage to the active pair's references. */
  addReference(start: number, end: number): void {
    const i = this._active;
    const pair = this._pairs[i];
    if (!pair) return;
    const next = addReference(this.text, pair, start, end);
    if (next === pair) return;
    this._pairs = this._pairs.map((p, j) => (j === i ? next : p));
    this._changed();
  }

  /** Adds the passage text typed in the quote box (the keyboard's way to a reference). */
  addQuote(i: number, input: HTMLInputElement): void {
    const pair = this._pairs[i];
    if (!pair) return;
    const found = findQuote(this.text, input.value, pair.references);
    if (!found) {
      this._quoteError = input.value.trim() ? "The passage does not contain that text." : null;
      return;
    }
    this._quoteError = null;
    this._active = i;
    this.addReference(found.start, found.end);
    input.value = "";
  }

  private _update(i: number, patch: Partial<QaPair>): void {
    this._pairs = this._pairs.map((p, j) => (j === i ? { ...p, ...patch } : p));
    this._changed();
  }

  private _changed(): void {
    if (this._error) this.validateField();
    this.dispatchEvent(new CustomEvent(FIELD_CHANGE, { bubbles: true, composed: true, detail: { name: this.fieldName, value: this.fieldValue } }));
  }

  /** The selection inside the passage as UTF-16 offsets, from the `data-start` of the runs it touches. */
  private _onPassageMouseUp(): void {
    const root = this.renderRoot as ShadowRoot & { getSelection?: () => Selection | null };
    const sel = root.getSelection?.() ?? document.getSelection();
    if (!sel || sel.isCollapsed || !sel.anchorNode || !sel.focusNode) return;
    const at = (node: Node, offset: number): number | null => {
      const el = node.nodeType === Node.TEXT_NODE ? node.parentElement : (node as Element);
      const run = el?.closest?.("[data-start]");
      if (!run || !this.renderRoot.contains(run)) return null;
      const base = Number(run.getAttribute("data-start"));
      return node.nodeType === Node.TEXT_NODE ? base + offset : base;
    };
    const a = at(sel.anchorNode, sel.anchorOffset);
    const b = at(sel.focusNode, sel.focusOffset);
    if (a === null || b === null || a === b) return;
    this.addReference(Math.min(a, b), Math.max(a, b));
    sel.removeAllRanges();
  }

  // ---- rendering -----------------------------------------------------------------------------

  private _guidanceBox(): TemplateResult | typeof nothing {
    const g = this._guidance;
    const bounds: string[] = [];
    if (g.maxQuestions !== null) bounds.push(`${g.minQuestions}–${g.maxQuestions} questions`);
    else bounds.push(`at least ${g.minQuestions} question${g.minQuestions === 1 ? "" : "s"}`);
    if (g.requireReferences) bounds.push("highlight the supporting passage for each answer");
    if (g.forbiddenPhrases.length) bounds.push(`avoid: ${g.forbiddenPhrases.map((p) => `“${p}”`).join(", ")}`);
    return html`<div class="guidance" part="guidance">
      ${g.instructions ? html`<p>${g.instructions}</p>` : nothing}
      <p class="bounds">${bounds.join(" · ")}</p>
    </div>`;
  }

  private _passage(): TemplateResult {
    const active = this._pairs[this._active];
    const runs = passageRuns(this.text, active?.references ?? []);
    return html`<div class="passage" part="passage" aria-label="Passage: select text to add it as a reference"
      @mouseup=${() => this._onPassageMouseUp()}>${runs.map((r) =>
        r.marked
          ? html`<mark data-start=${r.start}>${this.text.slice(r.start, r.end)}</mark>`
          : html`<span data-start=${r.start}>${this.text.slice(r.start, r.end)}</span>`,
      )}</div>`;
  }

  private _pair(p: QaPair, i: number): TemplateResult {
    const g = this._guidance;
    const active = i === this._active;
    return html`<section class="pair ${active ? "active" : ""}" data-pair=${i} @focusin=${() => (this._active = i)}
      @click=${() => (this._active = i)} aria-label="Question ${i + 1}">
      <div class="pair-head"><strong>Question ${i + 1}</strong>${active ? html`<span class="hint">select passage text to add a reference</span>` : nothing}
        <button type="button" class="remove" aria-label="Remove question ${i + 1}" @click=${(e: Event) => { e.stopPropagation(); this.removePair(i); }}>Remove</button></div>
      <label class="field" for="q${i}">Question</label>
      <textarea id="q${i}" class="question" rows="2" .value=${p.question}
        @input=${(e: Event) => this._update(i, { question: (e.target as HTMLTextAreaElement).value })}></textarea>
      <div class="counter ${outOfBudget(p.question, g.questionMinWords, g.questionMaxWords) ? "over" : ""}">${wordBudget(p.question, g.questionMinWords, g.questionMaxWords)}</div>
      <label class="field" for="a${i}">Answer</label>
      <textarea id="a${i}" class="answer" rows="3" .value=${p.answer}
        @input=${(e: Event) => this._update(i, { answer: (e.target as HTMLTextAreaElement).value })}></textarea>
      <div class="counter ${outOfBudget(p.answer, g.answerMinWords, g.answerMaxWords) ? "over" : ""}">${wordBudget(p.answer, g.answerMinWords, g.answerMaxWords)}</div>
      ${this._tags.length
        ? html`<div class="tags" role="group" aria-label="Tags">${this._tags.map((t) => {
            const on = p.tags.includes(t);
            return html`<button type="button" class="tag" aria-pressed=${on ? "true" : "false"}
              @click=${() => this._update(i, { tags: on ? p.tags.filter((x) => x !== t) : [...p.tags, t] })}>${t}</button>`;
          })}</div>`
        : nothing}
      ${active
        ? html`<div class="quote"><input type="text" aria-label="Quote the passage to add a reference" placeholder="…or type a quote from the passage and press Enter"
            @keydown=${(e: KeyboardEvent) => {
              if (e.key !== "Enter") return;
              e.preventDefault();
              e.stopPropagation();
              this.addQuote(i, e.target as HTMLInputElement);
            }} />${this._quoteError ? html`<span class="quote-error" role="status">${this._quoteError}</span>` : nothing}</div>`
        : nothing}
      <div class="refs" aria-label="References">
        ${p.references.length ? nothing : html`<span class="none">No reference highlighted yet.</span>`}
        ${p.references.map((r, k) => html`<span class="ref">“${this.text.slice(r.start, r.end)}”
          <button type="button" aria-label="Remove reference ${k + 1}" @click=${(e: Event) => {
            e.stopPropagation();
            this._update(i, { references: p.references.filter((_, j) => j !== k) });
          }}>×</button></span>`)}
      </div>
    </section>`;
  }

  override render(): TemplateResult {
    const max = this._guidance.maxQuestions;
    const full = max !== null && this._pairs.length >= max;
    return html`
      ${this.header ? html`<h2 class="header">${this.header}</h2>` : nothing}
      <slot></slot>
      ${this._guidanceBox()}
      <div class="layout">
        ${this._passage()}
        <div class="pairs">
          ${this._pairs.map((p, i) => this._pair(p, i))}
          <button type="button" class="primary add" ?disabled=${full} @click=${() => this.addPair()}>Add question</button>
          ${this._error ? html`<div class="error" role="alert">${this._error}</div>` : nothing}
        </div>
      </div>
    `;
  }
}
