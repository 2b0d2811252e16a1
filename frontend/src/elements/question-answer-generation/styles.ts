import { css } from "lit";

export const qaStyles = css`
  .layout {
    display: grid;
    grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
    gap: 1rem;
    align-items: start;
  }
  @media (max-width: 700px) {
    .layout {
      grid-template-columns: 1fr;
    }
  }
  .passage {
    white-space: pre-wrap;
    line-height: 1.6;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_subtle);
    padding: 0.75rem 0.9rem;
    max-height: min(70vh, 600px);
    overflow: auto;
    cursor: text;
  }
  .passage mark {
    background: #ffe08a;
    color: inherit;
    border-radius: 2px;
    box-shadow: 0 0 0 1px #e0b000;
  }
  .pair {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.5rem 0.7rem 0.6rem;
    margin-bottom: 0.6rem;
    background: var(--_surface);
  }
  .pair.active {
    border-color: var(--_accent);
    box-shadow: 0 0 0 1px var(--_accent);
  }
  .pair-head {
    display: flex;
    gap: 0.5rem;
    align-items: baseline;
  }
  .pair-head .hint {
    font-size: 0.78rem;
    color: var(--_muted);
  }
  .pair-head .remove {
    margin-left: auto;
    font-size: 0.78rem;
  }
  .tags {
    display: flex;
    flex-wrap: wrap;
    gap: 0.3rem;
    margin-top: 0.35rem;
  }
  .tag[aria-pressed="true"] {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_accent-fg);
  }
  .refs {
    margin-top: 0.4rem;
    display: flex;
    flex-wrap: wrap;
    gap: 0.3rem;
    font-size: 0.85rem;
  }
  .ref {
    background: #fff4cc;
    border: 1px solid #e0b000;
    border-radius: 6px;
    padding: 0.1rem 0.2rem 0.1rem 0.45rem;
  }
  .ref button {
    border: none;
    background: transparent;
    padding: 0 0.3rem;
  }
  .none {
    color: var(--_muted);
  }
  .quote {
    margin-top: 0.4rem;
  }
  .quote input {
    width: 100%;
    font: inherit;
    font-size: 0.85rem;
    padding: 0.25rem 0.45rem;
    border: 1px dashed var(--_border-strong);
    border-radius: 6px;
  }
  .quote-error {
    color: var(--_danger);
    font-size: 0.8rem;
  }
`;
