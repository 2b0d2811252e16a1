import { guard } from "lit/directives/guard.js";
import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import type { ObjectEditorEvent } from "../../canvas/object-editor";
import { EMPTY_ATTRIBUTES, type AttributeValue, type AttributeValues } from "../../canvas/object-meta";
import { isFrozen, type AnnotationObject, type ObjectModel } from "../../canvas/object-model";
import { EDIT_LOCKED_REASON, NO_LIMITS, parseEditLimits, type EditLimits } from "../../canvas/edit-limits";
import { parseCategories } from "../../lib/attributes";
import type { JsonValue } from "../../lib/json";
import { parseAttributeLiteral } from "../../lib/loose-json";
import { renderAttributePanel } from "./attribute-panel";
import {
  NO_ATTRIBUTES,
  attributesOf,
  firstProblem,
  hasAttributes,
  parseAttributeSchema,
  pruneAttributes,
  type AttributeSchema,
} from "./attribute-schema";
import { FIELD_CHANGE } from "./field";
import { LwImageEditorElement, type ImageEditorCore } from "./image-editor-element";
import { attributeMark, focusRow, renderRegionList, scrollRowIntoView } from "./region-list";

const EYE = html`<svg viewBox="0 0 20 20"><path d="M2 10s3-5 8-5 8 5 8 5-3 5-8 5-8-5-8-5z" fill="none" stroke="currentColor" stroke-width="1.5"/><circle cx="10" cy="10" r="2.5" fill="currentColor"/></svg>`;
const EYE_OFF = html`<svg viewBox="0 0 20 20"><path d="M3 3l14 14M2 10s3-5 8-5 8 5 8 5-3 5-8 5-8-5-8-5z" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>`;
const LOCKED = html`<svg viewBox="0 0 20 20"><rect x="4.5" y="9" width="11" height="8" rx="1.5" fill="currentColor" stroke="currentColor" stroke-width="1.5"/><path d="M7 9V6.5a3 3 0 016 0V9" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>`;
const UNLOCKED = html`<svg viewBox="0 0 20 20"><rect x="4.5" y="9" width="11" height="8" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M7 9V6.5a3 3 0 015.8-1" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>`;
const BIN = html`<svg viewBox="0 0 20 20"><path d="M6 6h8l-.8 11H6.8zM4.5 4.5h11M8 4.5V3h4v1.5" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>`;

/** A tool button of the toolbar. */
export interface ToolButton<Tool extends string> {
  tool: Tool;
  title: string;
  key: string;
  icon: TemplateResult;
}

/** What a value parses into: the objects as the editor loads them, the image's values, and what was left out. */
export interface ParsedObjects<Loaded> {
  items: Loaded[];
  frameAttributes?: AttributeValues;
  problems: string[];
}

/** What the shell needs of an object editor (`BoxEditor`, `ShapeEditor`). */
export interface ObjectEditorCore<T extends AnnotationObject, Loaded, Output, Tool extends string> extends ImageEditorCore {
  readonly model: ObjectModel<T>;
  readonly controller: ImageEditorCore["controller"] & {
    readonly tool: Tool;
    readonly labelIndex: number;
    readonly selected: T | null;
    readonly selectedId: number | null;
    setTool(tool: Tool): void;
    select(id: number | null): void;
    reveal(id: number): void;
    deleteSelected(): boolean;
  };
  load(items: readonly Loaded[]): void;
  /** The label file's `editsAllowed` limits (ObjectEditor.setEditLimits). */
  setEditLimits(limits: EditLimits): void;
  output(): Output;
  colourOf(label: string): string;
  setLabels(labels: readonly string[]): void;
}

function capitalised(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

/**
 * The Lit shell of the object editors (`<lw-bounding-box>`, `<lw-polygon>`, `<lw-keypoint>`,
 * `<lw-polyline>`, `<lw-line>`) around their canvas editor: toolbar, label choices with hotkeys
 * 1–9, the virtual region list (select, reveal, hide, lock), the attribute panels of the selected
 * object and of the image, drafts and initial values, validation (required, attributes) and the
 * answer (each object's values limited to its label's attributes). Attributes as Ground Truth's:
 * `name`, `src`, `labels`, `header`, `initial-value`, `required`. What differs per element (its
 * editor, parser, tools, nouns, the answer's object keys) is the subclass's.
 */
export abstract class LwObjectElement<
  T extends AnnotationObject,
  Loaded,
  Output extends object,
  Tool extends string,
  E extends ObjectEditorCore<T, Loaded, Output, Tool>,
> extends LwImageEditorElement<E> {
  static override properties: PropertyDeclarations = {
    labels: { converter: { fromAttribute: parseCategories } },
    _listFirst: { state: true },
  };

  declare labels: string[];
  declare initialValue: string | null;
  /** The first row in the region list's window. */
  declare private _listFirst: number;

  /** Objects given before the editor exists (a draft restored early). */
  private _pending: Loaded[] | null = null;
  private _pendingFrame: AttributeValues | null = null;
  /** The label-category attributes the `labels` attribute declares. */
  private _schema: AttributeSchema = NO_ATTRIBUTES;
  /** What the label file forbids in an adjustment job (`editsAllowed: none`). */
  private _limits: EditLimits = NO_LIMITS;
  /** After a submit was blocked by an attribute: show required-but-empty fields as problems. */
  private _showRequired = false;
  private _problems: string[] = [];
  /** Bumped on every model change: the region list re-renders only when it or the selection moves. */
  private _rev = 0;

  constructor() {
    super();
    this.labels = [];
    this.initialValue = null;
    this._listFirst = 0;
  }

  // ---- what each element says for itself -----------------------------------------------------

  /** Singular and plural noun for messages and the region list ("box", "boxes"). */
  protected abstract readonly noun: string;
  protected abstract readonly nouns: string;
  /** The answer's keys that hold object lists (their attribute values are pruned). */
  protected abstract readonly objectKeys: readonly string[];
  /** The editor event a load sends ("boxes", "shapes"). */
  protected abstract readonly loadedEvent: "boxes" | "shapes";
  protected abstract parse(value: unknown): ParsedObjects<Loaded>;
  /** The answer of objects not yet in an editor (no image size yet). */
  protected abstract pendingOutput(items: readonly Loaded[]): Record<string, unknown>;
  /** The editor's objects as `load` takes them back (kept across a reconnect). */
  protected abstract snapshot(editor: E): Loaded[];
  protected abstract tools(): ToolButton<Tool>[];
  /** The region row's size column ("40×30", "5 pts"). */
  protected abstract dims(o: T): string;
  /** The accessible name of a row's hide/lock button ("Hide box", "Hide polygon 3"). */
  protected abstract rowAction(verb: string, n: number): string;
  /** What blocks a submit besides the shared checks (a shape still being drawn), or null. */
  protected draftProblem(): string | null {
    return null;
  }
  /** Whether the undo button is enabled. */
  protected undoable(editor: E | null): boolean {
    return Boolean(editor?.model.canUndo);
  }
  protected requiredMessage(): string {
    return `Add at least one ${this.noun} before submitting.`;
  }
  protected noLabelsMessage(): string {
    return "No labels are configured: nothing can be drawn.";
  }
  /** A line shown in an empty region list, if any. */
  protected emptyListHint(): string | null {
    return null;
  }

  private _parseInitial(): ParsedObjects<Loaded> {
    const text = (this.initialValue ?? "").trim();
    if (!text) return { items: [], problems: [] };
    try {
      return this.parse(parseAttributeLiteral(text));
    } catch (e) {
      return { items: [], problems: [`initial-value is not valid JSON: ${(e as Error).message}`] };
    }
  }

  // ---- LwField -----------------------------------------------------------------------------

  get fieldValue(): JsonValue | null {
    if (this._editor) return this._output(this._editor.output() as Record<string, unknown>) as unknown as JsonValue;
    const initial = this._parseInitial();
    const out = this.pendingOutput(this._pending ?? initial.items);
    const frame = this._pendingFrame ?? initial.frameAttributes ?? EMPTY_ATTRIBUTES;
    if (Object.keys(frame).length) out.frameAttributes = { ...frame };
    return this._output(out) as unknown as JsonValue;
  }

  /** The answer: each object's values limited to its label's attributes (see pruneAttributes). */
  private _output(out: Record<string, unknown>): Record<string, unknown> {
    if (!hasAttributes(this._schema)) return out;
    const copy = { ...out };
    for (const key of this.objectKeys) {
      const list = copy[key];
      if (Array.isArray(list)) copy[key] = pruneAttributes(list as { label: string }[], this._schema);
    }
    return copy;
  }

  restoreFieldValue(value: JsonValue | undefined): void {
    const parsed = this.parse(value);
    this._problems = parsed.problems.map((p) => `draft: ${p}`);
    if (this._editor) {
      this._editor.load(parsed.items);
      this._editor.model.loadFrameAttributes(parsed.frameAttributes ?? EMPTY_ATTRIBUTES);
    } else {
      this._pending = parsed.items;
      this._pendingFrame = parsed.frameAttributes ?? EMPTY_ATTRIBUTES;
    }
    this._error = null;
    this.requestUpdate();
  }

  validateField(): string | null {
    return this._validate(true);
  }

  protected revalidate(): void {
    this._validate(false);
  }

  /** `reveal`: select and show the object an attribute problem is on (a submit, not a re-check on edit). */
  private _validate(reveal: boolean): string | null {
    const count = this._editor?.model.size ?? 0;
    // Objects are in the image's pixels: without its size the answer cannot be read.
    if (this._image === "error" || !this.src) this._error = "The image could not be loaded: skip this task.";
    else if (this._image === "loading") this._error = "Wait for the image to load before submitting.";
    else this._error = this.draftProblem() ?? (this.required && count === 0 ? this.requiredMessage() : this._attributeError(reveal));
    return this._error;
  }

  /**
   * The first object (in list order) or image attribute that is missing or out of bounds, as a
   * message naming both; on submit the object is selected and shown so that it can be fixed at once.
   */
  private _attributeError(reveal: boolean): string | null {
    const ed = this._editor;
    if (!ed || !hasAttributes(this._schema)) return null;
    const frame = firstProblem(this._schema.frame, ed.model.frameAttributes);
    if (frame) {
      this._showRequired = true;
      return `Image attributes: ${frame.message}.`;
    }
    const objects = ed.model.objects;
    for (let i = 0; i < objects.length; i++) {
      const o = objects[i]!;
      const problem = firstProblem(attributesOf(this._schema, o.label), o.attributes);
      if (!problem) continue;
      this._showRequired = true;
      if (reveal) {
        ed.controller.select(o.id);
        ed.controller.reveal(o.id);
      }
      return `${capitalised(this.noun)} ${i + 1} (${o.label}): ${problem.message}.`;
    }
    return null;
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  protected keepForReconnect(): void {
    if (this._editor) {
      this._pending = this.snapshot(this._editor);
      this._pendingFrame = this._editor.model.frameAttributes;
    }
  }

  protected loadFirstValue(): void {
    // Before the objects load: loading marks the earlier objects of "none" labels edit-locked.
    this._editor!.setEditLimits(this._limits);
    this._loadInitial();
  }

  protected override willUpdate(changed: PropertyValues): void {
    // A label-category file in `labels` may declare attributes (the property holds the names only).
    if (changed.has("labels")) {
      this._schema = parseAttributeSchema(this.getAttribute("labels"));
      this._limits = parseEditLimits(this.getAttribute("labels"));
    }
  }

  protected override updated(changed: PropertyValues): void {
    const ed = this._editor;
    if (!ed) return;
    if (changed.has("labels") && changed.get("labels") !== undefined) {
      ed.setLabels(this.labels);
      ed.setEditLimits(this._limits);
    }
    if (changed.has("initialValue") && changed.get("initialValue") !== undefined) this._loadInitial();
    if (changed.has("src") && changed.get("src") !== undefined) {
      this._image = "loading";
      ed.setSource(this.src);
    }
  }

  private _loadInitial(): void {
    const parsed = this._parseInitial();
    this._problems = parsed.problems.map((p) => `initial-value: ${p}`);
    if (this._problems.length) console.warn(`<${this.localName} name="${this.fieldName}">`, this._problems.join("; "));
    this._editor!.load(this._pending ?? parsed.items);
    this._editor!.model.loadFrameAttributes(this._pendingFrame ?? parsed.frameAttributes ?? EMPTY_ATTRIBUTES);
    this._pending = null;
    this._pendingFrame = null;
  }

  /** The editor's events (`makeEditor` passes them here). */
  protected onEditorEvent(e: ObjectEditorEvent<Output, "boxes" | "shapes">): void {
    if (e.kind === "viewport") return this.showZoom(e.scale);
    if (e.kind === "change" || e.kind === this.loadedEvent) this._rev++;
    if (e.kind === "change") {
      if (this._error) this._validate(false);
      const value = this._output(e.value as Record<string, unknown>);
      this.dispatchEvent(new CustomEvent(FIELD_CHANGE, { bubbles: true, composed: true, detail: { name: this.fieldName, value } }));
    } else if (e.kind === "image-loaded") {
      this.imageLoaded(e.width, e.height);
    } else if (e.kind === "image-error") {
      this._image = "error";
    } else if (e.kind === "selection") {
      void this.updateComplete.then(() => this._scrollListToSelection());
    }
    this.requestUpdate();
  }

  // ---- rendering ---------------------------------------------------------------------------

  protected renderToolbar(): TemplateResult {
    const ed = this._editor;
    const c = ed?.controller;
    return html`<div class="toolbar" part="toolbar" role="toolbar" aria-label="Tools">
      ${this.tools().map(
        (t) => html`<button type="button" class="tool" title="${t.title} (${t.key})" aria-label=${t.title}
          aria-pressed=${c?.tool === t.tool ? "true" : "false"} data-tool=${t.tool} @click=${() => c?.setTool(t.tool)}>
          ${t.icon}
        </button>`,
      )}
      <span class="sep"></span>
      ${this.renderViewTools()}
      <span class="sep"></span>
      ${this.renderUndoRedo(ed?.model, this.undoable(ed))}
      <button type="button" class="tool" title="Delete the selected ${this.noun} (Delete)" aria-label="Delete ${this.noun}"
        ?disabled=${!c?.selected || isFrozen(c.selected)} @click=${() => c?.deleteSelected()}>
        ${BIN}
      </button>
      ${this.renderAssists()}
    </div>`;
  }

  /** The model assists' buttons (assist-bar.ts), if the element has them. */
  protected renderAssists(): unknown {
    return nothing;
  }

  /** Scrolls the region list so the selected object's row is in its window (selected on the canvas). */
  private _scrollListToSelection(): void {
    const ed = this._editor;
    const sel = ed?.controller.selected;
    const list = this.renderRoot.querySelector<HTMLElement>(".region-list");
    if (!ed || !sel || !list) return;
    scrollRowIntoView(list, ed.model.objects.indexOf(sel));
  }

  /** An arrow key in the region list: select that row's object, show it, and keep the focus on its row. */
  private _moveInList(index: number): void {
    const ed = this._editor;
    const o = ed?.model.objects[index];
    if (!ed || !o) return;
    ed.controller.select(o.id);
    ed.controller.reveal(o.id);
    void this.updateComplete.then(() => {
      this._scrollListToSelection();
      return this.updateComplete;
    }).then(() => focusRow(this.renderRoot, index));
  }

  private _renderAttributes(): TemplateResult | typeof nothing {
    const ed = this._editor;
    if (!ed || !hasAttributes(this._schema)) return nothing;
    const sel = ed.controller.selected;
    const specs = sel ? attributesOf(this._schema, sel.label) : [];
    return html`${this._schema.frame.length
      ? renderAttributePanel({
          heading: "Image",
          part: "frame-attributes",
          specs: this._schema.frame,
          values: ed.model.frameAttributes,
          readOnly: (name) => !ed.model.mayChangeFrameAttribute(name),
          showRequired: this._showRequired,
          onChange: (name, value) => ed.model.setFrameAttribute(name, value),
        })
      : nothing}
    ${sel && specs.length
      ? renderAttributePanel({
          heading: `${capitalised(this.noun)} ${ed.model.objects.indexOf(sel) + 1} · ${sel.label}`,
          part: "object-attributes",
          specs,
          values: sel.attributes,
          disabled: sel.locked,
          readOnly: (name) => !ed.model.mayChangeAttribute(sel, name),
          showRequired: this._showRequired,
          onChange: (name: string, value: AttributeValue | null) => {
            const now = ed.controller.selected;
            if (now && !now.locked) ed.model.setAttribute(now.id, name, value);
          },
        })
      : nothing}`;
  }

  private _renderLabels(): TemplateResult {
    return this.renderLabelChoices(
      this.labels.map((label) => ({
        label,
        color: this._editor?.colourOf(label) ?? "#888",
        disabled: this._limits.labels.has(label) ? `${label}: ${EDIT_LOCKED_REASON} (its earlier ${this.nouns} stay as they are; none can be added)` : undefined,
      })),
      this._editor?.controller.labelIndex,
      `Label for new ${this.nouns}`,
      this.noLabelsMessage(),
    );
  }

  private _renderRegions(): TemplateResult {
    const ed = this._editor;
    if (!ed) return html``;
    const objects = ed.model.objects;
    const c = ed.controller;
    const title = capitalised(this.nouns);
    const empty = this.emptyListHint();
    return html`<div class="regions">
      <p class="title">${title} <span class="count">${objects.length}</span></p>
      ${objects.length === 0 && empty ? html`<p class="empty">${empty}</p>` : nothing}
      ${renderRegionList({
        label: title,
        items: objects,
        top: this._listFirst,
        onScroll: (top) => (this._listFirst = top),
        onMove: (to) => this._moveInList(to),
        renderRow: (o, i) => {
          const n = i + 1;
          return html`<li class="region ${o.id === c.selectedId ? "selected" : ""} ${o.hidden ? "is-hidden" : ""} ${o.editLocked ? "is-edit-locked" : ""}" data-row=${i}>
            <button type="button" class="pick" aria-label="Select ${this.noun} ${n}: ${o.label}"
              aria-current=${o.id === c.selectedId ? "true" : "false"} @click=${() => {
              c.select(o.id);
              c.reveal(o.id);
            }}>
              <span class="swatch" style="background:${ed.colourOf(o.label)}"></span>
              <span class="text">${n}. ${o.label}</span>
              ${attributeMark(firstProblem(attributesOf(this._schema, o.label), o.attributes))}
              <span class="dims">${this.dims(o)}</span>
            </button>
            <button type="button" class="mini" aria-pressed=${o.hidden ? "true" : "false"} title=${o.hidden ? "Show" : "Hide"}
              aria-label=${this.rowAction(o.hidden ? "Show" : "Hide", n)} @click=${() => ed.model.setHidden(o.id, !o.hidden)}>
              ${o.hidden ? EYE_OFF : EYE}
            </button>
            ${o.editLocked
              ? html`<button type="button" class="mini" aria-pressed="true" disabled title=${EDIT_LOCKED_REASON}
                  aria-label=${`${this.rowAction("Locked", n)} (${EDIT_LOCKED_REASON})`}>${LOCKED}</button>`
              : html`<button type="button" class="mini" aria-pressed=${o.locked ? "true" : "false"} title=${o.locked ? "Unlock" : "Lock"}
                  aria-label=${this.rowAction(o.locked ? "Unlock" : "Lock", n)} @click=${() => ed.model.setLocked(o.id, !o.locked)}>
                  ${o.locked ? LOCKED : UNLOCKED}
                </button>`}
          </li>`;
        },
      })}
    </div>`;
  }

  protected renderNotices(): TemplateResult | typeof nothing {
    return this._problems.length
      ? html`<p class="error" role="alert">Some ${this.nouns} could not be loaded: ${this._problems.join("; ")}</p>`
      : nothing;
  }

  protected renderSide(): TemplateResult {
    return html`${this._renderLabels()} ${this._renderAttributes()}
      ${guard([this._rev, this._editor?.controller.selectedId, this.labels, this._listFirst], () => this._renderRegions())}`;
  }
}
