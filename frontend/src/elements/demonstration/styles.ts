import { css } from "lit";

/** What the four demonstration elements share: the guidance box, text boxes with word counters, errors. */
export const demonstrationStyles = css`
  :host {
    display: block;
    max-width: 60rem;
  }
  h2.header {
    font-size: 1.05rem;
    margin: 0 0 0.6rem;
  }
  .guidance {
    border: 1px solid var(--_border);
    border-left: 4px solid var(--_accent);
    border-radius: var(--_radius);
    background: var(--_accent-soft);
    padding: 0.5rem 0.75rem;
    margin-bottom: 0.75rem;
    font-size: 0.9rem;
  }
  .guidance p {
    margin: 0 0 0.25rem;
  }
  .guidance .bounds {
    color: var(--_muted);
  }
  textarea {
    width: 100%;
    font: inherit;
    padding: 0.45rem 0.55rem;
    border: 1px solid var(--_border-strong);
    border-radius: 6px;
    resize: vertical;
    min-height: 2.6rem;
    background: var(--_surface);
    color: var(--_fg);
  }
  textarea:focus-visible,
  button:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 1px;
  }
  .counter {
    font-size: 0.78rem;
    color: var(--_muted);
    text-align: right;
  }
  .counter.over {
    color: var(--_danger);
    font-weight: 600;
  }
  button {
    font: inherit;
    font-size: 0.88rem;
    border: 1px solid var(--_border-strong);
    background: var(--_surface);
    color: var(--_fg);
    border-radius: 6px;
    padding: 0.25rem 0.6rem;
    cursor: pointer;
  }
  button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_accent-fg);
  }
  button[disabled] {
    opacity: 0.5;
    cursor: default;
  }
  .error {
    color: var(--_danger);
    background: var(--_danger-soft);
    border-radius: 6px;
    padding: 0.35rem 0.6rem;
    margin-top: 0.5rem;
    font-size: 0.9rem;
  }
  label.field {
    display: block;
    font-size: 0.82rem;
    font-weight: 600;
    color: var(--_muted);
    margin: 0.35rem 0 0.15rem;
  }
`;
