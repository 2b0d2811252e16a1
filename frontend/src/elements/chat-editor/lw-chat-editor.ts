import { LitElement, css, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import type { HotkeyAction } from "../../lib/hotkeys";
import type { JsonValue } from "../../lib/json";
import { NO_GUIDANCE, outOfBudget, parseGuidance, wordBudget, type Guidance } from "../demonstration/guidance";
import { demonstrationStyles } from "../demonstration/styles";
import { FIELD_CHANGE, type LwField } from "../shared/field";
import { tokens } from "../shared/tokens";
import { addExchange, chatProblem, initialTurns, isEdited, parseMessages, removeAdded, restoreTurns, toOutput, wordDiff, type Role, type Turn } from "./chat-model";

const ROLE_NAMES: Record<Role, string> = { system: "System", user: "User", assistant: "Assistant" };

/**
 * `<lw-chat-editor name messages header guidance>`: a multi-turn chat (`messages`: the item's
 * `[{role, content}]`) in which the worker corrects assistant turns (an edit box per turn, the
 * original kept and shown beside an edit) and writes the next assistant reply when the user spoke
 * last; with the guidance's `allowNewTurns` they may add user/assistant exchanges. Output
 * `{[name]: {messages: [{role, content, edited?, original?, added?}]}}`
 * (docs/task-types/chat-demonstration.md). Asking a connected model for a draft reply is not here yet.
 */
export class LwChatEditor extends LitElement implements LwField {
  static override properties: PropertyDeclarations = {
    name: { type: String, reflect: true },
    messages: { type: String },
    header: { type: String },
    guidance: { type: String },
    _turns: { state: true },
    _error: { state: true },
    _problemTurn: { state: true },
  };

  static override styles = [
    tokens,
    demonstrationStyles,
    css`
      .turn {
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        padding: 0.45rem 0.7rem;
        margin-bottom: 0.55rem;
        background: var(--_surface);
      }
      .turn.user {
        background: var(--_subtle);
        margin-right: 4rem;
      }
      .turn.system {
        border-style: dashed;
        color: var(--_muted);
      }
      .turn.assistant {
        margin-left: 2rem;
      }
      .turn.problem {
        border-color: var(--_danger);
      }
      .who {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        font-size: 0.8rem;
        font-weight: 600;
        color: var(--_muted);
        margin-bottom: 0.2rem;
      }
      .who .actions {
        margin-left: auto;
        display: flex;
        gap: 0.3rem;
      }
      .badge {
        font-size: 0.72rem;
        border-radius: 999px;
        padding: 0 0.45rem;
        background: var(--_accent-soft);
        color: var(--_accent);
        border: 1px solid var(--_accent);
      }
      .text {
        white-space: pre-wrap;
      }
      .original {
        margin-top: 0.3rem;
        font-size: 0.85rem;
        color: var(--_muted);
      }
      .original {
        white-space: pre-wrap;
      }
      .original del {
        background: var(--_danger-soft);
        color: var(--_danger);
      }
      .original ins {
        background: #e6f4ea;
        color: #1a7f37;
        text-decoration: none;
      }
    `,
  ];

  declare name: string;
  declare messages: string | null;
  declare header: string;
  declare guidance: string | null;
  declare private _turns: Turn[];
  declare private _error: string | null;
  declare private _problemTurn: number;

  readonly lwField = true as const;
  private _guidance: Guidance = { ...NO_GUIDANCE };
  private _base: { role: Role; content: string }[] = [];
  private _draft: JsonValue | undefined = undefined;

  constructor() {
    super();
    this.name = "";
    this.messages = null;
    this.header = "";
    this.guidance = null;
    this._turns = [];
    this._error = null;
    this._problemTurn = -1;
  }

  get fieldName(): string {
    return this.name || "chat";
  }

  get fieldValue(): JsonValue | null {
    return toOutput(this._turns) as unknown as JsonValue;
  }

  restoreFieldValue(value: JsonValue | undefined): void {
    this._draft = value;
    this._turns = restoreTurns(this._base, value);
    this._error = null;
    this._problemTurn = -1;
  }

  validateField(): string | null {
    const p = chatProblem(this._turns, this._guidance);
    this._error = p ? p.message : null;
    this._problemTurn = p ? p.turn : -1;
    return this._error;
  }

  applyHotkey(_action: HotkeyAction): boolean {
    return false;
  }

  /** The turns (tests). */
  get turns(): readonly Turn[] {
    return this._turns;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("guidance")) this._guidance = parseGuidance(this.guidance);
    if (changed.has("messages")) {
      this._base = parseMessages(this.messages);
      this._turns = this._draft !== undefined ? restoreTurns(this._base, this._draft) : initialTurns(this._base);
    }
  }

  setTurn(i: number, content: string): void {
    this._turns = this._turns.map((t, j) => (j === i ? { ...t, content } : t));
    this._changed();
  }

  addExchange(): void {
    if (!this._guidance.allowNewTurns) return;
    this._turns = addExchange(this._turns);
    this._changed();
    const at = this._turns.length - 2;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLTextAreaElement>(`[data-turn="${at}"] textarea`)?.focus());
  }

  private _changed(): void {
    if (this._error) this.validateField();
    this.dispatchEvent(new CustomEvent(FIELD_CHANGE, { bubbles: true, composed: true, detail: { name: this.fieldName, value: this.fieldValue } }));
  }

  private _turn(t: Turn, i: number): TemplateResult {
    const g = this._guidance;
    const editable = t.role === "assistant" || t.original === null;
    const edited = isEdited(t);
    const checked = t.role === "assistant" && (t.original === null || edited);
    return html`<div class="turn ${t.role} ${i === this._problemTurn ? "problem" : ""}" data-turn=${i}>
      <div class="who">${ROLE_NAMES[t.role]} ${edited ? html`<span class="badge">edited</span>` : nothing}
        ${t.original === null ? html`<span class="badge">new</span>` : nothing}
        <span class="actions">
          ${edited ? html`<button type="button" @click=${() => this.setTurn(i, t.original ?? "")}>Revert</button>` : nothing}
          ${t.original === null && i > this._base.length ? html`<button type="button" aria-label="Remove turn ${i + 1}" @click=${() => {
            this._turns = removeAdded(this._turns, i);
            this._changed();
          }}>Remove</button>` : nothing}
        </span>
      </div>
      ${editable
        ? html`<textarea rows=${Math.min(12, Math.max(2, Math.ceil(t.content.length / 80) + 1))} aria-label="${ROLE_NAMES[t.role]} turn ${i + 1}"
            placeholder=${t.role === "assistant" ? "Write the assistant's reply" : "Write the user's message"} .value=${t.content}
            @input=${(e: Event) => this.setTurn(i, (e.target as HTMLTextAreaElement).value)}></textarea>
          ${checked || t.role === "assistant" ? html`<div class="counter ${checked && outOfBudget(t.content, g.minWords, g.maxWords) ? "over" : ""}">${wordBudget(t.content, g.minWords, g.maxWords)}</div>` : nothing}
          ${edited ? html`<div class="original" aria-label="Changes against the original">Changes: ${wordDiff(t.original ?? "", t.content).map((part) =>
            part.kind === "same" ? part.text : part.kind === "removed" ? html`<del>${part.text}</del>` : html`<ins>${part.text}</ins>`)}</div>` : nothing}`
        : html`<div class="text">${t.content}</div>`}
    </div>`;
  }

  override render(): TemplateResult {
    const g = this._guidance;
    const bounds = [
      g.minWords !== null || g.maxWords !== null ? `replies: ${wordBudget("", g.minWords, g.maxWords).replace(/^0 words · /, "")} words` : "",
      g.forbiddenPhrases.length ? `avoid: ${g.forbiddenPhrases.map((p) => `“${p}”`).join(", ")}` : "",
    ].filter(Boolean);
    return html`
      ${this.header ? html`<h2 class="header">${this.header}</h2>` : nothing}
      <slot></slot>
      ${g.instructions || bounds.length ? html`<div class="guidance" part="guidance">${g.instructions ? html`<p>${g.instructions}</p>` : nothing}
        ${bounds.length ? html`<p class="bounds">${bounds.join(" · ")}</p>` : nothing}</div>` : nothing}
      <div class="conversation" role="list">${this._turns.map((t, i) => this._turn(t, i))}</div>
      ${g.allowNewTurns ? html`<button type="button" class="add" @click=${() => this.addExchange()}>Add a user turn and reply</button>` : nothing}
      ${this._error ? html`<div class="error" role="alert">${this._error}</div>` : nothing}
    `;
  }
}
