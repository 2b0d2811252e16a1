import { LitElement, css, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import type { HotkeyAction } from "../../lib/hotkeys";
import type { JsonValue } from "../../lib/json";
import { NO_GUIDANCE, forbiddenIn, outOfBudget, parseGuidance, textProblem, wordBudget, type Guidance } from "../demonstration/guidance";
import { demonstrationStyles } from "../demonstration/styles";
import { FIELD_CHANGE, type LwField } from "../shared/field";
import { tokens } from "../shared/tokens";

/** The guidance box shared by the caption elements: instructions, the word bounds, the phrases to avoid. */
export function captionGuidance(g: Guidance): TemplateResult | typeof nothing {
  const bounds = g.minWords !== null || g.maxWords !== null ? wordBudget("", g.minWords, g.maxWords).replace(/^0 words · /, "") + " words" : "";
  if (!g.instructions && !bounds && !g.forbiddenPhrases.length) return nothing;
  return html`<div class="guidance" part="guidance">
    ${g.instructions ? html`<p>${g.instructions}</p>` : nothing}
    ${bounds ? html`<p class="bounds">Length: ${bounds}</p>` : nothing}
    ${g.forbiddenPhrases.length ? html`<p class="bounds">Do not write: ${g.forbiddenPhrases.map((p) => `“${p}”`).join(", ")}</p>` : nothing}
  </div>`;
}

/** The live line under a caption box: its word count, and the forbidden phrase as soon as it is typed. */
export function captionCounter(text: string, g: Guidance): TemplateResult {
  const bad = forbiddenIn(text, g.forbiddenPhrases);
  return html`<div class="counter ${outOfBudget(text, g.minWords, g.maxWords) || bad ? "over" : ""}">${bad ? `uses “${bad}” · ` : ""}${wordBudget(text, g.minWords, g.maxWords)}</div>`;
}

/**
 * `<lw-image-caption name src header guidance initial-value>`: the image and a caption box
 * (starting from `initial-value`'s caption, a model's draft, when given) held to the project's guidance (instructions shown, min/max words counted live, forbidden phrases flagged as
 * typed). Output `{[name]: {caption}}` (docs/task-types/image-captioning.md).
 */
export class LwImageCaption extends LitElement implements LwField {
  static override properties: PropertyDeclarations = {
    name: { type: String, reflect: true },
    src: { type: String },
    header: { type: String },
    guidance: { type: String },
    initialValue: { attribute: "initial-value" },
    _caption: { state: true },
    _error: { state: true },
  };

  static override styles = [
    tokens,
    demonstrationStyles,
    css`
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 3fr) minmax(16rem, 2fr);
        gap: 1rem;
        align-items: start;
      }
      img {
        max-width: 100%;
        max-height: min(70vh, 560px);
        border-radius: var(--_radius);
        border: 1px solid var(--_border);
        display: block;
      }
    `,
  ];

  declare name: string;
  declare src: string;
  declare header: string;
  declare guidance: string | null;
  declare initialValue: string | null;
  declare private _caption: string;
  declare private _error: string | null;

  readonly lwField = true as const;
  private _guidance: Guidance = { ...NO_GUIDANCE };
  /** A draft came back: the initial value (a model's caption) no longer applies. */
  private _restored = false;

  constructor() {
    super();
    this.name = "";
    this.src = "";
    this.header = "";
    this.guidance = null;
    this.initialValue = null;
    this._caption = "";
    this._error = null;
  }

  get fieldName(): string {
    return this.name || "caption";
  }

  get fieldValue(): JsonValue | null {
    return { caption: this._caption.trim() };
  }

  restoreFieldValue(value: JsonValue | undefined): void {
    const c = (value as { caption?: unknown } | null | undefined)?.caption;
    this._caption = typeof c === "string" ? c : "";
    this._restored = true;
    this._error = null;
  }

  validateField(): string | null {
    const g = this._guidance;
    this._error = textProblem(this._caption, "caption", g.minWords, g.maxWords, g.forbiddenPhrases);
    return this._error;
  }

  applyHotkey(_action: HotkeyAction): boolean {
    return false;
  }

  /** Digits are typed into the text boxes: the form footer offers no "1–9 choose". */
  readonly takesDigitKeys = false;

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("guidance")) this._guidance = parseGuidance(this.guidance);
    if (changed.has("initialValue") && this.initialValue && !this._restored) {
      try {
        const c = (JSON.parse(this.initialValue) as { caption?: unknown } | null)?.caption;
        if (typeof c === "string") this._caption = c;
      } catch {
        // a malformed pre-annotation leaves the box empty
      }
    }
  }

  private _input(e: Event): void {
    this._caption = (e.target as HTMLTextAreaElement).value;
    if (this._error) this.validateField();
    this.dispatchEvent(new CustomEvent(FIELD_CHANGE, { bubbles: true, composed: true, detail: { name: this.fieldName, value: this.fieldValue } }));
  }

  override render(): TemplateResult {
    return html`
      ${this.header ? html`<h2 class="header">${this.header}</h2>` : nothing}
      <slot></slot>
      <div class="layout">
        <img src=${this.src} alt="The image to caption" />
        <div>
          ${captionGuidance(this._guidance)}
          <label class="field" for="caption">Caption</label>
          <textarea id="caption" rows="5" .value=${this._caption} @input=${(e: Event) => this._input(e)}></textarea>
          ${captionCounter(this._caption, this._guidance)}
          ${this._error ? html`<div class="error" role="alert">${this._error}</div>` : nothing}
        </div>
      </div>
    `;
  }
}
