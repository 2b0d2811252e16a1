/**
 * The attribute panel of the image elements: one control per label-category attribute of the
 * selected object (or of the whole image). A choice of up to CHIP_LIMIT short values is a row of
 * buttons (one click, and a second on the chosen one clears it), a longer one a select; free text
 * and numbers are inputs that commit on change (Enter or leaving the field), so that each edit is
 * one undo step rather than one per keystroke.
 */
import { html, nothing, type TemplateResult } from "lit";
import { live } from "lit/directives/live.js";
import type { AttributeValue, AttributeValues } from "../../canvas/object-meta";
import { attributeProblem, valueFromInput, type AttributeSpec } from "./attribute-schema";

const CHIP_LIMIT = 5;
const CHIP_CHARS = 40;

export interface AttributePanelOptions {
  /** What the values belong to, e.g. "Box 3 · car" or "Image". */
  heading: string;
  /** The panel's part name and the prefix of its controls' ids. */
  part: string;
  specs: readonly AttributeSpec[];
  values: AttributeValues;
  /** A locked object: its values are shown, not editable. */
  disabled?: boolean;
  /** An attribute whose value may not change (`editsAllowed: none` on an earlier object or the image). */
  readOnly?: (name: string) => boolean;
  /** Show every problem (after a blocked submit), not only those of values given. */
  showRequired?: boolean;
  onChange(name: string, value: AttributeValue | null): void;
}

function asChips(spec: AttributeSpec): boolean {
  return spec.enum.length > 0 && spec.enum.length <= CHIP_LIMIT && spec.enum.join("").length <= CHIP_CHARS;
}

function rangeText(spec: AttributeSpec): string {
  if (spec.minimum !== null && spec.maximum !== null) return `${spec.minimum}–${spec.maximum}`;
  if (spec.minimum !== null) return `≥ ${spec.minimum}`;
  if (spec.maximum !== null) return `≤ ${spec.maximum}`;
  return "";
}

/** `input` events are composed: keep them inside, the element reports the committed value itself. */
function stop(e: Event): void {
  e.stopPropagation();
}

function renderControl(panel: AttributePanelOptions, spec: AttributeSpec, id: string): TemplateResult {
  const value = panel.values[spec.name];
  // A read-only attribute renders like a locked object's: shown, not editable.
  const o = panel.readOnly?.(spec.name) ? { ...panel, disabled: true } : panel;
  if (asChips(spec)) {
    return html`<div class="attr-chips" role="radiogroup" aria-labelledby="${id}-label">
      ${spec.enum.map(
        (choice) => html`<button type="button" class="attr-chip" role="radio" aria-checked=${value === choice ? "true" : "false"}
          ?disabled=${o.disabled} @click=${() => o.onChange(spec.name, value === choice ? null : choice)}>${choice}</button>`,
      )}
    </div>`;
  }
  if (spec.enum.length) {
    return html`<select id=${id} class="attr-input" ?disabled=${o.disabled} @input=${stop}
      @change=${(e: Event) => o.onChange(spec.name, valueFromInput(spec, (e.target as HTMLSelectElement).value))}>
      <option value="" ?selected=${value === undefined}>—</option>
      ${spec.enum.map((choice) => html`<option value=${choice} ?selected=${value === choice}>${choice}</option>`)}
    </select>`;
  }
  const isNumber = spec.type === "number";
  return html`<input id=${id} class="attr-input" type=${isNumber ? "number" : "text"} step=${isNumber ? "any" : nothing}
    min=${spec.minimum ?? nothing} max=${spec.maximum ?? nothing} placeholder=${isNumber ? rangeText(spec) : ""}
    autocomplete="off" ?disabled=${o.disabled} .value=${live(value === undefined ? "" : String(value))} @input=${stop}
    @change=${(e: Event) => {
      const input = e.target as HTMLInputElement;
      const next = valueFromInput(spec, input.value);
      // "12abc" in a number field reads as blank: put the stored value back rather than clear it.
      if (isNumber && next === null && input.value.trim() !== "" ) input.value = value === undefined ? "" : String(value);
      else o.onChange(spec.name, next);
    }} />`;
}

export function renderAttributePanel(o: AttributePanelOptions): TemplateResult {
  return html`<section class="attributes" part=${o.part} aria-label=${`Attributes: ${o.heading}`}>
    <p class="title">${o.heading}</p>
    ${o.specs.map((spec, i) => {
      const id = `${o.part}-${i}`;
      const value = o.values[spec.name];
      const problem = value === undefined && !o.showRequired ? "" : attributeProblem(spec, value);
      const range = spec.type === "number" ? rangeText(spec) : "";
      const fixed = o.readOnly?.(spec.name) === true;
      return html`<div class="attr ${problem ? "invalid" : ""} ${fixed ? "is-fixed" : ""}" data-attribute=${spec.name}
        title=${fixed ? "editsAllowed: none" : nothing}>
        <label class="attr-label" id="${id}-label" for=${id} title=${spec.description || nothing}>
          ${spec.name}${spec.required ? html`<span class="req" aria-label="required">*</span>` : nothing}
          ${fixed ? html`<span class="attr-fixed">fixed</span>` : nothing}
          ${range ? html`<span class="attr-range">${range}</span>` : nothing}
        </label>
        ${renderControl(o, spec, id)}
        ${spec.description ? html`<span class="attr-help">${spec.description}</span>` : nothing}
        ${problem ? html`<span class="attr-problem" role="alert">${problem}</span>` : nothing}
      </div>`;
    })}
  </section>`;
}
