import { LitElement, css, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import { isTypingTarget, type HotkeyAction } from "../../lib/hotkeys";
import type { JsonValue } from "../../lib/json";
import { NO_GUIDANCE, parseGuidance, type Guidance } from "../demonstration/guidance";
import { demonstrationStyles } from "../demonstration/styles";
import { captionCounter, captionGuidance } from "../image-caption/lw-image-caption";
import { FIELD_CHANGE, type LwField } from "../shared/field";
import { tokens } from "../shared/tokens";
import { captionsProblem, formatTime, fromOutput, nextCaption, setTime, toOutput, type Caption } from "./captions-model";

/**
 * `<lw-video-caption name src header guidance initial-value>`: a video player and captions for time
 * ranges (starting from `initial-value`'s captions, a model's draft, when given).
 * The worker plays the video and marks each caption's start and end at the player's current time
 * (the buttons, or `[` and `]` — Alt+[ / Alt+] inside a text box; `N` adds a caption); clicking a
 * caption's time seeks there. Output `{[name]: {captions: [{start, end, text}]}}` in seconds,
 * sorted (docs/task-types/video-captioning.md).
 */
export class LwVideoCaption extends LitElement implements LwField {
  static override properties: PropertyDeclarations = {
    name: { type: String, reflect: true },
    src: { type: String },
    header: { type: String },
    guidance: { type: String },
    initialValue: { attribute: "initial-value" },
    _captions: { state: true },
    _active: { state: true },
    _error: { state: true },
    _now: { state: true },
    _duration: { state: true },
  };

  static override styles = [
    tokens,
    demonstrationStyles,
    css`
      video {
        width: 100%;
        max-height: min(55vh, 420px);
        background: #000;
        border-radius: var(--_radius);
        display: block;
      }
      .clock {
        font-family: var(--_mono);
        font-size: 0.85rem;
        color: var(--_muted);
        margin: 0.3rem 0 0.6rem;
      }
      .caption {
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        padding: 0.45rem 0.7rem;
        margin-bottom: 0.5rem;
      }
      .caption.active {
        border-color: var(--_accent);
        box-shadow: 0 0 0 1px var(--_accent);
      }
      .range {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
        margin-bottom: 0.3rem;
        font-size: 0.88rem;
      }
      .time {
        font-family: var(--_mono);
        border: none;
        background: var(--_subtle);
      }
      .range .remove {
        margin-left: auto;
      }
      kbd {
        font-family: var(--_mono);
        font-size: 0.75rem;
        border: 1px solid var(--_border-strong);
        border-radius: 3px;
        padding: 0 0.25rem;
      }
    `,
  ];

  declare name: string;
  declare src: string;
  declare header: string;
  declare guidance: string | null;
  declare initialValue: string | null;
  declare private _captions: Caption[];
  declare private _active: number;
  declare private _error: string | null;
  declare private _now: number;
  declare private _duration: number | null;

  readonly lwField = true as const;
  private _guidance: Guidance = { ...NO_GUIDANCE };
  private readonly _onKey = (e: KeyboardEvent): void => this._key(e);
  /** A draft came back: the initial value (a model's captions) no longer applies. */
  private _restored = false;

  constructor() {
    super();
    this.name = "";
    this.src = "";
    this.header = "";
    this.guidance = null;
    this.initialValue = null;
    this._captions = [{ start: 0, end: null, text: "" }];
    this._active = 0;
    this._error = null;
    this._now = 0;
    this._duration = null;
  }

  get fieldName(): string {
    return this.name || "captions";
  }

  get fieldValue(): JsonValue | null {
    return toOutput(this._captions) as unknown as JsonValue;
  }

  restoreFieldValue(value: JsonValue | undefined): void {
    const c = fromOutput(value);
    this._captions = c.length ? c : [{ start: 0, end: null, text: "" }];
    this._active = 0;
    this._restored = true;
    this._error = null;
  }

  validateField(): string | null {
    const p = captionsProblem(this._captions, this._guidance, this._duration);
    this._error = p ? p.message : null;
    if (p && p.caption >= 0) this._active = p.caption;
    return this._error;
  }

  applyHotkey(_action: HotkeyAction): boolean {
    return false;
  }

  /** Digits are typed into the text boxes: the form footer offers no "1–9 choose". */
  readonly takesDigitKeys = false;

  /** The captions (tests). */
  get captions(): readonly Caption[] {
    return this._captions;
  }

  get video(): HTMLVideoElement | null {
    return this.renderRoot.querySelector("video");
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("keydown", this._onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("keydown", this._onKey);
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("guidance")) this._guidance = parseGuidance(this.guidance);
    if (changed.has("initialValue") && this.initialValue && !this._restored) {
      try {
        const c = fromOutput(JSON.parse(this.initialValue));
        if (c.length) this._captions = c;
      } catch {
        // a malformed pre-annotation leaves one empty caption
      }
    }
  }

  /** Marks the active caption's start or end at the player's current time. */
  mark(which: "start" | "end"): void {
    const t = this.video?.currentTime ?? this._now;
    const i = this._active;
    if (!this._captions[i]) return;
    this._captions = this._captions.map((c, j) => (j === i ? setTime(c, which, t, this._duration) : c));
    this._changed();
  }

  addCaption(): void {
    if (this._guidance.maxCaptions !== null && this._captions.length >= this._guidance.maxCaptions) return;
    this._captions = [...this._captions, nextCaption(this._captions, this.video?.currentTime ?? this._now)];
    this._active = this._captions.length - 1;
    this._changed();
  }

  removeCaption(i: number): void {
    this._captions = this._captions.filter((_, j) => j !== i);
    if (!this._captions.length) this._captions = [{ start: 0, end: null, text: "" }];
    this._active = Math.min(this._active, this._captions.length - 1);
    this._changed();
  }

  private _seek(t: number | null): void {
    const v = this.video;
    if (v && t !== null) v.currentTime = t;
  }

  private _key(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey) return;
    const path = e.composedPath();
    if (!path.includes(this)) {
      // keys typed elsewhere on the page (another field) are not ours, unless nothing has focus
      const active = document.activeElement;
      if (active && active !== document.body) return;
    }
    const typing = isTypingTarget(path[0] as Element | null);
    if (typing && !e.altKey) return;
    if (e.code === "BracketLeft" || e.key === "[") this.mark("start");
    else if (e.code === "BracketRight" || e.key === "]") this.mark("end");
    else if (!typing && (e.key === "n" || e.key === "N")) this.addCaption();
    else return;
    e.preventDefault();
  }

  private _changed(): void {
    if (this._error) this.validateField();
    this.dispatchEvent(new CustomEvent(FIELD_CHANGE, { bubbles: true, composed: true, detail: { name: this.fieldName, value: this.fieldValue } }));
  }

  private _caption(c: Caption, i: number): TemplateResult {
    return html`<div class="caption ${i === this._active ? "active" : ""}" data-caption=${i} @focusin=${() => (this._active = i)} @click=${() => (this._active = i)}>
      <div class="range">
        <strong>${i + 1}</strong>
        <button type="button" class="time" title="Seek to the start" @click=${() => this._seek(c.start)}>${formatTime(c.start)}</button>–
        <button type="button" class="time" title="Seek to the end" @click=${() => this._seek(c.end)}>${formatTime(c.end)}</button>
        <button type="button" class="set-start" @click=${(e: Event) => { e.stopPropagation(); this._active = i; this.mark("start"); }}>Set start at current time</button>
        <button type="button" class="set-end" @click=${(e: Event) => { e.stopPropagation(); this._active = i; this.mark("end"); }}>Set end at current time</button>
        <button type="button" class="remove" aria-label="Remove caption ${i + 1}" @click=${(e: Event) => { e.stopPropagation(); this.removeCaption(i); }}>Remove</button>
      </div>
      <textarea rows="2" aria-label="Caption ${i + 1}" .value=${c.text} @input=${(e: Event) => {
        this._captions = this._captions.map((x, j) => (j === i ? { ...x, text: (e.target as HTMLTextAreaElement).value } : x));
        this._changed();
      }}></textarea>
      ${captionCounter(c.text, this._guidance)}
    </div>`;
  }

  override render(): TemplateResult {
    const max = this._guidance.maxCaptions;
    return html`
      ${this.header ? html`<h2 class="header">${this.header}</h2>` : nothing}
      <slot></slot>
      ${captionGuidance(this._guidance)}
      <video controls preload="metadata" src=${this.src}
        @timeupdate=${(e: Event) => (this._now = (e.target as HTMLVideoElement).currentTime)}
        @seeked=${(e: Event) => (this._now = (e.target as HTMLVideoElement).currentTime)}
        @loadedmetadata=${(e: Event) => {
          const d = (e.target as HTMLVideoElement).duration;
          this._duration = Number.isFinite(d) ? d : null;
        }}></video>
      <div class="clock">${formatTime(this._now)} / ${formatTime(this._duration)} · <kbd>[</kbd> start · <kbd>]</kbd> end · <kbd>N</kbd> new caption (Alt+[ / Alt+] while typing)</div>
      ${this._captions.map((c, i) => this._caption(c, i))}
      <button type="button" class="primary add" ?disabled=${max !== null && this._captions.length >= max} @click=${() => this.addCaption()}>Add caption</button>
      ${this._error ? html`<div class="error" role="alert">${this._error}</div>` : nothing}
    `;
  }
}
