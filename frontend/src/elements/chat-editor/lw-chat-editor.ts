import { LitElement, css, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import type { HotkeyAction } from "../../lib/hotkeys";
import type { JsonValue } from "../../lib/json";
import { NO_GUIDANCE, outOfBudget, parseGuidance, wordBudget, type Guidance } from "../demonstration/guidance";
import { demonstrationStyles } from "../demonstration/styles";
import { FIELD_CHANGE, type LwField } from "../shared/field";
import { tokens } from "../shared/tokens";
import { generate, generateConnected, listModels, type ModelInfo } from "../../lib/generate-client";
import { ChatDrafter } from "./chat-draft";
import { addExchange, canDraft, chatProblem, draftEdited, initialTurns, isEdited, parseMessages, removeAdded, restoreTurns, toOutput, wordDiff, type Role, type Turn } from "./chat-model";

const ROLE_NAMES: Record<Role, string> = { system: "System", user: "User", assistant: "Assistant" };

/**
 * `<lw-chat-editor name messages header guidance>`: a multi-turn chat (`messages`: the item's
 * `[{role, content}]`) in which the worker corrects assistant turns (an edit box per turn, the
 * original kept and shown beside an edit) and writes the next assistant reply when the user spoke
 * last; with the guidance's `allowNewTurns` they may add user/assistant exchanges. Output
 * `{[name]: {messages: [{role, content, edited?, original?, added?, source?}]}}`
 * (docs/task-types/chat-demonstration.md).
 *
 * "Draft with model" (Alt+G) streams a reply from one of the project's model connections into a
 * reply the worker writes (the `model` attribute names one; else a select when there are several;
 * nothing when there are none), with Stop (Esc) and Undo (Alt+U); the turn's `source` records the
 * model, its generation and whether the worker changed the draft (chat-draft.ts). A model this
 * worker may not use (their role, a used-up token budget: the list says so) keeps the button but
 * disables it, its tooltip saying why.
 */
export class LwChatEditor extends LitElement implements LwField {
  static override properties: PropertyDeclarations = {
    name: { type: String, reflect: true },
    messages: { type: String },
    header: { type: String },
    guidance: { type: String },
    model: { type: String },
    _turns: { state: true },
    _models: { state: true },
    _model: { state: true },
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
      .badge.model {
        background: var(--_subtle);
        color: var(--_muted);
        border-color: var(--_border);
      }
      .badge.streaming {
        animation: pulse 1.2s ease-in-out infinite;
      }
      @keyframes pulse {
        50% {
          opacity: 0.45;
        }
      }
      .draft-error {
        color: var(--_danger);
        font-size: 0.85rem;
        margin-top: 0.2rem;
      }
      select.model-choice {
        font: inherit;
        font-size: 0.88rem;
        border: 1px solid var(--_border-strong);
        background: var(--_surface);
        color: var(--_fg);
        border-radius: 6px;
        padding: 0.2rem 0.35rem;
      }
      textarea[readonly] {
        background: var(--_subtle);
      }
      kbd {
        font-size: 0.7rem;
        color: var(--_muted);
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
  /** The model connection (its name) that drafts replies; unset: the project's only one, or a select. */
  declare model: string | null;
  declare private _turns: Turn[];
  declare private _models: ModelInfo[];
  declare private _model: string;
  declare private _error: string | null;
  declare private _problemTurn: number;

  readonly lwField = true as const;
  private _guidance: Guidance = { ...NO_GUIDANCE };
  private _base: { role: Role; content: string }[] = [];
  private _draft: JsonValue | undefined = undefined;
  private readonly _drafter = new ChatDrafter(
    async (model, messages, onChunk, signal) => {
      const r = await generate(model, messages, { onChunk, signal });
      return { generationId: r.generationId, text: r.text };
    },
    {
      turns: () => this._turns,
      setTurns: (turns) => {
        this._turns = turns;
        this._changed();
      },
      refresh: () => this.requestUpdate(),
    },
  );

  constructor() {
    super();
    this.name = "";
    this.messages = null;
    this.header = "";
    this.guidance = null;
    this.model = null;
    this._turns = [];
    this._models = [];
    this._model = "";
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
    this._drafter.forget();
    this._draft = value;
    this._turns = restoreTurns(this._base, value);
    this._error = null;
    this._problemTurn = -1;
  }

  validateField(): string | null {
    if (this._drafter.streaming) {
      this._error = "The model is still drafting: wait for it, or press Stop.";
      this._problemTurn = this._drafter.streaming.turn;
      return this._error;
    }
    const p = chatProblem(this._turns, this._guidance);
    this._error = p ? p.message : null;
    this._problemTurn = p ? p.turn : -1;
    return this._error;
  }

  applyHotkey(_action: HotkeyAction): boolean {
    return false;
  }

  /** Digits are typed into the text boxes: the form footer offers no "1–9 choose". */
  readonly takesDigitKeys = false;

  /** The turns (tests). */
  get turns(): readonly Turn[] {
    return this._turns;
  }

  /** The models a reply can be drafted with: the project's connections, or only the `model` attribute's. */
  get draftModels(): readonly ModelInfo[] {
    return this.model ? this._models.filter((m) => m.name === this.model) : this._models;
  }

  protected override firstUpdated(): void {
    // the frame's bootstrap connects the generate channel after the elements are defined
    setTimeout(() => void this._loadModels(), 0);
  }

  private async _loadModels(): Promise<void> {
    if (!generateConnected()) return;
    try {
      this._models = await listModels();
    } catch {
      this._models = []; // no list, no drafting: the worker writes the reply
    }
    // keep the worker's pick while it is usable; else the first one they may use, else the first
    const usable = this.draftModels.filter((m) => m.mayGenerate);
    if (!usable.some((m) => m.name === this._model)) this._model = (usable[0] ?? this.draftModels[0])?.name ?? "";
  }

  /** Why the chosen model may not draft for this worker (their role, a used-up budget), or null. */
  private get _refusal(): string | null {
    return this.draftModels.find((m) => m.name === this._model)?.refusal ?? null;
  }

  /** Streams the chosen model's reply into turn `i` (a reply the worker writes). */
  async draftTurn(i: number): Promise<void> {
    if (!this._model || this._drafter.streaming) return;
    const refusal = this._refusal;
    if (refusal) {
      this._drafter.error = { turn: i, message: refusal };
      this.requestUpdate();
      return;
    }
    const run = this._drafter.draft(i, this._model);
    this.requestUpdate();
    await run;
    this.requestUpdate();
    void this._loadModels(); // a budget this draft used up disables the button before the next press
    // the worker edits the draft next, unless they went on typing somewhere else meanwhile
    const active = this.shadowRoot?.activeElement;
    if (!this._drafter.error && (!active || active.closest(`[data-turn="${i}"]`))) await this._focusTurn(i);
  }

  stopDraft(): void {
    this._drafter.stop();
  }

  undoDraft(i: number): void {
    this._drafter.undo(i);
    void this._focusTurn(i);
  }

  private async _focusTurn(i: number): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLTextAreaElement>(`[data-turn="${i}"] textarea`)?.focus();
  }

  /** Alt+G drafts the focused reply (or the last one a model may draft), or stops a streaming draft; Esc stops; Alt+U undoes. */
  private _onKey(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.isComposing) return;
    const streaming = this._drafter.streaming;
    if (e.key === "Escape" && streaming && !e.altKey) {
      this.stopDraft();
      e.preventDefault();
      return;
    }
    if (!e.altKey || (e.code !== "KeyG" && e.code !== "KeyU") || !this.draftModels.length) return;
    e.preventDefault();
    const el = e.composedPath().find((t): t is HTMLElement => t instanceof HTMLElement && t.dataset.turn !== undefined);
    const focused = el ? Number(el.dataset.turn) : -1;
    const last = this._turns.reduce((at, t, j) => (canDraft(t) ? j : at), -1);
    const turn = canDraft(this._turns[focused]) ? focused : last;
    if (e.code === "KeyU") this.undoDraft(streaming ? streaming.turn : turn);
    else if (streaming) this.stopDraft();
    else if (turn >= 0) void this.draftTurn(turn);
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
    this._drafter.forget();
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
    const streamingHere = this._drafter.streaming?.turn === i;
    return html`<div class="turn ${t.role} ${i === this._problemTurn ? "problem" : ""}" data-turn=${i}>
      <div class="who">${ROLE_NAMES[t.role]} ${edited ? html`<span class="badge">edited</span>` : nothing}
        ${t.original === null ? html`<span class="badge">new</span>` : nothing}
        ${streamingHere ? html`<span class="badge model streaming" data-testid="drafting">${this._drafter.streaming?.model} is drafting…</span>`
          : t.source ? html`<span class="badge model" data-testid="drafted" title=${t.source.generationId !== null ? `generation ${t.source.generationId}` : "the reply did not finish"}>drafted by ${t.source.model}${t.source.stopped ? " (stopped)" : ""}${draftEdited(t) ? ", edited" : ""}</span>` : nothing}
        <span class="actions">
          ${edited ? html`<button type="button" @click=${() => this.setTurn(i, t.original ?? "")}>Revert</button>` : nothing}
          ${this._draftActions(t, i)}
          ${t.original === null && i > this._base.length ? html`<button type="button" aria-label="Remove turn ${i + 1}" @click=${() => {
            this._drafter.forget();
            this._turns = removeAdded(this._turns, i);
            this._changed();
          }}>Remove</button>` : nothing}
        </span>
      </div>
      ${editable
        ? html`<textarea rows=${Math.min(12, Math.max(2, Math.ceil(t.content.length / 80) + 1))} aria-label="${ROLE_NAMES[t.role]} turn ${i + 1}"
            placeholder=${t.role === "assistant" ? "Write the assistant's reply" : "Write the user's message"} .value=${t.content}
            ?readonly=${streamingHere} aria-busy=${streamingHere ? "true" : "false"}
            @input=${(e: Event) => this.setTurn(i, (e.target as HTMLTextAreaElement).value)}></textarea>
          ${checked || t.role === "assistant" ? html`<div class="counter ${checked && !streamingHere && outOfBudget(t.content, g.minWords, g.maxWords) ? "over" : ""}">${wordBudget(t.content, g.minWords, g.maxWords)}</div>` : nothing}
          ${this._drafter.error?.turn === i ? html`<div class="draft-error" role="alert">The model could not draft this reply: ${this._drafter.error.message}</div>` : nothing}
          ${edited ? html`<div class="original" aria-label="Changes against the original">Changes: ${wordDiff(t.original ?? "", t.content).map((part) =>
            part.kind === "same" ? part.text : part.kind === "removed" ? html`<del>${part.text}</del>` : html`<ins>${part.text}</ins>`)}</div>` : nothing}`
        : html`<div class="text">${t.content}</div>`}
    </div>`;
  }

  /** Draft / Stop / Undo on a reply the worker writes, when the project has a model connected. */
  private _draftActions(t: Turn, i: number): TemplateResult | typeof nothing {
    const models = this.draftModels;
    if (!canDraft(t) || !models.length) return nothing;
    const streaming = this._drafter.streaming;
    if (streaming?.turn === i) {
      return html`<button type="button" data-testid="stop-draft" @click=${() => this.stopDraft()}>Stop <kbd>Esc</kbd></button>
        <button type="button" data-testid="undo-draft" @click=${() => this.undoDraft(i)}>Undo draft <kbd>Alt+U</kbd></button>`;
    }
    const refusal = this._refusal;
    const problem = refusal ?? this._drafter.problem(i);
    const why = refusal ? `You cannot draft with ${this._model}: ${refusal}` : problem;
    // the title sits on a wrapper too: a disabled button gets no pointer events, so no tooltip, in some browsers
    return html`${models.length > 1 ? html`<select class="model-choice" aria-label="Model to draft with" .value=${this._model} ?disabled=${!!streaming}
        @change=${(e: Event) => (this._model = (e.target as HTMLSelectElement).value)}>
        ${models.map((m) => html`<option value=${m.name} ?selected=${m.name === this._model} title=${m.refusal ?? nothing}>${m.name}${m.mayGenerate ? "" : " (not for you now)"}</option>`)}</select>` : nothing}
      <span class="draft-wrap" title=${why ?? `Ask ${this._model} for a draft of this reply (Alt+G)`}><button type="button" data-testid="draft" ?disabled=${!!problem}
        title=${why ?? `Ask ${this._model} for a draft of this reply (Alt+G)`} data-refused=${refusal ? "true" : nothing}
        @click=${() => void this.draftTurn(i)}>Draft with ${models.length > 1 ? "model" : this._model} <kbd>Alt+G</kbd></button></span>
      ${this._drafter.canUndo(i) ? html`<button type="button" data-testid="undo-draft" title="Back to the text before the draft (Alt+U)" @click=${() => this.undoDraft(i)}>Undo draft <kbd>Alt+U</kbd></button>` : nothing}`;
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
      <div class="conversation" role="list" @keydown=${(e: KeyboardEvent) => this._onKey(e)}>${this._turns.map((t, i) => this._turn(t, i))}</div>
      ${g.allowNewTurns ? html`<button type="button" class="add" @click=${() => this.addExchange()}>Add a user turn and reply</button>` : nothing}
      ${this._error ? html`<div class="error" role="alert">${this._error}</div>` : nothing}
    `;
  }
}
