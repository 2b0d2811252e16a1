/**
 * How the document is cut for rendering and how spans are drawn in one piece of it. The text is
 * split into paragraphs (at "\n") and long paragraphs into chunks of at most `CHUNK_MAX` code
 * units (at a sentence end or a space); a chunk is the unit the view re-renders, so an edit costs
 * one chunk's HTML and layout, not the document's. Inside a chunk the text is cut at every span boundary into flat `<span>`
 * segments (never nested, so native selection and offsets stay simple); each span is a bar under
 * its text at its own level (stacked for overlap and nesting) and a tag before its first
 * character. Pure: strings in, strings out.
 */
import type { Entity } from "./model";

export const CHUNK_MAX = 2000;
/** Vertical distance between stacked bars, and their thickness, in CSS pixels. */
export const BAR_STEP = 4;
export const BAR_HEIGHT = 3;

export interface Chunk {
  readonly index: number;
  readonly paragraph: number;
  readonly start: number;
  readonly end: number;
}

export interface Paragraph {
  readonly start: number;
  readonly end: number;
  readonly firstChunk: number;
  readonly chunkCount: number;
}

export interface Cut {
  paragraphs: Paragraph[];
  chunks: Chunk[];
}

/** Paragraphs at each "\n" (the newline belongs to none), long ones in chunks cut at white space. */
export function cutText(text: string, max = CHUNK_MAX): Cut {
  const paragraphs: Paragraph[] = [];
  const chunks: Chunk[] = [];
  let s = 0;
  while (s <= text.length) {
    let e = text.indexOf("\n", s);
    if (e < 0) e = text.length;
    const first = chunks.length;
    let c = s;
    do {
      let ce = Math.min(e, c + max);
      if (ce < e) {
        // Prefer a sentence end, then any space: a long paragraph's chunks are blocks (see view.ts),
        // so each cut ends a line early, which reads best after a full stop.
        const stop = text.lastIndexOf(". ", ce - 2);
        const space = text.lastIndexOf(" ", ce - 1);
        if (stop > c + max / 2) ce = stop + 2;
        else if (space > c + max / 2) ce = space + 1;
        // Never end a chunk inside a surrogate pair.
        const code = text.charCodeAt(ce - 1);
        if (code >= 0xd800 && code <= 0xdbff) ce--;
      }
      chunks.push({ index: chunks.length, paragraph: paragraphs.length, start: c, end: ce });
      c = ce;
    } while (c < e);
    paragraphs.push({ start: s, end: e, firstChunk: first, chunkCount: chunks.length - first });
    s = e + 1;
  }
  return { paragraphs, chunks };
}

/** The chunk holding offset `u16` (a newline belongs to the chunk before it). */
export function chunkAt(chunks: readonly Chunk[], u16: number): Chunk {
  let lo = 0;
  let hi = chunks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (chunks[mid]!.start <= u16) lo = mid;
    else hi = mid - 1;
  }
  return chunks[lo]!;
}

/** Indices of the chunks that [start, end) touches (at least the chunk at `start`). */
export function chunksOver(chunks: readonly Chunk[], start: number, end: number): number[] {
  const first = chunkAt(chunks, start).index;
  const out = [first];
  for (let i = first + 1; i < chunks.length && chunks[i]!.start < end; i++) out.push(i);
  return out;
}

export interface SpanStyle {
  colour(label: string): string;
  short(label: string): string;
  selectedId: string | null;
  /** Spans linked to the selected one by a relation (drawn with a dashed outline). */
  related: ReadonlySet<string>;
  /** A span the worker points at in the relation list. */
  hoverId: string | null;
}

/** A span proposed by a model (`source: "model"`) that no worker has edited. */
export function isProposal(e: Entity): boolean {
  return e.extra.source === "model" && e.extra.edited !== true;
}

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ESC[c]!);
}

/**
 * Bar levels for the spans of one chunk: outer spans first (start, then longest), each on the
 * lowest level free at its start, so nested and overlapping spans stack instead of hiding.
 */
export function assignLevels(spans: readonly Entity[]): Map<string, number> {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end || (a.label < b.label ? -1 : 1));
  const levelEnds: number[] = [];
  const out = new Map<string, number>();
  for (const e of sorted) {
    let level = levelEnds.findIndex((end) => end <= e.start);
    if (level < 0) level = levelEnds.length;
    levelEnds[level] = e.end;
    out.set(e.id, level);
  }
  return out;
}

/** The HTML of one chunk: flat segments with `data-s` (their UTF-16 start) and the bars' styles. */
export function chunkHtml(text: string, chunk: Chunk, spans: readonly Entity[], style: SpanStyle): string {
  if (chunk.start === chunk.end) return "";
  const cuts = new Set<number>([chunk.start, chunk.end]);
  for (const e of spans) {
    if (e.start > chunk.start && e.start < chunk.end) cuts.add(e.start);
    if (e.end > chunk.start && e.end < chunk.end) cuts.add(e.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const levels = assignLevels(spans);
  let depth = 0;
  for (const l of levels.values()) depth = Math.max(depth, l + 1);
  let html = "";
  for (let i = 0; i < points.length - 1; i++) {
    const s = points[i]!;
    const e = points[i + 1]!;
    const body = escapeHtml(text.slice(s, e));
    const covering = spans.filter((x) => x.start <= s && x.end >= e);
    if (!covering.length) {
      html += `<span class="s" data-s="${s}">${body}</span>`;
      continue;
    }
    const layers: string[] = [];
    let tint: string | null = null;
    let cls = "s m";
    for (const x of covering) {
      const c = style.colour(x.label);
      const lift = levels.get(x.id)! * BAR_STEP;
      const h = x.id === style.selectedId ? BAR_HEIGHT + 1 : BAR_HEIGHT;
      // A model's proposal not yet touched by a worker is drawn dashed: it is a suggestion.
      const image = isProposal(x) ? `repeating-linear-gradient(90deg,${c} 0 5px,transparent 5px 8px)` : `linear-gradient(${c},${c})`;
      layers.push(`${image} 0 calc(100% - ${lift}px)/100% ${h}px no-repeat`);
      if (x.id === style.selectedId) {
        tint = c;
        cls += " sel";
      } else if (x.id === style.hoverId) tint ??= c;
      if (style.related.has(x.id)) cls += " rel";
    }
    if (tint) layers.push(`linear-gradient(${tint}33,${tint}33)`);
    const starting = covering.filter((x) => x.start === s);
    const tags = starting
      .sort((a, b) => levels.get(a.id)! - levels.get(b.id)!)
      .map((x) => style.short(x.label))
      .join("·");
    const tagAttr = tags
      ? ` data-tags="${escapeHtml(tags)}" style="--tc:${style.colour(starting[0]!.label)};padding-bottom:${depth * BAR_STEP}px;background:${layers.join(",")}"`
      : ` style="padding-bottom:${depth * BAR_STEP}px;background:${layers.join(",")}"`;
    html += `<span class="${cls}" data-s="${s}"${tagAttr}>${body}</span>`;
  }
  return html;
}
