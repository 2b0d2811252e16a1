import { css } from "lit";
import { BAR_STEP } from "../../text/layout";

/** `<lw-entity-annotation>`'s look: label bar, text with stacked span bars, relation list. */
export const entityStyles = css`
  :host {
    display: block;
  }
  .header {
    margin: 0 0 0.5rem;
    font-size: 1.1rem;
  }
  .instructions {
    margin: 0 0 0.75rem;
    color: var(--_muted);
  }
  .bar {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4rem;
    align-items: center;
    margin: 0 0 0.5rem;
  }
  .bar .title {
    color: var(--_muted);
    font-size: 0.8rem;
    margin-inline-end: 0.25rem;
  }
  .choice,
  .chip,
  .tool {
    display: inline-flex;
    gap: 0.4em;
    align-items: center;
    padding: 0.3em 0.6em;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: var(--_surface);
    color: var(--_fg);
    font: inherit;
    font-size: 0.9rem;
    cursor: pointer;
  }
  .tool {
    border-radius: 6px;
  }
  .tool:disabled {
    opacity: 0.45;
    cursor: default;
  }
  .choice[aria-pressed="true"],
  .chip[aria-checked="true"] {
    border-color: var(--_accent);
    background: var(--_accent-soft);
    box-shadow: inset 0 0 0 1px var(--_accent);
  }
  .swatch {
    width: 0.8em;
    height: 0.8em;
    border-radius: 2px;
  }
  .short {
    font-weight: 700;
    font-size: 0.8em;
  }
  .status {
    min-height: 1.4em;
    margin: 0.25rem 0;
    color: var(--_muted);
    font-size: 0.85rem;
  }
  .status strong {
    color: var(--_fg);
  }
  .assist-status {
    margin: 0 0 0.25rem;
    font-size: 0.85rem;
    color: var(--_fg);
  }
  .assist-status.failed {
    color: var(--_danger, #b00020);
  }
  .tool.assist[aria-busy="true"] {
    cursor: progress;
  }
  .body {
    display: grid;
    grid-template-columns: minmax(0, 1fr) 16rem;
    gap: 0.75rem;
  }
  .body.no-side {
    grid-template-columns: minmax(0, 1fr);
  }
  .text {
    position: relative;
    max-height: var(--lw-text-height, 70vh);
    overflow: auto;
    padding: 1.1rem 0.75rem 0.5rem;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    font-size: 1rem;
    line-height: calc(1.6em + ${BAR_STEP * 3}px);
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    cursor: text;
  }
  .text:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 1px;
  }
  .text.picking {
    cursor: crosshair;
  }
  .pg {
    content-visibility: auto;
    contain-intrinsic-size: auto 16em;
  }
  .p {
    margin: 0;
    min-height: 1em;
  }
  .c.blk {
    display: block;
    content-visibility: auto;
    contain-intrinsic-size: auto 10em;
  }
  .p.empty {
    min-height: 0.6em;
    height: 0.6em;
  }
  .s.m {
    cursor: pointer;
    border-radius: 2px;
  }
  .s[data-tags]::before {
    content: attr(data-tags);
    display: inline-block;
    margin-inline-end: 2px;
    padding: 0 3px;
    border-radius: 3px;
    background: var(--tc);
    color: #fff;
    font: 700 10px/14px var(--_font);
    vertical-align: 0.35em;
    user-select: none;
    pointer-events: none;
  }
  .s.sel {
    outline: 1px solid color-mix(in srgb, var(--_fg) 45%, transparent);
  }
  .s.rel {
    outline: 1px dashed var(--_fg);
  }
  .caret {
    position: absolute;
    top: 0;
    left: 0;
    width: 2px;
    background: var(--_fg);
    pointer-events: none;
    animation: blink 1s steps(1) infinite;
  }
  .arrows {
    position: absolute;
    top: 0;
    left: 0;
    width: 1px;
    height: 1px;
    overflow: visible;
    pointer-events: none;
  }
  .arrows text {
    font: 600 11px var(--_font);
    paint-order: stroke;
    stroke: var(--_surface);
    stroke-width: 3px;
  }
  @keyframes blink {
    50% {
      opacity: 0;
    }
  }
  .side {
    display: flex;
    flex-direction: column;
    gap: 0.5rem;
    font-size: 0.85rem;
  }
  .side h3 {
    margin: 0;
    font-size: 0.85rem;
    color: var(--_muted);
  }
  .rels {
    list-style: none;
    margin: 0;
    padding: 0;
    max-height: 40vh;
    overflow: auto;
  }
  .rels li {
    display: flex;
    gap: 0.3rem;
    align-items: center;
    padding: 0.2rem 0.3rem;
    border-radius: 4px;
  }
  .rels li:hover {
    background: var(--_subtle);
  }
  .rels .what {
    flex: 1;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  .mini {
    border: 0;
    background: none;
    color: var(--_muted);
    cursor: pointer;
    font-size: 1rem;
  }
  .hint {
    color: var(--_muted);
    font-size: 0.8rem;
    margin: 0.4rem 0 0;
  }
  .empty-note {
    color: var(--_muted);
  }
`;
