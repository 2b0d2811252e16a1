/**
 * The region list of the image elements, virtual: rows are ROW_PX tall and only those in the
 * LIST_PX-high window (plus OVERSCAN above and below) are in the DOM, so 20,000 objects list as
 * cheaply as 20. Arrow keys, Home and End on a row move the selection through the whole list
 * (rendered or not); the element selects the object, scrolls its row into the window and focuses it.
 */
import { html, nothing, type TemplateResult } from "lit";

export const ROW_PX = 30;
export const LIST_PX = 320;
export const OVERSCAN = 8;

/** The rows `[first, last)` to render for a list of `count` whose window starts at row `top`. */
export function rowWindow(count: number, top: number): { first: number; last: number } {
  const first = Math.max(0, Math.min(top, count) - OVERSCAN);
  const last = Math.min(count, top + Math.ceil(LIST_PX / ROW_PX) + OVERSCAN);
  return { first, last };
}

/** The row a key moves to from `index` in a list of `count` (null: not a navigation key). */
export function rowForKey(key: string, index: number, count: number): number | null {
  if (!count) return null;
  const page = Math.floor(LIST_PX / ROW_PX);
  const to =
    key === "ArrowDown" ? index + 1
    : key === "ArrowUp" ? index - 1
    : key === "PageDown" ? index + page
    : key === "PageUp" ? index - page
    : key === "Home" ? 0
    : key === "End" ? count - 1
    : null;
  return to === null ? null : Math.max(0, Math.min(count - 1, to));
}

export interface RegionListOptions<T> {
  /** The list's accessible name ("Boxes", "Polygons"). */
  label: string;
  items: readonly T[];
  /** The first row in the window (from the list's scroll position). */
  top: number;
  renderRow(item: T, index: number): TemplateResult;
  onScroll(top: number): void;
  /** A navigation key on row `index` asks for row `to`. */
  onMove(to: number): void;
}

/** The row index of the `.pick` button an event came from (each row's first button carries it). */
function rowIndexOf(e: Event): number | null {
  const el = e.composedPath()[0] as HTMLElement | undefined;
  const row = el?.closest?.("[data-row]") as HTMLElement | null | undefined;
  const n = row ? Number(row.dataset.row) : NaN;
  return Number.isInteger(n) ? n : null;
}

export function renderRegionList<T>(o: RegionListOptions<T>): TemplateResult {
  const { first, last } = rowWindow(o.items.length, o.top);
  const rows: TemplateResult[] = [];
  for (let i = first; i < last; i++) rows.push(o.renderRow(o.items[i]!, i));
  return html`<ul class="region-list" aria-label=${o.label}
    @scroll=${(e: Event) => {
      const top = Math.floor((e.target as HTMLElement).scrollTop / ROW_PX);
      if (top !== o.top) o.onScroll(top);
    }}
    @keydown=${(e: KeyboardEvent) => {
      const index = rowIndexOf(e);
      const to = index === null || e.altKey || e.ctrlKey || e.metaKey ? null : rowForKey(e.key, index, o.items.length);
      if (to === null) return;
      // Arrow keys would otherwise reach the canvas and nudge the selected object.
      e.preventDefault();
      e.stopPropagation();
      o.onMove(to);
    }}>
    <li class="spacer" role="presentation" style="height:${first * ROW_PX}px"></li>
    ${rows}
    <li class="spacer" role="presentation" style="height:${(o.items.length - last) * ROW_PX}px"></li>
  </ul>`;
}

/** The row's mark for an object whose attributes still need a value (or hold a bad one). */
export function attributeMark(problem: { message: string } | null): TemplateResult | typeof nothing {
  return problem ? html`<span class="todo" title=${`Attributes: ${problem.message}`} aria-label="attributes to fill in">!</span>` : nothing;
}

/** Scrolls `list` so that row `index` is inside its window. */
export function scrollRowIntoView(list: HTMLElement, index: number): void {
  const top = index * ROW_PX;
  if (top < list.scrollTop) list.scrollTop = top;
  else if (top + ROW_PX > list.scrollTop + list.clientHeight) list.scrollTop = top + ROW_PX - list.clientHeight;
}

/** Focuses the pick button of row `index` once it is rendered (after a move by key). */
export function focusRow(root: ParentNode, index: number): void {
  root.querySelector<HTMLElement>(`[data-row="${index}"] .pick`)?.focus({ preventScroll: true });
}
