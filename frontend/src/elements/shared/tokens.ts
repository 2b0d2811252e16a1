import { css } from "lit";

/**
 * Design tokens for every element. Templates may override any `--lw-*` property on an ancestor
 * (`crowd-form { --lw-accent: #7a3cb0 }`).
 */
export const tokens = css`
  :host {
    --_fg: var(--lw-fg, #1d232b);
    --_muted: var(--lw-muted, #5d6673);
    --_border: var(--lw-border, #d0d7de);
    --_border-strong: var(--lw-border-strong, #afb8c1);
    --_surface: var(--lw-surface, #ffffff);
    --_subtle: var(--lw-subtle, #f6f8fa);
    --_accent: var(--lw-accent, #2f5fd0);
    --_accent-fg: var(--lw-accent-fg, #ffffff);
    --_accent-soft: var(--lw-accent-soft, #eef3fd);
    --_danger: var(--lw-danger, #b42318);
    --_danger-soft: var(--lw-danger-soft, #fef3f2);
    --_radius: var(--lw-radius, 8px);
    --_font: var(--lw-font, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif);
    --_mono: var(--lw-mono, ui-monospace, SFMono-Regular, Menlo, Consolas, monospace);
    font-family: var(--_font);
    color: var(--_fg);
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  kbd {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    min-width: 1.5em;
    height: 1.5em;
    padding: 0 0.35em;
    border: 1px solid var(--_border-strong);
    border-bottom-width: 2px;
    border-radius: 4px;
    background: var(--_surface);
    color: var(--_muted);
    font: 600 0.75rem/1 var(--_mono);
  }
  .error {
    display: flex;
    gap: 0.5em;
    align-items: flex-start;
    margin: 0.75rem 0 0;
    padding: 0.6rem 0.8rem;
    border: 1px solid color-mix(in srgb, var(--_danger) 35%, transparent);
    border-radius: var(--_radius);
    background: var(--_danger-soft);
    color: var(--_danger);
    font-size: 0.9rem;
    font-weight: 500;
  }
`;
