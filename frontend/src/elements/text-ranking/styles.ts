import { css } from "lit";

export const rankingStyles = css`
  :host {
    display: block;
  }
  .header {
    font-size: 1.05rem;
    font-weight: 600;
    margin: 0 0 0.6rem;
  }
  .prompt {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_subtle);
    padding: 0.6rem 0.8rem;
    margin-bottom: 0.8rem;
    max-height: 14rem;
    overflow: auto;
  }
  .turn {
    margin: 0.25rem 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .role {
    font-size: 0.75rem;
    font-weight: 600;
    text-transform: uppercase;
    color: var(--_muted);
    margin-right: 0.4rem;
  }
  [role="tablist"] {
    display: flex;
    gap: 0.25rem;
    border-bottom: 1px solid var(--_border);
    margin-bottom: 0.5rem;
  }
  [role="tab"] {
    font: inherit;
    background: none;
    border: 1px solid transparent;
    border-bottom: none;
    border-radius: var(--_radius) var(--_radius) 0 0;
    padding: 0.35rem 0.8rem;
    cursor: pointer;
    color: var(--_muted);
  }
  [role="tab"][aria-selected="true"] {
    color: var(--_fg);
    border-color: var(--_border);
    background: var(--_surface);
    margin-bottom: -1px;
    font-weight: 600;
  }
  [role="tab"] .done {
    color: #1a7f37;
    margin-left: 0.3rem;
  }
  .dim-info {
    color: var(--_muted);
    font-size: 0.9rem;
    margin: 0 0 0.6rem;
  }
  .badge {
    display: inline-block;
    font-size: 0.75rem;
    border: 1px solid var(--_border);
    border-radius: 999px;
    padding: 0 0.5rem;
    margin-left: 0.4rem;
  }
  .order {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.35rem;
    list-style: none;
    padding: 0.4rem 0.5rem;
    margin: 0 0 0.6rem;
    border: 1px dashed var(--_border-strong);
    border-radius: var(--_radius);
    min-height: 2.4rem;
  }
  .order .caption {
    color: var(--_muted);
    font-size: 0.85rem;
    margin-right: 0.3rem;
  }
  .order li.chip {
    display: inline-flex;
    align-items: center;
    gap: 0.3rem;
    border: 1px solid var(--_border-strong);
    border-radius: 999px;
    padding: 0.15rem 0.6rem;
    background: var(--_surface);
    cursor: grab;
    user-select: none;
  }
  .order li.chip.unranked {
    opacity: 0.6;
    border-style: dashed;
  }
  .order li.chip.over {
    outline: 2px solid var(--_accent);
  }
  .responses {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr));
    gap: 0.75rem;
  }
  .card {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    display: flex;
    flex-direction: column;
    min-width: 0;
  }
  .card:focus {
    outline: none;
  }
  .card:focus-visible,
  .card.focused {
    border-color: var(--_accent);
    box-shadow: 0 0 0 2px var(--_accent-soft);
  }
  .card header {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    padding: 0.4rem 0.6rem;
    border-bottom: 1px solid var(--_border);
    background: var(--_subtle);
    border-radius: var(--_radius) var(--_radius) 0 0;
  }
  .letter {
    font-weight: 700;
  }
  .rank-pill {
    margin-left: auto;
    font-weight: 700;
    min-width: 2.2rem;
    text-align: center;
    border-radius: 999px;
    padding: 0.05rem 0.5rem;
    background: var(--_accent);
    color: var(--_accent-fg);
  }
  .rank-pill.none {
    background: none;
    color: var(--_muted);
    border: 1px dashed var(--_border-strong);
  }
  select {
    font: inherit;
  }
  .text {
    padding: 0.6rem;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    max-height: 20rem;
    overflow: auto;
    line-height: 1.45;
  }
  .text.md {
    white-space: normal;
  }
  .text.md > :first-child {
    margin-top: 0;
  }
  .text.md > :last-child {
    margin-bottom: 0;
  }
  .text.md p,
  .text.md ul,
  .text.md ol,
  .text.md pre,
  .text.md blockquote {
    margin: 0 0 0.6em;
  }
  .text.md ul,
  .text.md ol {
    padding-left: 1.4em;
  }
  .text.md .h {
    font-weight: 700;
    margin: 0.4em 0 0.4em;
  }
  .text.md .h1,
  .text.md .h2 {
    font-size: 1.1em;
  }
  .text.md code {
    font-family: var(--_mono);
    font-size: 0.9em;
    background: var(--_subtle);
    border-radius: 4px;
    padding: 0 0.25em;
  }
  .text.md pre {
    background: var(--_subtle);
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 0.5em 0.6em;
    overflow: auto;
    white-space: pre;
  }
  .text.md pre code {
    background: none;
    padding: 0;
  }
  .text.md blockquote {
    border-left: 3px solid var(--_border-strong);
    padding-left: 0.6em;
    color: var(--_muted);
  }
  .text.md .link {
    text-decoration: underline dotted;
  }
  .chips {
    display: flex;
    flex-wrap: wrap;
    gap: 0.3rem;
    padding: 0.4rem 0.6rem 0.6rem;
    border-top: 1px solid var(--_border);
    margin-top: auto;
  }
  .chips button,
  .likert button {
    font: inherit;
    font-size: 0.85rem;
    border: 1px solid var(--_border-strong);
    border-radius: 999px;
    padding: 0.15rem 0.65rem;
    background: var(--_surface);
    cursor: pointer;
  }
  .chips button[aria-pressed="true"],
  .likert button[aria-checked="true"] {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_accent-fg);
  }
  fieldset {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    margin: 0.8rem 0 0;
    padding: 0.5rem 0.8rem 0.7rem;
  }
  legend {
    font-weight: 600;
    padding: 0 0.3rem;
  }
  .likert {
    display: flex;
    flex-wrap: wrap;
    gap: 0.35rem;
  }
  textarea {
    font: inherit;
    width: 100%;
    min-height: 4.5rem;
    resize: vertical;
    border: 1px solid var(--_border-strong);
    border-radius: var(--_radius);
    padding: 0.4rem 0.5rem;
  }
  .hint {
    color: var(--_muted);
    font-size: 0.85rem;
    margin: 0.5rem 0 0;
  }
  .error {
    margin-top: 0.7rem;
    color: var(--_danger);
    background: var(--_danger-soft);
    border-radius: var(--_radius);
    padding: 0.45rem 0.7rem;
  }
`;
