import { LitElement, css, html, nothing, type PropertyDeclarations, type TemplateResult } from "lit";
import type { HotkeyAction } from "../../lib/hotkeys";
import type { JsonObject } from "../../lib/json";
import { tokens } from "../shared/tokens";
import { FORM_CHANGE, FORM_INVALID, FORM_SUBMIT, TaskForm } from "./task-form";

/** How long the Submit button stays disabled after a submit, against double submits. */
const BUSY_MS = 2000;

/**
 * `<lw-form>` (`<crowd-form>`): wraps the task and renders the Submit and Skip buttons.
 * Fires `lw-form-change`, `lw-form-submit` and `lw-form-skip` with `detail.value`; the frame
 * bootstrap turns them into `lw:change`, `lw:submit` and `lw:skip` messages to the host.
 */
export class LwForm extends LitElement {
  static override properties: PropertyDeclarations = {
    noSkip: { type: Boolean, attribute: "no-skip" },
    submitLabel: { type: String, attribute: "submit-label" },
    _busy: { state: true },
    _invalid: { state: true },
    _digits: { state: true },
  };

  /** Hide the Skip button (S still skips: the host offers it too). */
  declare noSkip: boolean;
  declare submitLabel: string;
  declare private _busy: boolean;
  declare private _invalid: number;
  /** Whether some field takes digit hotkeys (the footer then offers "1–9 choose"). */
  declare private _digits: boolean;

  readonly taskForm: TaskForm;
  private _busyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.noSkip = false;
    this.submitLabel = "Submit";
    this._busy = false;
    this._invalid = 0;
    this._digits = true;
    this.taskForm = new TaskForm(this);
    this.addEventListener(FORM_INVALID, (e) => {
      this._invalid = (e as CustomEvent<{ invalid: number }>).detail.invalid;
    });
    this.addEventListener(FORM_CHANGE, () => {
      if (this._invalid) this._invalid = this.taskForm.fields().filter((f) => f.validateField() !== null).length;
    });
    this.addEventListener(FORM_SUBMIT, () => {
      this._busy = true;
      clearTimeout(this._busyTimer);
      this._busyTimer = setTimeout(() => (this._busy = false), BUSY_MS);
    });
  }

  get value(): JsonObject {
    return this.taskForm.value();
  }

  restore(draft: JsonObject | null): void {
    this.taskForm.restore(draft);
  }

  submit(): boolean {
    return this._busy ? false : this.taskForm.submit();
  }

  skip(): void {
    this.taskForm.skip();
  }

  applyHotkey(action: HotkeyAction): boolean {
    return action.kind === "submit" ? this.submit() : this.taskForm.applyHotkey(action);
  }

  /** Re-reads which fields take digits when the slotted content changes (elements upgrade late). */
  private _onSlotChange(): void {
    const fields = this.taskForm.fields();
    this._digits = fields.length === 0 || fields.some((f) => f.takesDigitKeys !== false);
  }

  override render(): TemplateResult {
    return html`<div class="content" part="content"><slot @slotchange=${() => this._onSlotChange()}></slot></div>
      <footer class="actions" part="actions">
        <p class="hint" aria-hidden="true">
          ${this._digits ? html`<span><kbd>1</kbd>–<kbd>9</kbd> choose</span>` : nothing}
          <span><kbd>Enter</kbd> submit</span>
          <span><kbd>S</kbd> skip</span>
        </p>
        ${this._invalid
          ? html`<p class="invalid" role="status">
              ${this._invalid === 1 ? "One question needs an answer." : `${this._invalid} questions need an answer.`}
            </p>`
          : nothing}
        <div class="buttons">
          ${this.noSkip
            ? nothing
            : html`<button type="button" class="btn secondary" part="skip-button" @click=${() => this.skip()}>
                Skip
              </button>`}
          <button
            type="button"
            class="btn primary"
            part="submit-button"
            ?disabled=${this._busy}
            @click=${() => this.submit()}
          >
            ${this._busy ? "Submitting…" : this.submitLabel}
          </button>
        </div>
      </footer>`;
  }

  static override styles = [
    tokens,
    css`
      :host {
        display: block;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.75rem 1rem;
        margin-top: 0.5rem;
        padding-top: 1rem;
        border-top: 1px solid var(--_border);
      }
      .hint {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem 1rem;
        margin: 0;
        color: var(--_muted);
        font-size: 0.8rem;
      }
      .hint span {
        display: inline-flex;
        align-items: center;
        gap: 0.25rem;
      }
      .invalid {
        margin: 0;
        color: var(--_danger);
        font-size: 0.875rem;
        font-weight: 500;
      }
      .buttons {
        display: flex;
        gap: 0.5rem;
        margin-left: auto;
      }
      .btn {
        min-height: 2.5rem;
        padding: 0 1.1rem;
        border: 1px solid transparent;
        border-radius: var(--_radius);
        font: inherit;
        font-size: 0.95rem;
        font-weight: 600;
        cursor: pointer;
        transition: background-color 0.12s, border-color 0.12s;
      }
      .btn:focus-visible {
        outline: 2px solid var(--_accent);
        outline-offset: 2px;
      }
      .primary {
        min-width: 7.5rem;
        background: var(--_accent);
        color: var(--_accent-fg);
      }
      .primary:hover:not(:disabled) {
        background: color-mix(in srgb, var(--_accent) 88%, black);
      }
      .primary:disabled {
        opacity: 0.65;
        cursor: progress;
      }
      .secondary {
        border-color: var(--_border);
        background: var(--_surface);
        color: var(--_fg);
      }
      .secondary:hover {
        border-color: var(--_border-strong);
        background: var(--_subtle);
      }
    `,
  ];
}
