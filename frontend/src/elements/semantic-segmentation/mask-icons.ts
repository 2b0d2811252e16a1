import { html } from "lit";
import type { MaskToolName } from "../../canvas/mask-controller";

/** Toolbar icons of the segmentation elements (20×20, currentColor). */
export const ICONS: Record<MaskToolName, ReturnType<typeof html>> = {
  brush: html`<svg viewBox="0 0 20 20"><path d="M16.5 2.5l1 1-7 8-2-2z" fill="currentColor"/><path d="M8 10.5c-2 0-3.5 1.5-3.5 3.5 0 1-.5 2-2 2.5 3 1 7 .5 7.5-3.5z" fill="currentColor"/></svg>`,
  eraser: html`<svg viewBox="0 0 20 20"><path d="M11 3l6 6-7.5 7.5H5L2.5 14z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/><path d="M6.5 8.5l6 6" stroke="currentColor" stroke-width="1.6"/><path d="M9.5 16.5H18" stroke="currentColor" stroke-width="1.6"/></svg>`,
  polygon: html`<svg viewBox="0 0 20 20"><path d="M4 6l7-3 5 6-3 8-9-2z" fill="currentColor" fill-opacity=".35" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/></svg>`,
  wand: html`<svg viewBox="0 0 20 20"><path d="M3 17L13 7" stroke="currentColor" stroke-width="2" stroke-linecap="round"/><path d="M14 1.5v3M14 9.5v3M9.5 7h-3M18.5 7h-3M11 4l-1.5-1.5M17 10l1.5 1.5M17 4l1.5-1.5" stroke="currentColor" stroke-width="1.4" stroke-linecap="round"/></svg>`,
  fill: html`<svg viewBox="0 0 20 20"><path d="M9 2.5l7 7-6 6-7-7z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/><path d="M3 8.5h13L10 15.5z" fill="currentColor"/><path d="M17.5 12.5s1.5 2 1.5 3a1.5 1.5 0 01-3 0c0-1 1.5-3 1.5-3z" fill="currentColor"/></svg>`,
  pick: html`<svg viewBox="0 0 20 20"><path d="M5 3l10 7-4.5 1 2.5 5-2 1-2.5-5L5 15z" fill="currentColor"/></svg>`,
  superpixel: html`<svg viewBox="0 0 20 20"><path d="M2 2h7l1 5-4 3-4-1zM9 2h9v6l-4 2-4-3zM2 9l4 1 1 8H2zM6 10l4-3 4 3-1 8H7zM14 10l4-2v10h-5z" fill="none" stroke="currentColor" stroke-width="1.3" stroke-linejoin="round"/><path d="M6 10l4-3 4 3-1 8H7z" fill="currentColor" fill-opacity=".45"/></svg>`,
  grabcut: html`<svg viewBox="0 0 20 20"><rect x="2.5" y="2.5" width="15" height="15" rx="1" fill="none" stroke="currentColor" stroke-width="1.4" stroke-dasharray="3 2"/><path d="M7 14c-1-3 1-7 4-7s3.5 3 2 5-4 3-6 2z" fill="currentColor"/></svg>`,
  pan: html`<svg viewBox="0 0 20 20"><path d="M10 2l3 3h-2v4h4V7l3 3-3 3v-2h-4v4h2l-3 3-3-3h2v-4H5v2l-3-3 3-3v2h4V5H7z" fill="currentColor"/></svg>`,
};

export const EYE = html`<svg viewBox="0 0 20 20"><path d="M2 10s3-5 8-5 8 5 8 5-3 5-8 5-8-5-8-5z" fill="none" stroke="currentColor" stroke-width="1.5"/><circle cx="10" cy="10" r="2.5" fill="currentColor"/></svg>`;
export const EYE_OFF = html`<svg viewBox="0 0 20 20"><path d="M3 3l14 14M2 10s3-5 8-5 8 5 8 5-3 5-8 5-8-5-8-5z" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>`;
export const BIN = html`<svg viewBox="0 0 20 20"><path d="M6 6h8l-.8 11H6.8zM4.5 4.5h11M8 4.5V3h4v1.5" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>`;
