/**
 * The chrome every full-width labeling element shares (the classifiers and the canvas-based image
 * editors): the host box, the header, the instructions panel with its short/full slots and the
 * "full instructions" disclosure. Elements add their own rules after it.
 */
import { css } from "lit";

export const elementChromeStyles = css`
  :host {
    display: block;
    container-type: inline-size;
    margin: 0 0 1.25rem;
  }
  :host([hidden]) {
    display: none;
  }
  .header {
    margin: 0 0 0.75rem;
    font-size: 1.125rem;
    font-weight: 600;
  }
  .instructions {
    margin: 0 0 1rem;
    padding: 0.65rem 0.9rem;
    border-left: 3px solid var(--_accent);
    border-radius: 0 var(--_radius) var(--_radius) 0;
    background: var(--_subtle);
    font-size: 0.925rem;
    line-height: 1.5;
  }
  ::slotted([slot="short"]),
  ::slotted([slot="full"]) {
    display: block;
  }
  .full summary {
    color: var(--_accent);
    font-weight: 500;
    cursor: pointer;
  }
`;
