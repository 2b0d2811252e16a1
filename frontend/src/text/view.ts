/**
 * The DOM side of the span editor: one `<div class="p" dir="auto">` per paragraph (so Arabic
 * and Hebrew paragraphs run right to left by their own first strong character), one
 * `<span class="c">` per chunk inside it, flat segments inside those (layout.ts). It maps DOM
 * points to UTF-16 offsets and back, mirrors the editor's range into the native selection, and
 * draws the keyboard caret. It knows nothing of labels or history.
 */
import { chunkAt, type Cut } from "./layout";

const SVG = "http://www.w3.org/2000/svg";
/** Characters per content-visibility block of paragraphs. */
const GROUP_CHARS = 3000;

/** One arrow: from one span to another (UTF-16 ranges), with the relation's label. */
export interface Arrow {
  from: [number, number];
  to: [number, number];
  label: string;
  colour: string;
}

export interface DomPoint {
  node: Node;
  offset: number;
}

/** `ShadowRoot.getSelection` is Chromium's (and WebKit's); elsewhere the document's selection is used. */
type SelectionRoot = Document | (ShadowRoot & { getSelection?: () => Selection | null });

export class TextView {
  readonly root: HTMLDivElement;
  private chunkEls: HTMLElement[] = [];
  private readonly caretEl: HTMLDivElement;
  /** Relation arrows of the selected span, in the text's own (scrolled) coordinates. */
  private readonly arrowsEl: SVGSVGElement;

  constructor(
    readonly host: HTMLElement,
    private readonly text: string,
    private readonly cut: Cut,
  ) {
    this.root = document.createElement("div");
    this.root.className = "doc";
    this.caretEl = document.createElement("div");
    this.caretEl.className = "caret";
    this.caretEl.hidden = true;
    this.arrowsEl = document.createElementNS(SVG, "svg");
    this.arrowsEl.setAttribute("class", "arrows");
    this.arrowsEl.setAttribute("aria-hidden", "true");
    host.replaceChildren(this.root, this.caretEl, this.arrowsEl);
  }

  /**
   * Builds every paragraph in one innerHTML write (the fastest way to put 200 KB on screen).
   * Paragraphs are grouped in blocks of about `GROUP_CHARS` characters that carry
   * `content-visibility: auto`: a few hundred such blocks rather than one per (often short or
   * empty) paragraph keeps the work of skipping, showing and hit-testing them small.
   */
  renderAll(chunkHtml: (index: number) => string): void {
    const parts: string[] = ['<div class="pg">'];
    let inGroup = 0;
    this.cut.paragraphs.forEach((p, n) => {
      if (inGroup >= GROUP_CHARS) {
        parts.push('</div><div class="pg">');
        inGroup = 0;
      }
      inGroup += p.end - p.start + 1;
      parts.push(`<div class="p${p.start === p.end ? " empty" : ""}" dir="auto" data-p="${n}">`);
      // The chunks of a long paragraph are blocks: an edit then lays out one chunk, not one
      // inline run of the whole paragraph (a 200 KB paragraph cost 30-80 ms an edit inline).
      const tag = p.chunkCount > 1 ? `<span class="c blk">` : `<span class="c">`;
      for (let i = p.firstChunk; i < p.firstChunk + p.chunkCount; i++) parts.push(`${tag}${chunkHtml(i)}</span>`);
      parts.push("</div>");
    });
    parts.push("</div>");
    this.root.innerHTML = parts.join("");
    this.chunkEls = Array.from(this.root.querySelectorAll<HTMLElement>(".c"));
  }

  renderChunk(index: number, html: string): void {
    const el = this.chunkEls[index];
    if (el) el.innerHTML = html;
  }

  // ---- DOM points ↔ offsets ------------------------------------------------------------------

  /** The UTF-16 offset of a DOM boundary point inside the document, or null outside it. */
  pointToOffset(node: Node, offset: number): number | null {
    if (!this.root.contains(node)) return null;
    if (node.nodeType === Node.TEXT_NODE) {
      const seg = node.parentElement!;
      return Number(seg.dataset.s) + Math.min(offset, (node as Text).length);
    }
    const el = node as HTMLElement;
    if (el.classList.contains("s")) return Number(el.dataset.s) + (offset > 0 ? el.textContent!.length : 0);
    if (el.classList.contains("c")) {
      const i = this.chunkEls.indexOf(el);
      const chunk = this.cut.chunks[i]!;
      const child = el.childNodes[offset] as HTMLElement | undefined;
      return child ? Number(child.dataset.s) : chunk.end;
    }
    if (el.classList.contains("p")) {
      const para = this.cut.paragraphs[Number(el.dataset.p)]!;
      return offset >= el.childNodes.length ? para.end : this.cut.chunks[para.firstChunk + offset]!.start;
    }
    if (el.classList.contains("pg") || el === this.root) {
      // A point between paragraphs (or groups): the start of the one after it, else the end of the last.
      const next = el.childNodes[offset] as HTMLElement | undefined;
      const first = next ? (next.classList.contains("pg") ? (next.firstElementChild as HTMLElement) : next) : null;
      if (first) return this.cut.paragraphs[Number(first.dataset.p)]!.start;
      const lastP = el === this.root ? null : (el.lastElementChild as HTMLElement | null);
      return lastP ? this.cut.paragraphs[Number(lastP.dataset.p)]!.end : this.text.length;
    }
    return null;
  }

  /** The DOM point of a UTF-16 offset (inside a segment's text when there is one). */
  offsetToPoint(u16: number): DomPoint {
    const chunk = chunkAt(this.cut.chunks, u16);
    const el = this.chunkEls[chunk.index]!;
    let seg: HTMLElement | null = null;
    for (const child of Array.from(el.children) as HTMLElement[]) {
      if (Number(child.dataset.s) <= u16) seg = child;
      else break;
    }
    if (!seg || !seg.firstChild) return { node: el, offset: 0 };
    const t = seg.firstChild as Text;
    return { node: t, offset: Math.min(u16 - Number(seg.dataset.s), t.length) };
  }

  // ---- native selection ----------------------------------------------------------------------

  private selection(): Selection | null {
    const root = this.root.getRootNode() as SelectionRoot;
    if ("getSelection" in root && typeof root.getSelection === "function") return root.getSelection();
    return document.getSelection();
  }

  /** The native selection as [anchor, focus] offsets, or null when it is not in the document. */
  readSelection(): [number, number] | null {
    const sel = this.selection();
    if (!sel || !sel.anchorNode || !sel.focusNode) return null;
    const a = this.pointToOffset(sel.anchorNode, sel.anchorOffset);
    const f = this.pointToOffset(sel.focusNode, sel.focusOffset);
    return a === null || f === null ? null : [a, f];
  }

  /** Shows [anchor, focus] as the native selection (collapsed: cleared, the caret drawn instead). */
  showRange(anchor: number, focus: number, caret: boolean): void {
    const sel = this.selection();
    if (anchor === focus) {
      sel?.removeAllRanges();
      this.showCaret(caret ? focus : null);
      return;
    }
    this.showCaret(null);
    const a = this.offsetToPoint(anchor);
    const f = this.offsetToPoint(focus);
    sel?.setBaseAndExtent(a.node, a.offset, f.node, f.offset);
  }

  clearSelection(): void {
    this.selection()?.removeAllRanges();
  }

  private showCaret(u16: number | null): void {
    if (u16 === null) {
      this.caretEl.hidden = true;
      return;
    }
    const p = this.offsetToPoint(u16);
    const range = document.createRange();
    range.setStart(p.node, p.offset);
    range.collapse(true);
    let r = range.getClientRects()[0] ?? null;
    if (!r && p.node.nodeType === Node.TEXT_NODE) r = (p.node.parentElement as HTMLElement).getBoundingClientRect();
    if (!r) r = (p.node as HTMLElement).getBoundingClientRect?.() ?? null;
    if (!r) return;
    const host = this.host.getBoundingClientRect();
    this.caretEl.hidden = false;
    this.caretEl.style.transform = `translate(${r.left - host.left + this.host.scrollLeft}px, ${r.top - host.top + this.host.scrollTop}px)`;
    this.caretEl.style.height = `${Math.max(r.height, 16)}px`;
  }

  /** Scrolls the text so that `u16` is in view (nearest edge, no jump when it already is). */
  reveal(u16: number): void {
    const p = this.offsetToPoint(u16);
    const el = p.node.nodeType === Node.TEXT_NODE ? p.node.parentElement! : (p.node as HTMLElement);
    el.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  /** The paragraph's writing direction at `u16` (arrow keys follow what the eye sees). */
  isRtlAt(u16: number): boolean {
    const chunk = chunkAt(this.cut.chunks, u16);
    const el = this.chunkEls[chunk.index]?.parentElement;
    return !!el && getComputedStyle(el).direction === "rtl";
  }

  /** The UTF-16 offset under a viewport point (for Up/Down through wrapped lines), or null. */
  offsetAtPoint(x: number, y: number): number | null {
    const doc = document as Document & { caretPositionFromPoint?: (x: number, y: number, o?: unknown) => CaretPosition | null };
    const root = this.root.getRootNode();
    const pos = doc.caretPositionFromPoint?.(x, y, root instanceof ShadowRoot ? { shadowRoots: [root] } : undefined);
    if (!pos) return null;
    return this.pointToOffset(pos.offsetNode, pos.offset);
  }

  /** The viewport box of the character at `u16` (for Up/Down). */
  rectAt(u16: number): DOMRect | null {
    const p = this.offsetToPoint(u16);
    const range = document.createRange();
    range.setStart(p.node, p.offset);
    range.collapse(true);
    return range.getClientRects()[0] ?? (p.node.nodeType === Node.TEXT_NODE ? p.node.parentElement!.getBoundingClientRect() : null);
  }

  /** The first line box of [start, end) in the host's scrolled coordinates. */
  private spanBox(start: number, end: number): { x: number; y: number } | null {
    const a = this.offsetToPoint(start);
    const b = this.offsetToPoint(end);
    const range = document.createRange();
    range.setStart(a.node, a.offset);
    range.setEnd(b.node, b.offset);
    const r = Array.from(range.getClientRects()).find((x) => x.width > 0);
    if (!r) return null;
    const host = this.host.getBoundingClientRect();
    return { x: r.left - host.left + this.host.scrollLeft + r.width / 2, y: r.top - host.top + this.host.scrollTop };
  }

  /**
   * Draws the selected span's relations as arcs over the text (only those: arrows for every
   * relation of a long document would cost a layout read each and hide the text).
   */
  drawArrows(arrows: readonly Arrow[]): void {
    const parts: string[] = [];
    for (const a of arrows) {
      const p = this.spanBox(a.from[0], a.from[1]);
      const q = this.spanBox(a.to[0], a.to[1]);
      if (!p || !q) continue;
      const lift = Math.min(60, 18 + Math.abs(q.x - p.x) / 8 + Math.abs(q.y - p.y) / 4);
      const cx = (p.x + q.x) / 2;
      // Kept inside the text box: an arc over the first line stays flatter instead of being clipped.
      const cy = Math.max(6, Math.min(p.y, q.y) - lift);
      const label = a.label.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
      // The arrowhead: a short V at the target, along the curve's last direction.
      const dx = q.x - cx;
      const dy = q.y - 2 - cy;
      const len = Math.hypot(dx, dy) || 1;
      const ux = dx / len;
      const uy = dy / len;
      const hx = q.x;
      const hy = q.y - 2;
      const head = `M${hx - 7 * ux - 4 * uy},${hy - 7 * uy + 4 * ux}L${hx},${hy}L${hx - 7 * ux + 4 * uy},${hy - 7 * uy - 4 * ux}`;
      parts.push(
        `<path d="M${p.x},${p.y - 2}Q${cx},${cy} ${hx},${hy}" fill="none" stroke="${a.colour}" stroke-width="1.6"/>` +
          `<path d="${head}" fill="none" stroke="${a.colour}" stroke-width="1.6"/>` +
          `<text x="${cx}" y="${(p.y + q.y) / 4 + cy / 2 - 3}" text-anchor="middle" fill="${a.colour}">${label}</text>`,
      );
    }
    this.arrowsEl.innerHTML = parts.join("");
  }
}
