import { css } from "lit";

/** The chrome of <lw-label-verification-view>: toolbar, stage, legend. */
export const verificationViewStyles = css`
  :host {
    display: block;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.25rem;
    margin-bottom: 0.5rem;
  }
  button {
    display: inline-flex;
    align-items: center;
    gap: 0.3rem;
    height: 2rem;
    padding: 0 0.55rem;
    border: 1px solid var(--_border);
    border-radius: 6px;
    background: var(--_surface);
    color: var(--_fg);
    font: 500 0.82rem/1 var(--_font);
    cursor: pointer;
  }
  button:hover {
    background: var(--_subtle);
  }
  button[aria-pressed="true"] {
    border-color: var(--_accent);
    background: var(--_accent-soft);
    color: var(--_accent);
  }
  button kbd {
    font-family: var(--_font); /* a mono O reads as the zero hotkey */
  }
  .zoom {
    min-width: 3.2rem;
    color: var(--_muted);
    font: 0.8rem var(--_mono);
    text-align: center;
  }
  .opacity {
    display: inline-flex;
    align-items: center;
    gap: 0.3rem;
    color: var(--_muted);
    font-size: 0.8rem;
  }
  .stage {
    position: relative;
    height: min(62vh, 640px);
    max-height: min(62vh, 640px);
    min-height: 200px;
    overflow: hidden;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: repeating-conic-gradient(#eceff3 0 25%, #f8f9fb 0 50%) 0 0 / 16px 16px;
    cursor: grab;
    touch-action: none;
  }
  /* The earlier object under the pointer: its label and attribute values. */
  .hover-card {
    position: absolute;
    z-index: 2;
    max-width: 18rem;
    padding: 0.3rem 0.5rem;
    border: 1px solid var(--_border);
    border-radius: 6px;
    background: var(--_surface, #fff);
    box-shadow: 0 2px 8px rgb(0 0 0 / 0.18);
    font-size: 0.8rem;
    pointer-events: none;
  }
  .hover-card .values {
    display: block;
  }
  .hover-card .none {
    color: var(--_muted);
  }
  .stage:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 1px;
  }
  .stage:active {
    cursor: grabbing;
  }
  canvas {
    display: block;
    width: 100%;
    height: 100%;
  }
  .status {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    color: var(--_muted);
    font-size: 0.9rem;
    pointer-events: none;
  }
  .legend {
    display: flex;
    flex-wrap: wrap;
    gap: 0.35rem 0.9rem;
    margin: 0.5rem 0 0;
    padding: 0;
    list-style: none;
    font-size: 0.85rem;
  }
  .legend li {
    display: inline-flex;
    align-items: center;
    gap: 0.35rem;
  }
  .swatch {
    width: 0.8rem;
    height: 0.8rem;
    border-radius: 3px;
  }
  .count {
    color: var(--_muted);
  }
  .empty {
    color: var(--_muted);
  }
`;
