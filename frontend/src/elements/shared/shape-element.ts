import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit";
import { ShapeEditor, type ShapeEditorEvent } from "../../canvas/shape-editor";
import type { ShapeToolName } from "../../canvas/shape-controller";
import { EMPTY_ATTRIBUTES, metaOutput, type AttributeValue, type AttributeValues } from "../../canvas/object-meta";
import { OPEN_SHAPE_KEY, type ParsedShapes, type ShapeKind } from "../../canvas/shapes";
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
import { AssistBar } from "./assist-bar";
import { LwImageEditorElement } from "./image-editor-element";
import { attributeMark, focusRow, renderRegionList, scrollRowIntoView } from "./region-list";

/** The object lists an answer may hold (one per element kind). */
const OBJECT_KEYS = ["polygons", "polylines", "lines", "keypoints"] as const;

const ICONS = {
  polygon: html`<svg viewBox="0 0 20 20"><path d="M4 6l7-3 5 6-3 8-9-2z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/><circle cx="4" cy="6" r="1.6" fill="currentColor"/><circle cx="11" cy="3" r="1.6" fill="currentColor"/><circle cx="16" cy="9" r="1.6" fill="currentColor"/></svg>`,
  point: html`<svg viewBox="0 0 20 20"><circle cx="10" cy="10" r="3.2" fill="currentColor"/><path d="M10 2v4M10 14v4M2 10h4M14 10h4" stroke="currentColor" stroke-width="1.6"/></svg>`,
  polyline: html`<svg viewBox="0 0 20 20"><path d="M3 15l5-8 4 5 5-9" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/><circle cx="3" cy="15" r="1.6" fill="currentColor"/><circle cx="8" cy="7" r="1.6" fill="currentColor"/><circle cx="12" cy="12" r="1.6" fill="currentColor"/><circle cx="17" cy="3" r="1.6" fill="currentColor"/></svg>`,
  line: html`<svg viewBox="0 0 20 20"><path d="M4 16L16 4" stroke="currentColor" stroke-width="1.6"/><circle cx="4" cy="16" r="1.8" fill="currentColor"/><circle cx="16" cy="4" r="1.8" fill="currentColor"/></svg>`,
  select: html`<svg viewBox="0 0 20 20"><path d="M5 3l10 7-4.5 1 2.5 5-2 1-2.5-5L5 15z" fill="currentColor"/></svg>`,
  pan: html`<svg viewBox="0 0 20 20"><path d="M10 2l3 3h-2v4h4V7l3 3-3 3v-2h-4v4h2l-3 3-3-3h2v-4H5v2l-3-3 3-3v2h4V5H7z" fill="currentColor"/></svg>`,
};

const EYE = html`<svg viewBox="0 0 20 20"><path d="M2 10s3-5 8-5 8 5 8 5-3 5-8 5-8-5-8-5z" fill="none" stroke="currentColor" stroke-width="1.5"/><circle cx="10" cy="10" r="2.5" fill="currentColor"/></svg>`;
const EYE_OFF = html`<svg viewBox="0 0 20 20"><path d="M3 3l14 14M2 10s3-5 8-5 8 5 8 5-3 5-8 5-8-5-8-5z" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>`;
const LOCKED = html`<svg viewBox="0 0 20 20"><rect x="4.5" y="9" width="11" height="8" rx="1.5" fill="currentColor" stroke="currentColor" stroke-width="1.5"/><path d="M7 9V6.5a3 3 0 016 0V9" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>`;
const UNLOCKED = html`<svg viewBox="0 0 20 20"><rect x="4.5" y="9" width="11" height="8" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M7 9V6.5a3 3 0 015.8-1" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>`;

/** What differs between `<lw-polygon>`, `<lw-keypoint>`, `<lw-polyline>` and `<lw-line>`. */
export interface ShapeElementSpec {
  kind: ShapeKind;
  /** Singular and plural noun for messages and the region list. */
  noun: string;
  nouns: string;
  parse(value: unknown): ParsedShapes;
  drawTitle: string;
  drawKey: string;
  hint: TemplateResult;
}

/**
 * The Lit shell shared by the shape elements (polygon, keypoint, polyline, line) around `ShapeEditor` (src/canvas):
 * toolbar, label choices with hotkeys 1–9, region list (virtual), instructions, validation. Attributes
 * as Ground Truth's: `name`, `src`, `labels`, `header`, `initial-value`, `required`. When `labels`
 * is a label-category file with attributes, the selected shape shows its label's attributes and
 * the image its `frameAttributes`; values go out as each shape's `labelCategoryAttributes` and the
 * answer's `frameAttributes`.
 */
export abstract class LwShapeElement extends LwImageEditorElement<ShapeEditor> {
  static override properties: PropertyDeclarations = {
    labels: { converter: { fromAttribute: parseCategories } },
    _listFirst: { state: true },
  };

  declare labels: string[];
  declare initialValue: string | null;
  /** The first row in the region list's window. */
  declare private _listFirst: number;

  protected abstract readonly spec: ShapeElementSpec;
  private _pending: ParsedShapes["shapes"] | null = null;
  private _pendingFrame: AttributeValues | null = null;
  /** The label-category attributes the `labels` attribute declares. */
  private _schema: AttributeSchema = NO_ATTRIBUTES;
  /** After a submit was blocked by an attribute: show required-but-empty fields as problems. */
  private _showRequired = false;
  private _problems: string[] = [];
  /** Model assists in the toolbar (assist-bar.ts): buttons only inside a task frame that offers some. */
  private readonly _assists = new AssistBar(this, () => this._editor, () => this.spec.kind);

  constructor() {
    super();
    this.labels = [];
    this.initialValue = null;
    this._listFirst = 0;
  }

  private _parseInitial(): ParsedShapes {
    const text = (this.initialValue ?? "").trim();
    if (!text) return { shapes: [], problems: [] };
    try {
      return this.spec.parse(parseAttributeLiteral(text));
    } catch (e) {
      return { shapes: [], problems: [`initial-value is not valid JSON: ${(e as Error).message}`] };
    }
  }

  // ---- LwField -----------------------------------------------------------------------------

  get fieldValue(): JsonValue | null {
    if (this._editor) return this._output(this._editor.output() as unknown as Record<string, unknown>) as unknown as JsonValue;
    const initial = this._parseInitial();
    const shapes = this._pending ?? initial.shapes;
    const frame = this._pendingFrame ?? initial.frameAttributes ?? EMPTY_ATTRIBUTES;
    const out: Record<string, unknown> = { inputImageProperties: { width: 0, height: 0 } };
    const meta = (s: ParsedShapes["shapes"][number]) => metaOutput(s.meta ?? { attributes: EMPTY_ATTRIBUTES });
    if (this.spec.kind === "point") {
      out.keypoints = shapes.map((s) => ({ label: s.label, ...s.points[0]!, ...meta(s) }));
    } else {
      const key = this.spec.kind === "polygon" ? "polygons" : OPEN_SHAPE_KEY[this.spec.kind];
      out[key] = shapes.map((s) => ({ label: s.label, vertices: s.points, ...meta(s) }));
    }
    if (Object.keys(frame).length) out.frameAttributes = { ...frame };
    return this._output(out) as unknown as JsonValue;
  }

  /** The answer: each shape's values limited to its label's attributes (see pruneAttributes). */
  private _output(out: Record<string, unknown>): Record<string, unknown> {
    if (!hasAttributes(this._schema)) return out;
    const copy = { ...out };
    for (const key of OBJECT_KEYS) {
      const list = copy[key];
      if (Array.isArray(list)) copy[key] = pruneAttributes(list as { label: string }[], this._schema);
    }
    return copy;
  }

  restoreFieldValue(value: JsonValue | undefined): void {
    const parsed = this.spec.parse(value);
    this._problems = parsed.problems.map((p) => `draft: ${p}`);
    if (this._editor) {
      this._editor.load(parsed.shapes);
      this._editor.model.loadFrameAttributes(parsed.frameAttributes ?? EMPTY_ATTRIBUTES);
    } else {
      this._pending = parsed.shapes;
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

  /** `reveal`: select and show the shape an attribute problem is on (a submit, not a re-check on edit). */
  private _validate(reveal: boolean): string | null {
    const count = this._editor?.model.size ?? 0;
    if (this._image === "error" || !this.src) this._error = "The image could not be loaded: skip this task.";
    else if (this._image === "loading") this._error = "Wait for the image to load before submitting.";
    else if (this._editor?.controller.drafting) {
      this._error =
        this.spec.kind === "polygon"
          ? `Close the ${this.spec.noun} you are drawing (click its first point or press Enter), or press Esc.`
          : `Finish the ${this.spec.noun} you are drawing (${this.spec.kind === "line" ? "click its end point" : "double-click or press Enter"}), or press Esc.`;
    }
    else if (this.required && count === 0) this._error = `Add at least one ${this.spec.noun} before submitting.`;
    else this._error = this._attributeError(reveal);
    return this._error;
  }

  /**
   * The first shape (in list order) or image attribute that is missing or out of bounds, as a
   * message naming both; on submit the shape is selected and shown so that it can be fixed at once.
   */
  private _attributeError(reveal: boolean): string | null {
    const ed = this._editor;
    if (!ed || !hasAttributes(this._schema)) return null;
    const frame = firstProblem(this._schema.frame, ed.model.frameAttributes);
    if (frame) {
      this._showRequired = true;
      return `Image attributes: ${frame.message}.`;
    }
    const shapes = ed.model.shapes;
    for (let i = 0; i < shapes.length; i++) {
      const s = shapes[i]!;
      const problem = firstProblem(attributesOf(this._schema, s.label), s.attributes);
      if (!problem) continue;
      this._showRequired = true;
      if (reveal) {
        ed.controller.select(s.id);
        ed.controller.reveal(s.id);
      }
      const noun = this.spec.noun[0]!.toUpperCase() + this.spec.noun.slice(1);
      return `${noun} ${i + 1} (${s.label}): ${problem.message}.`;
    }
    return null;
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  protected keepForReconnect(): void {
    if (this._editor) {
      this._pending = this._editor.model.shapes.map((s) => ({ kind: s.kind, label: s.label, points: s.points, meta: s }));
      this._pendingFrame = this._editor.model.frameAttributes;
    }
  }

  protected makeEditor(container: HTMLDivElement): ShapeEditor {
    return new ShapeEditor(container, { kind: this.spec.kind, labels: this.labels, onEvent: (e) => this._onEditorEvent(e) });
  }

  protected loadFirstValue(): void {
    this._loadInitial();
  }

  protected override willUpdate(changed: PropertyValues): void {
    // A label-category file in `labels` may declare attributes (the property holds the names only).
    if (changed.has("labels")) this._schema = parseAttributeSchema(this.getAttribute("labels"));
  }

  protected override updated(changed: PropertyValues): void {
    const ed = this._editor;
    if (!ed) return;
    if (changed.has("labels") && changed.get("labels") !== undefined) ed.setLabels(this.labels);
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
    this._editor!.load(this._pending ?? parsed.shapes);
    this._editor!.model.loadFrameAttributes(this._pendingFrame ?? parsed.frameAttributes ?? EMPTY_ATTRIBUTES);
    this._pending = null;
    this._pendingFrame = null;
  }

  private _onEditorEvent(e: ShapeEditorEvent): void {
    if (e.kind === "viewport") return this.showZoom(e.scale);
    if (e.kind === "change") {
      if (this._error) this._validate(false);
      this.dispatchEvent(
        new CustomEvent(FIELD_CHANGE, {
          bubbles: true,
          composed: true,
          detail: { name: this.fieldName, value: this._output(e.value as unknown as Record<string, unknown>) },
        }),
      );
    } else if (e.kind === "selection") {
      void this.updateComplete.then(() => this._scrollListToSelection());
    } else if (e.kind === "image-loaded") {
      this.imageLoaded(e.width, e.height);
    } else if (e.kind === "image-error") {
      this._image = "error";
    }
    this.requestUpdate();
  }

  /** Scrolls the region list so the selected shape's row is in its window (selected on the canvas). */
  private _scrollListToSelection(): void {
    const ed = this._editor;
    const sel = ed?.controller.selected;
    const list = this.renderRoot.querySelector<HTMLElement>(".region-list");
    if (!ed || !sel || !list) return;
    scrollRowIntoView(list, ed.model.shapes.indexOf(sel));
  }

  /** An arrow key in the region list: select that row's shape, show it, and keep the focus on its row. */
  private _moveInList(index: number): void {
    const ed = this._editor;
    const shape = ed?.model.shapes[index];
    if (!ed || !shape) return;
    ed.controller.select(shape.id);
    ed.controller.reveal(shape.id);
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
    const noun = this.spec.noun[0]!.toUpperCase() + this.spec.noun.slice(1);
    return html`${this._schema.frame.length
      ? renderAttributePanel({
          heading: "Image",
          part: "frame-attributes",
          specs: this._schema.frame,
          values: ed.model.frameAttributes,
          showRequired: this._showRequired,
          onChange: (name, value) => ed.model.setFrameAttribute(name, value),
        })
      : nothing}
    ${sel && specs.length
      ? renderAttributePanel({
          heading: `${noun} ${ed.model.shapes.indexOf(sel) + 1} · ${sel.label}`,
          part: "object-attributes",
          specs,
          values: sel.attributes,
          disabled: sel.locked,
          showRequired: this._showRequired,
          onChange: (name: string, value: AttributeValue | null) => {
            if (!sel.locked) ed.model.setAttribute(sel.id, name, value);
          },
        })
      : nothing}`;
  }

  // ---- rendering ---------------------------------------------------------------------------

  protected renderToolbar(): TemplateResult {
    const ed = this._editor;
    const c = ed?.controller;
    const m = ed?.model;
    const draw: ShapeToolName = this.spec.kind;
    const tools: { tool: ShapeToolName; title: string; key: string }[] = [
      { tool: draw, title: this.spec.drawTitle, key: this.spec.drawKey },
      { tool: "select", title: `Select and move ${this.spec.nouns}`, key: "V" },
      { tool: "pan", title: "Pan (or hold Space, or drag with the middle button)", key: "H" },
    ];
    return html`<div class="toolbar" part="toolbar" role="toolbar" aria-label="Tools">
      ${tools.map(
        (t) => html`<button type="button" class="tool" title="${t.title} (${t.key})" aria-label=${t.title}
          aria-pressed=${c?.tool === t.tool ? "true" : "false"} data-tool=${t.tool} @click=${() => c?.setTool(t.tool)}>
          ${ICONS[t.tool]}
        </button>`,
      )}
      <span class="sep"></span>
      ${this.renderViewTools()}
      <span class="sep"></span>
      ${this.renderUndoRedo(m, Boolean(m?.canUndo || c?.drafting))}
      <button type="button" class="tool" title="Delete the selected ${this.spec.noun} (Delete)" aria-label="Delete ${this.spec.noun}"
        ?disabled=${!c?.selected || c.selected.locked} @click=${() => c?.deleteSelected()}>
        <svg viewBox="0 0 20 20"><path d="M6 6h8l-.8 11H6.8zM4.5 4.5h11M8 4.5V3h4v1.5" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>
      </button>
      ${this._assists.render()}
    </div>`;
  }

  private _renderLabels(): TemplateResult {
    return this.renderLabelChoices(
      this.labels.map((label) => ({ label, color: this._editor?.colourOf(label) ?? "#888" })),
      this._editor?.controller.labelIndex,
      `Label for new ${this.spec.nouns}`,
      "No labels are configured: nothing can be drawn.",
    );
  }

  private _renderRegions(): TemplateResult {
    const ed = this._editor;
    if (!ed) return html``;
    const shapes = ed.model.shapes;
    const c = ed.controller;
    const noun = this.spec.nouns[0]!.toUpperCase() + this.spec.nouns.slice(1);
    return html`<div class="regions">
      <p class="title">${noun} <span class="count">${shapes.length}</span></p>
      ${renderRegionList({
        label: noun,
        items: shapes,
        top: this._listFirst,
        onScroll: (top) => (this._listFirst = top),
        onMove: (to) => this._moveInList(to),
        renderRow: (s, i) => html`<li class="region ${s.id === c.selectedId ? "selected" : ""} ${s.hidden ? "is-hidden" : ""}" data-row=${i}>
            <button type="button" class="pick" aria-label="Select ${this.spec.noun} ${i + 1}: ${s.label}"
              aria-current=${s.id === c.selectedId ? "true" : "false"} @click=${() => {
              c.select(s.id);
              c.reveal(s.id);
            }}>
              <span class="swatch" style="background:${ed.colourOf(s.label)}"></span>
              <span class="text">${i + 1}. ${s.label}</span>
              ${attributeMark(firstProblem(attributesOf(this._schema, s.label), s.attributes))}
              <span class="dims">${s.kind === "point" ? `${Math.round(s.points[0]!.x)},${Math.round(s.points[0]!.y)}` : `${s.points.length} pts`}</span>
            </button>
            <button type="button" class="mini" aria-pressed=${s.hidden ? "true" : "false"} title=${s.hidden ? "Show" : "Hide"}
              aria-label=${`${s.hidden ? "Show" : "Hide"} ${this.spec.noun} ${i + 1}`} @click=${() => ed.model.setHidden(s.id, !s.hidden)}>
              ${s.hidden ? EYE_OFF : EYE}
            </button>
            <button type="button" class="mini" aria-pressed=${s.locked ? "true" : "false"} title=${s.locked ? "Unlock" : "Lock"}
              aria-label=${`${s.locked ? "Unlock" : "Lock"} ${this.spec.noun} ${i + 1}`} @click=${() => ed.model.setLocked(s.id, !s.locked)}>
              ${s.locked ? LOCKED : UNLOCKED}
            </button>
          </li>`,
      })}
    </div>`;
  }

  protected hint(): TemplateResult {
    return this.spec.hint;
  }

  protected renderNotices(): TemplateResult | typeof nothing {
    return this._problems.length
      ? html`<p class="error" role="alert">Some ${this.spec.nouns} could not be loaded: ${this._problems.join("; ")}</p>`
      : nothing;
  }

  protected renderSide(): TemplateResult {
    return html`${this._renderLabels()} ${this._renderAttributes()} ${this._renderRegions()}`;
  }
}
