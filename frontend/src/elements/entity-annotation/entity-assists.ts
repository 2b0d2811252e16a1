/**
 * `<lw-entity-annotation>`'s model buttons (docs/assist.md, "Text assists"): "Find entities" runs
 * an assist that answers `span` regions (spacy-ner) on the task's text and adds the proposals the
 * document lacks as ONE undoable step, marked `source: "model"`, `model`, `score` (drawn dashed
 * like pre-labels); "Suggest" runs one that answers `label` regions (suggest-labels) and chooses
 * the best suggested document label, also undoably. Outside the labeling page there are no assists
 * and no buttons. The server reads the text itself: the request carries no parameters.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from "lit";
import { assist, assistAvailable, type AssistInfo } from "../../lib/assist-client";
import type { TextEditor } from "../../text/editor";
import { describeMerge, mergeProposals, topDocumentLabel } from "../../text/proposals";

/** The hotkey of "Find entities" (free in the element's key table, frontend/src/text/README.md). */
export const FIND_KEY = "f";

interface Host extends ReactiveControllerHost {
  readonly editor: TextEditor | null;
}

export interface EntityAssistsOptions {
  /** The element's span labels (proposals with another label are skipped). */
  spanLabels(): readonly string[];
  /** The element's document labels (none: no Suggest button). */
  documentLabels(): readonly string[];
  multiDocumentLabels(): boolean;
}

export class EntityAssists implements ReactiveController {
  private _find: AssistInfo | null = null;
  private _suggest: AssistInfo | null = null;
  private _busy: string | null = null;
  private _note: { text: string; error: boolean } | null = null;

  constructor(
    private readonly host: Host,
    private readonly options: EntityAssistsOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    // after the frame bootstrap installed the channel (it runs just after the elements are defined)
    queueMicrotask(() => void this._load());
  }

  /** The span assist offered ("Find entities"), if any. */
  get findAssist(): AssistInfo | null {
    return this._find;
  }

  /** The document-label assist offered ("Suggest"), if the element has document labels. */
  get suggestAssist(): AssistInfo | null {
    return this._suggest && this.options.documentLabels().length ? this._suggest : null;
  }

  private async _load(): Promise<void> {
    let offered: AssistInfo[] = [];
    try {
      offered = await assistAvailable();
    } catch {
      offered = []; // the page could not list them: the element works without
    }
    this._find = offered.find((a) => a.needs === "none" && a.kinds.includes("span")) ?? null;
    this._suggest = offered.find((a) => a.needs === "none" && a.kinds.includes("label")) ?? null;
    this.host.requestUpdate();
  }

  private _say(text: string | null, error = false): void {
    this._note = text === null ? null : { text, error };
    this.host.requestUpdate();
  }

  /** Runs the span assist and adds what it proposes; resolves when the status line says how it went. */
  async findEntities(): Promise<void> {
    const a = this._find;
    const ed = this.host.editor;
    if (!a || !ed || this._busy) return;
    this._busy = a.name;
    this._say(`${a.title}…`);
    try {
      const result = await assist(a.name, {});
      const ed2 = this.host.editor;
      if (ed2 !== ed) return this._say(null); // the text changed meanwhile: the offsets mean nothing now
      const merge = mergeProposals(result.regions, ed.model.entities(), this.options.spanLabels(), ed.offsets, result.model);
      const added = ed.model.addEntities(merge.add, `Add ${merge.add.length} proposed span${merge.add.length === 1 ? "" : "s"}`);
      if (added.length < merge.add.length) {
        // the document changed while the model ran: what the model refused now is already there
        merge.already += merge.add.length - added.length;
        merge.add = merge.add.slice(0, added.length);
      }
      this._say(describeMerge(merge));
    } catch (e) {
      this._say(`${a.title}: ${(e as Error).message}`, true);
    } finally {
      this._busy = null;
      this.host.requestUpdate();
    }
  }

  /** Runs the label assist and chooses its best document label (one undoable step). */
  async suggest(): Promise<void> {
    const a = this.suggestAssist;
    const ed = this.host.editor;
    if (!a || !ed || this._busy) return;
    this._busy = a.name;
    this._say(`${a.title}…`);
    try {
      const result = await assist(a.name, {});
      const best = topDocumentLabel(result.regions, this.options.documentLabels());
      const m = ed.model;
      if (best === null) this._say("No document label suggested");
      else if (m.documentLabels.includes(best)) this._say(`Suggested ${best}: already chosen`);
      else {
        m.setDocumentLabels(this.options.multiDocumentLabels() ? [...m.documentLabels, best] : [best]);
        this._say(`Suggested ${best}`);
      }
    } catch (e) {
      this._say(`${a.title}: ${(e as Error).message}`, true);
    } finally {
      this._busy = null;
      this.host.requestUpdate();
    }
  }

  renderButtons(hotkey: boolean): TemplateResult | typeof nothing {
    const find = this._find;
    const sug = this.suggestAssist;
    if (!find && !sug) return nothing;
    return html`${find
      ? html`<button type="button" class="tool assist" data-assist=${find.name} ?disabled=${this._busy !== null}
          aria-busy=${this._busy === find.name ? "true" : "false"} @mousedown=${(e: Event) => e.preventDefault()}
          title="Add the spans ${find.model} proposes (${find.title}), as one step${hotkey ? " (F)" : ""}"
          @click=${() => void this.findEntities()}>Find entities${hotkey ? html` <kbd>F</kbd>` : nothing}</button>`
      : nothing}
    ${sug
      ? html`<button type="button" class="tool assist" data-assist=${sug.name} ?disabled=${this._busy !== null}
          aria-busy=${this._busy === sug.name ? "true" : "false"} @mousedown=${(e: Event) => e.preventDefault()}
          title="Choose the document label ${sug.model} suggests" @click=${() => void this.suggest()}>Suggest</button>`
      : nothing}`;
  }

  renderStatus(): TemplateResult | typeof nothing {
    const n = this._note;
    if (!n) return nothing;
    return html`<p class="assist-status ${n.error ? "failed" : ""}" role=${n.error ? "alert" : "status"}>${n.text}</p>`;
  }
}
