/**
 * The styles of the classifier elements (`ClassifierBase`: <lw-classifier>,
 * <lw-classifier-multi-select> and the image / content classifiers built on it): choices, the
 * exclusion category, the label filter, chosen chips; after the shared chrome (chrome-styles.ts).
 */
import { css } from "lit";

export const classifierStyles = css`
      .header {
        line-height: 1.35;
      }
      ::slotted([slot="target"]) {
        display: block;
      }
      .full summary {
        margin-top: 0.25rem;
      }
      .full-body {
        margin-top: 0.5rem;
      }
      .body {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 1rem;
        align-items: start;
      }
      @container (min-width: 620px) {
        .body {
          grid-template-columns: minmax(0, 1fr) minmax(190px, 250px);
          gap: 1.25rem;
        }
      }
      .body.many {
        grid-template-columns: minmax(0, 1fr);
      }
      .body.many .list {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
        gap: 0.4rem;
      }
      .list {
        display: flex;
        flex-direction: column;
        gap: 0.4rem;
      }
      .text-target {
        max-height: var(--lw-target-max-height, 30rem);
        overflow: auto;
        overscroll-behavior: contain;
        padding: 1rem 1.125rem;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        background: var(--_surface);
        min-height: 3rem;
        font-size: 1rem;
        line-height: 1.6;
        overflow-wrap: anywhere;
      }
      .choices {
        display: flex;
        flex-direction: column;
        gap: 0.4rem;
        min-width: 0;
      }
      .choices-title {
        margin: 0 0 0.15rem;
        color: var(--_muted);
        font-size: 0.75rem;
        font-weight: 600;
        letter-spacing: 0.04em;
        text-transform: uppercase;
      }
      .choice {
        display: flex;
        align-items: center;
        gap: 0.6rem;
        width: 100%;
        min-height: 2.5rem;
        margin: 0;
        padding: 0.45rem 0.6rem 0.45rem 0.75rem;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        background: var(--_surface);
        color: inherit;
        font: inherit;
        font-size: 0.95rem;
        line-height: 1.3;
        text-align: left;
        cursor: pointer;
        transition: border-color 0.12s, background-color 0.12s, box-shadow 0.12s;
      }
      .choice:hover {
        border-color: var(--_border-strong);
        background: var(--_subtle);
      }
      .choice:focus-visible {
        outline: 2px solid var(--_accent);
        outline-offset: 2px;
      }
      .choice[aria-checked="true"] {
        border-color: var(--_accent);
        background: var(--_accent-soft);
        box-shadow: inset 0 0 0 1px var(--_accent);
      }
      .choices.invalid .choice:not([aria-checked="true"]) {
        border-color: color-mix(in srgb, var(--_danger) 45%, var(--_border));
      }
      .text {
        flex: 1;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .mark {
        position: relative;
        flex: none;
        width: 1.05rem;
        height: 1.05rem;
        border: 1.5px solid var(--_border-strong);
        border-radius: 50%;
        background: var(--_surface);
      }
      .choice[role="checkbox"] .mark {
        border-radius: 4px;
      }
      .choice[aria-checked="true"] .mark {
        border-color: var(--_accent);
        background: var(--_accent);
      }
      .choice[role="radio"][aria-checked="true"] .mark {
        box-shadow: inset 0 0 0 3px var(--_surface);
      }
      .choice[role="checkbox"][aria-checked="true"] .mark::after {
        content: "";
        position: absolute;
        left: 0.3rem;
        top: 0.1rem;
        width: 0.25rem;
        height: 0.5rem;
        border: solid var(--_accent-fg);
        border-width: 0 2px 2px 0;
        transform: rotate(45deg);
      }
      .choice kbd {
        flex: none;
      }
      .choice[aria-checked="true"] kbd {
        border-color: color-mix(in srgb, var(--_accent) 45%, transparent);
        color: var(--_accent);
      }
      .divider {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        margin: 0.2rem 0;
        color: var(--_muted);
        font-size: 0.75rem;
      }
      .divider::before,
      .divider::after {
        content: "";
        flex: 1;
        border-top: 1px solid var(--_border);
      }
      .exclusion .text {
        font-style: italic;
      }
      .empty {
        margin: 0;
        color: var(--_muted);
        font-size: 0.9rem;
      }
      .text-target:focus-visible {
        outline: 2px solid var(--_accent);
        outline-offset: 2px;
      }
      .filter-row {
        position: relative;
        display: flex;
        align-items: center;
      }
      .filter {
        width: 100%;
        min-height: 2.4rem;
        padding: 0.4rem 2.4rem 0.4rem 0.7rem;
        border: 1px solid var(--_border-strong);
        border-radius: var(--_radius);
        background: var(--_surface);
        color: inherit;
        font: inherit;
        font-size: 0.95rem;
      }
      .filter:focus-visible {
        outline: 2px solid var(--_accent);
        outline-offset: 1px;
      }
      .filter-row kbd {
        position: absolute;
        right: 0.6rem;
        pointer-events: none;
      }
      .filter-status {
        margin: 0;
        color: var(--_muted);
        font-size: 0.8rem;
      }
      .chosen {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.35rem;
        margin-top: 0.35rem;
        font-size: 0.85rem;
      }
      .chosen-count {
        color: var(--_muted);
        font-weight: 600;
      }
      .chip,
      .clear {
        display: inline-flex;
        align-items: center;
        gap: 0.3rem;
        padding: 0.15rem 0.55rem;
        border: 1px solid var(--_border);
        border-radius: 999px;
        background: var(--_subtle);
        color: inherit;
        font: inherit;
        cursor: pointer;
      }
      .chip {
        border-color: color-mix(in srgb, var(--_accent) 40%, var(--_border));
        background: var(--_accent-soft);
      }
      .clear {
        margin-left: auto;
        border-radius: var(--_radius);
        background: var(--_surface);
      }
      .chip:hover,
      .clear:hover {
        border-color: var(--_border-strong);
      }
      .chip:focus-visible,
      .clear:focus-visible {
        outline: 2px solid var(--_accent);
        outline-offset: 2px;
      }
      .choices .error {
        margin-top: 0.35rem;
      }
    `;
