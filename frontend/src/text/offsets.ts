/**
 * Offsets between the DOM's UTF-16 code units and the contract's Unicode code points (Python `str`
 * indices), and the boundaries a selection snaps to: grapheme clusters (never split an emoji ZWJ
 * sequence, a flag or a letter with its combining marks) and, with token snap, words. Pure: no DOM.
 */

/** True for a UTF-16 high (leading) surrogate. */
function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Converts offsets of one text both ways in O(log n): it records where each surrogate pair starts,
 * so a 200 KB document with a few emoji costs a few numbers, not a table per character.
 */
export class OffsetIndex {
  /** UTF-16 index of the high surrogate of every astral character, ascending. */
  private readonly pairs: number[] = [];
  readonly utf16Length: number;
  readonly codePointLength: number;

  constructor(readonly text: string) {
    for (let i = 0; i < text.length - 1; i++) {
      if (isHigh(text.charCodeAt(i)) && isLow(text.charCodeAt(i + 1))) {
        this.pairs.push(i);
        i++;
      }
    }
    this.utf16Length = text.length;
    this.codePointLength = text.length - this.pairs.length;
  }

  /** Pairs whose high surrogate lies before `u16` (a pair split by `u16` counts as before). */
  private pairsBefore(u16: number): number {
    let lo = 0;
    let hi = this.pairs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.pairs[mid]! < u16) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The code point offset of a UTF-16 offset; one inside a surrogate pair rounds down to the pair's start. */
  toCodePoint(u16: number): number {
    const u = Math.max(0, Math.min(u16, this.utf16Length));
    // Between a pair's halves, the pair counts as before u, which rounds u down to its start.
    return u - this.pairsBefore(u);
  }

  /** The UTF-16 offset of a code point offset (clamped to the text). */
  toUtf16(cp: number): number {
    const c = Math.max(0, Math.min(cp, this.codePointLength));
    // The answer u satisfies u - pairsBefore(u) == c; search the pairs list for how many lie before it.
    let lo = 0;
    let hi = this.pairs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      // Code point offset of the mid-th pair's start: pairs[mid] - mid.
      if (this.pairs[mid]! - mid < c) lo = mid + 1;
      else hi = mid;
    }
    return c + lo;
  }
}

/** One-off conversions (tests, small texts). */
export function utf16ToCodePoint(text: string, u16: number): number {
  return new OffsetIndex(text).toCodePoint(u16);
}

export function codePointToUtf16(text: string, cp: number): number {
  return new OffsetIndex(text).toUtf16(cp);
}

let graphemes: Intl.Segmenter | null = null;
let words: Intl.Segmenter | null = null;

function graphemeSegmenter(): Intl.Segmenter {
  return (graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" }));
}

function wordSegmenter(): Intl.Segmenter {
  return (words ??= new Intl.Segmenter(undefined, { granularity: "word" }));
}

/**
 * The grapheme boundary at or before `pos` (`dir` -1) or at or after it (`dir` +1) in `text`.
 * Only a window around `pos` is segmented (clusters are short), so this is cheap on long texts.
 */
export function snapToGrapheme(text: string, pos: number, dir: -1 | 1): number {
  const p = Math.max(0, Math.min(pos, text.length));
  if (p === 0 || p === text.length) return p;
  // A cluster longer than 64 code units (a flag sequence run, Zalgo text) is rare; widen then.
  for (let radius = 64; ; radius *= 4) {
    const from = Math.max(0, p - radius);
    const to = Math.min(text.length, p + radius);
    const seg = graphemeSegmenter().segment(text.slice(from, to)).containing(p - from);
    if (!seg) return p;
    const start = from + seg.index;
    const end = start + seg.segment.length;
    // A cluster touching the window's edge may continue past it: look again, wider.
    if ((start === from && from > 0) || (end === to && to < text.length)) {
      if (radius < text.length) continue;
    }
    if (start === p) return p;
    return dir < 0 ? start : end;
  }
}

/** The next (dir +1) or previous (dir -1) grapheme boundary from `pos`: one caret step. */
export function stepGrapheme(text: string, pos: number, dir: -1 | 1): number {
  if (dir > 0) {
    if (pos >= text.length) return text.length;
    return snapToGrapheme(text, pos + 1, 1);
  }
  if (pos <= 0) return 0;
  return snapToGrapheme(text, pos - 1, -1);
}

/**
 * Builds both segmenters and runs them once. The first use of Intl.Segmenter loads ICU's break
 * data (tens of milliseconds): done when the browser is idle after open, not in the first gesture.
 */
export function warmUpSegmenters(): void {
  for (const seg of graphemeSegmenter().segment("a\u0301 b")) void seg;
  for (const seg of wordSegmenter().segment("warm up")) void seg;
}

interface WordSpan {
  start: number;
  end: number;
}

/** Word-like segments of text[from, to) in absolute offsets (punctuation and spaces left out). */
function wordsIn(text: string, from: number, to: number): WordSpan[] {
  const out: WordSpan[] = [];
  for (const s of wordSegmenter().segment(text.slice(from, to))) {
    if (s.isWordLike) out.push({ start: from + s.index, end: from + s.index + s.segment.length });
  }
  return out;
}

/**
 * The caret's position after one word step (Ctrl+arrow): forward to the end of the next word,
 * backward to the start of the previous one, as text editors do.
 */
export function stepWord(text: string, pos: number, dir: -1 | 1): number {
  const radius = 200;
  if (dir > 0) {
    const ws = wordsIn(text, pos, Math.min(text.length, pos + radius));
    const w = ws.find((x) => x.end > pos);
    return w ? w.end : Math.min(text.length, pos + radius);
  }
  const from = Math.max(0, pos - radius);
  const ws = wordsIn(text, from, pos);
  for (let i = ws.length - 1; i >= 0; i--) if (ws[i]!.start < pos) return ws[i]!.start;
  return from;
}

/**
 * Token snap: widen [start, end) to whole words (a selection ending inside "Berlin" takes all of
 * it). Ends that fall on spaces or punctuation stay where they are.
 */
export function snapToWords(text: string, start: number, end: number): [number, number] {
  const from = Math.max(0, start - 100);
  const to = Math.min(text.length, end + 100);
  let s = start;
  let e = end;
  for (const w of wordsIn(text, from, to)) {
    if (w.start < s && w.end > s) s = w.start;
    if (w.start < e && w.end > e) e = w.end;
  }
  return [s, e];
}

/** Drops white space at both ends of [start, end) (a drag that began in a gap). */
export function trimRange(text: string, start: number, end: number): [number, number] {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(text[s]!)) s++;
  while (e > s && /\s/.test(text[e - 1]!)) e--;
  return [s, e];
}

/**
 * What a selection becomes: grapheme-aligned (outwards), trimmed of white space, optionally
 * snapped to words. Returns null when nothing but white space was selected.
 */
export function normalizeSelection(text: string, a: number, b: number, tokenSnap: boolean): [number, number] | null {
  let start = snapToGrapheme(text, Math.min(a, b), -1);
  let end = snapToGrapheme(text, Math.max(a, b), 1);
  [start, end] = trimRange(text, start, end);
  if (tokenSnap) [start, end] = snapToWords(text, start, end);
  return end > start ? [start, end] : null;
}
