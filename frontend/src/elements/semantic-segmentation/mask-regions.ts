/**
 * The side lists of the segmentation elements — classes (semantic) or instances — and the CSS the
 * mask chrome adds to the shared image-editor styles.
 */
import { css, html, nothing, type TemplateResult } from "lit";
import { EDIT_LOCKED_REASON } from "../../canvas/edit-limits";
import type { MaskEditor } from "../../canvas/mask-editor";
import type { Instance, MaskModel } from "../../canvas/mask-model";
import type { MaskLabel } from "../../canvas/mask-palette";
import { renderRegionList } from "../shared/region-list";
import { BIN, EYE, EYE_OFF } from "./mask-icons";

function percent(m: MaskModel, pixels: number): string {
  if (!m.width) return "";
  const p = (100 * pixels) / (m.width * m.height);
  return p === 0 ? "0%" : p < 0.1 ? "<0.1%" : `${p.toFixed(p < 10 ? 1 : 0)}%`;
}

/** Semantic: one row per class with its share of the image and a hide toggle; a row makes it current. */
export function renderClasses(ed: MaskEditor, labels: readonly MaskLabel[]): TemplateResult {
  const m = ed.model, c = ed.controller;
  return html`<div class="regions">
    <p class="title">Classes</p>
    <ul class="region-list" aria-label="Classes">
      ${labels.map((l, i) => {
        const v = i + 1, hidden = c.isHidden(v), locked = m.isValueLocked(v);
        return html`<li class="region ${c.labelIndex === i && !locked ? "selected" : ""} ${hidden ? "is-hidden" : ""} ${locked ? "is-edit-locked" : ""}"
          title=${locked ? `${EDIT_LOCKED_REASON}: its pixels stay as they are` : nothing}>
          <button type="button" class="pick" aria-label="Paint ${l.label}" ?disabled=${locked} @click=${() => c.chooseLabel(i)}>
            <span class="swatch" style="background:${l.color}"></span>
            <span class="text">${l.label}</span>
            ${locked ? html`<span class="attr-fixed">locked</span>` : nothing}
            <span class="dims">${percent(m, m.count(v))}</span>
          </button>
          <button type="button" class="mini" aria-pressed=${hidden ? "true" : "false"} title=${hidden ? "Show" : "Hide (hidden pixels are not painted over)"}
            aria-label="${hidden ? "Show" : "Hide"} ${l.label}" @click=${() => c.setHidden(v, !hidden)}>${hidden ? EYE_OFF : EYE}</button>
        </li>`;
      })}
    </ul>
  </div>`;
}

/** What the instance list needs from its element (the virtual list's window and moves). */
export interface InstanceListHost {
  /** The first row in the list's window. */
  top: number;
  onScroll(top: number): void;
  /** A navigation key asks for row `index`. */
  onMove(index: number): void;
  /** Gives the keys back to the canvas when a delete removes the focused row. */
  focusCanvas(): void;
}

/**
 * Instance: one row per instance (select, hide, delete; the selected row relabels), in the shared
 * virtual list (only the rows in view are in the DOM).
 */
export function renderInstances(ed: MaskEditor, labels: readonly MaskLabel[], host: InstanceListHost): TemplateResult {
  const m = ed.model, c = ed.controller;
  const list = sortedInstances(m);
  return html`<div class="regions">
    <p class="title">Instances <span class="count">${list.length}</span></p>
    ${list.length ? nothing : html`<p class="empty">Paint to add an instance; <kbd>N</kbd> starts the next one.</p>`}
    ${renderRegionList({
      label: "Instances",
      items: list,
      top: host.top,
      onScroll: (top) => host.onScroll(top),
      onMove: (to) => host.onMove(to),
      renderRow: (inst, i) => {
        const hidden = c.isHidden(inst.id), n = i + 1, selected = inst.id === c.selectedId;
        // editsAllowed: none on its label: the instance keeps its pixels and label, and stays.
        const locked = m.isValueLocked(inst.id);
        // Only the selected row has a label select: rows × labels of <option>s would slow every render.
        return html`<li class="region ${selected ? "selected" : ""} ${hidden ? "is-hidden" : ""} ${locked ? "is-edit-locked" : ""}" data-row=${i}
          title=${locked ? EDIT_LOCKED_REASON : nothing}>
          <button type="button" class="pick" aria-label="Select instance ${n}: ${inst.label}" aria-current=${selected ? "true" : "false"}
            @click=${() => c.select(inst.id)}>
            <span class="swatch" style="background:${inst.color}"></span>
            <span class="text">${n}. ${selected && !locked ? "" : inst.label}</span>
            <span class="dims">${percent(m, m.count(inst.id))}</span>
          </button>
          ${selected && !locked
            ? html`<select class="relabel" aria-label="Label of instance ${n}" @change=${(e: Event) => {
                e.stopPropagation();
                m.setInstanceLabel(inst.id, (e.target as HTMLSelectElement).value);
              }}>
                ${labels.map((l) => html`<option value=${l.label} ?selected=${l.label === inst.label}
                  ?disabled=${m.fixedLabels.has(l.label)}>${l.label}</option>`)}
              </select>`
            : nothing}
          <button type="button" class="mini" aria-pressed=${hidden ? "true" : "false"} title=${hidden ? "Show" : "Hide"}
            aria-label="${hidden ? "Show" : "Hide"} instance ${n}" @click=${() => c.setHidden(inst.id, !hidden)}>${hidden ? EYE_OFF : EYE}</button>
          <button type="button" class="mini" title=${locked ? EDIT_LOCKED_REASON : "Delete"} aria-label="Delete instance ${n}"
            ?disabled=${locked} @click=${() => {
            m.deleteInstance(inst.id);
            host.focusCanvas();
          }}>${BIN}</button>
        </li>`;
      },
    })}
  </div>`;
}

/** The instances in list order (by id, i.e. the order they were made). */
export function sortedInstances(m: MaskModel): Instance[] {
  return m.instances.sort((a, b) => a.id - b.id);
}

export const maskEditorStyles = css`
      .group {
        display: inline-flex;
        align-items: center;
        gap: 0.25rem; /* the toolbar wraps between groups, not inside one */
      }
      .setting {
        display: inline-flex;
        align-items: center;
        gap: 0.3rem;
        padding: 0 0.3rem;
        color: var(--_muted);
        font-size: 0.78rem;
      }
      .setting input[type="range"] {
        width: 4rem;
      }
      .setting output {
        min-width: 1.8rem;
        font: 0.75rem var(--_mono);
        color: var(--_fg);
      }
      .labels {
        max-height: 320px; /* 50 classes scroll instead of stretching the page */
        overflow-y: auto;
      }
      .relabel {
        max-width: 6.5rem;
        font: inherit;
        font-size: 0.8rem;
      }
      .note {
        display: flex;
        align-items: center;
        gap: 0.4rem;
      }
    `;
