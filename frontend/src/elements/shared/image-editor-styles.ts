/**
 * The look of the canvas-based image elements (<lw-bounding-box>, <lw-polygon>, <lw-keypoint>, the
 * mask editors) after the shared chrome (chrome-styles.ts): toolbar, stage, label choices, region list.
 */
import { css } from "lit";

export const imageEditorStyles = css`
    .body {
      display: grid;
      grid-template-columns: minmax(0, 1fr);
      gap: 1rem;
    }
    @container (min-width: 680px) {
      .body {
        grid-template-columns: minmax(0, 1fr) minmax(190px, 240px);
      }
    }
    .main {
      min-width: 0;
    }
    .toolbar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.25rem;
      margin-bottom: 0.5rem;
    }
    .tool {
      display: inline-grid;
      place-items: center;
      min-width: 2.1rem;
      height: 2.1rem;
      padding: 0 0.4rem;
      border: 1px solid var(--_border);
      border-radius: 6px;
      background: var(--_surface);
      color: var(--_fg);
      font: 600 0.95rem/1 var(--_font);
      cursor: pointer;
    }
    .tool.word {
      font-size: 0.8rem;
    }
    .tool svg {
      width: 1.15rem;
      height: 1.15rem;
    }
    .tool:hover:not(:disabled) {
      background: var(--_subtle);
    }
    .tool[aria-pressed="true"] {
      border-color: var(--_accent);
      background: var(--_accent-soft);
      color: var(--_accent);
    }
    .tool:disabled {
      opacity: 0.4;
      cursor: default;
    }
    .adjust {
      position: relative;
    }
    .adjust summary {
      list-style: none;
    }
    .adjust summary::-webkit-details-marker {
      display: none;
    }
    .adjust[open] summary {
      border-color: var(--_accent);
      color: var(--_accent);
    }
    .adjust-panel {
      position: absolute;
      z-index: 2;
      top: calc(100% + 4px);
      left: 0;
      display: grid;
      gap: 0.5rem;
      min-width: 13rem;
      padding: 0.6rem 0.75rem;
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      background: var(--_surface);
      box-shadow: 0 4px 14px rgb(0 0 0 / 0.12);
      font-size: 0.82rem;
    }
    .adjust-panel label {
      display: grid;
      gap: 0.2rem;
    }
    .sep {
      width: 1px;
      height: 1.4rem;
      margin: 0 0.25rem;
      background: var(--_border);
    }
    .zoom {
      min-width: 3.2rem;
      color: var(--_muted);
      font: 500 0.8rem var(--_mono);
      text-align: center;
    }
    .stage {
      position: relative;
      width: 100%;
      aspect-ratio: var(--_aspect, 4 / 3);
      min-height: 240px;
      max-height: var(--lw-max-image-height, 640px);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      background: #2b2f36;
      overflow: hidden;
    }
    .canvas {
      position: absolute;
      inset: 0;
      outline: none;
      touch-action: none;
      user-select: none;
    }
    .canvas:focus-visible {
      box-shadow: inset 0 0 0 2px var(--_accent);
    }
    .notice {
      position: absolute;
      inset: 0;
      display: grid;
      place-content: center;
      gap: 0.25rem;
      padding: 1rem;
      color: #e8eaed;
      font-size: 0.9rem;
      text-align: center;
      pointer-events: none;
    }
    .image-error {
      background: var(--_danger-soft);
      color: var(--_danger);
    }
    .image-error span {
      color: var(--_fg);
    }
    .hint {
      margin: 0.4rem 0 0;
      color: var(--_muted);
      font-size: 0.78rem;
    }
    .side {
      display: flex;
      flex-direction: column;
      gap: 0.75rem;
      min-width: 0;
    }
    .labels {
      display: flex;
      flex-direction: column;
      gap: 0.3rem;
    }
    .choice {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      min-height: 2.2rem;
      padding: 0.3rem 0.5rem 0.3rem 0.6rem;
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      background: var(--_surface);
      color: inherit;
      font: inherit;
      font-size: 0.92rem;
      text-align: left;
      cursor: pointer;
    }
    .choice[aria-checked="true"] {
      border-color: var(--_accent);
      background: var(--_accent-soft);
      box-shadow: inset 0 0 0 1px var(--_accent);
    }
    .swatch {
      flex: none;
      width: 0.8rem;
      height: 0.8rem;
      border-radius: 3px;
    }
    .text {
      flex: 1;
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .title {
      margin: 0 0 0.3rem;
      color: var(--_muted);
      font-size: 0.75rem;
      font-weight: 600;
      letter-spacing: 0.04em;
      text-transform: uppercase;
    }
    .count {
      margin-left: 0.25rem;
      color: var(--_fg);
    }
    .region-list {
      max-height: 320px; /* LIST_PX */
      margin: 0;
      padding: 0;
      overflow-y: auto;
      list-style: none;
    }
    .spacer {
      list-style: none;
    }
    .region {
      display: flex;
      align-items: center;
      height: 30px; /* ROW_PX */
      border-radius: 6px;
    }
    .region.selected {
      background: var(--_accent-soft);
    }
    .region.is-hidden .pick {
      opacity: 0.5;
    }
    /* editsAllowed: none: an earlier object the worker may look at but not change. */
    .region.is-edit-locked .pick .text {
      color: var(--_muted, #667085);
    }
    .region.is-edit-locked .pick .swatch {
      filter: grayscale(1);
    }
    .choice:disabled {
      opacity: 0.5;
      cursor: not-allowed;
    }
    .attr-fixed {
      font-size: 0.7rem;
      font-weight: 500;
      color: var(--_muted, #667085);
      border: 1px solid currentColor;
      border-radius: 4px;
      padding: 0 0.25rem;
    }
    .pick {
      display: flex;
      flex: 1;
      align-items: center;
      gap: 0.4rem;
      min-width: 0;
      padding: 0.3rem 0.4rem;
      border: 0;
      background: none;
      color: inherit;
      font: inherit;
      font-size: 0.85rem;
      text-align: left;
      cursor: pointer;
    }
    .dims {
      color: var(--_muted);
      font: 0.72rem var(--_mono);
    }
    .mini {
      display: grid;
      place-items: center;
      width: 1.7rem;
      height: 1.7rem;
      padding: 0;
      border: 0;
      border-radius: 4px;
      background: none;
      color: var(--_muted);
      cursor: pointer;
    }
    .mini[aria-pressed="true"] {
      color: var(--_accent);
    }
    .mini svg {
      width: 1rem;
      height: 1rem;
    }
    .empty {
      margin: 0;
      color: var(--_muted);
      font-size: 0.85rem;
    }
    /* attribute panels (attribute-panel.ts): the image's and the selected object's */
    .attributes {
      display: flex;
      flex-direction: column;
      gap: 0.55rem;
      padding: 0.55rem 0.6rem 0.65rem;
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      background: var(--_surface);
    }
    .attributes .title {
      margin: 0;
      text-transform: none;
      letter-spacing: 0;
      font-size: 0.8rem;
      color: var(--_fg);
    }
    .attr {
      display: flex;
      flex-direction: column;
      gap: 0.25rem;
      min-width: 0;
    }
    .attr-label {
      display: flex;
      align-items: baseline;
      gap: 0.3rem;
      font-size: 0.8rem;
      font-weight: 600;
    }
    .req {
      color: var(--_danger, #b42318);
    }
    .attr-range {
      margin-left: auto;
      color: var(--_muted);
      font: 0.72rem var(--_mono);
      font-weight: 400;
    }
    .attr-chips {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem;
    }
    .attr-chip {
      padding: 0.2rem 0.55rem;
      border: 1px solid var(--_border);
      border-radius: 999px;
      background: var(--_surface);
      color: inherit;
      font: inherit;
      font-size: 0.8rem;
      cursor: pointer;
    }
    .attr-chip[aria-checked="true"] {
      border-color: var(--_accent);
      background: var(--_accent-soft);
      box-shadow: inset 0 0 0 1px var(--_accent);
    }
    .attr-chip:disabled,
    .attr-input:disabled {
      opacity: 0.6;
      cursor: not-allowed;
    }
    .attr-input {
      box-sizing: border-box;
      width: 100%;
      min-height: 1.9rem;
      padding: 0.2rem 0.45rem;
      border: 1px solid var(--_border);
      border-radius: 6px;
      background: var(--_surface);
      color: inherit;
      font: inherit;
      font-size: 0.85rem;
    }
    .attr-input:focus-visible,
    .attr-chip:focus-visible {
      outline: 2px solid var(--_accent);
      outline-offset: 1px;
    }
    .attr.invalid .attr-input,
    .attr.invalid .attr-chip {
      border-color: var(--_danger, #b42318);
    }
    .attr-help {
      color: var(--_muted);
      font-size: 0.72rem;
    }
    .todo {
      display: inline-grid;
      place-items: center;
      flex: none;
      width: 1rem;
      height: 1rem;
      border-radius: 50%;
      background: var(--_danger-soft);
      color: var(--_danger);
      font-size: 0.7rem;
      font-weight: 700;
    }
    .attr-problem {
      color: var(--_danger, #b42318);
      font-size: 0.75rem;
    }
  `;
