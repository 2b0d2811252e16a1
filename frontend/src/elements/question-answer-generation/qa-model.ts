/**
 * The state of `<lw-question-answer-generation>`: question–answer pairs with tags and references
 * into the passage. References are kept in UTF-16 offsets (the DOM's) and converted to Unicode code
 * points at the boundary (the contract: Python `str` indices), as `src/text/offsets.ts` does for
 * entities. Pure: no DOM.
 */
import { OffsetIndex, normalizeSelection } from "../../text/offsets";
import { textProblem, type Guidance } from "../demonstration/guidance";

export interface Reference {
  /** UTF-16 offsets into the passage, end exclusive. */
  start: number;
  end: number;
}

export interface QaPair {
  question: string;
  answer: string;
  tags: string[];
  references: Reference[];
}

export interface QaOutput {
  questionAnswerPairs: {
    question: string;
    answer: string;
    tags: string[];
    references: { startOffset: number; endOffset: number }[];
  }[];
}

export function emptyPair(): QaPair {
  return { question: "", answer: "", tags: [], references: [] };
}

/** Adds the selection [a, b) (UTF-16) to a pair's references: grapheme-aligned, trimmed, sorted, once. */
export function addReference(text: string, pair: QaPair, a: number, b: number): QaPair {
  const sel = normalizeSelection(text, a, b, false);
  if (!sel) return pair;
  const [start, end] = sel;
  if (pair.references.some((r) => r.start === start && r.end === end)) return pair;
  const references = [...pair.references, { start, end }].sort((x, y) => x.start - y.start || x.end - y.end);
  return { ...pair, references };
}

export function toOutput(text: string, pairs: readonly QaPair[], tagOrder: readonly string[]): QaOutput {
  const index = new OffsetIndex(text);
  return {
    questionAnswerPairs: pairs.map((p) => ({
      question: p.question.trim(),
      answer: p.answer.trim(),
      tags: tagOrder.filter((t) => p.tags.includes(t)),
      references: p.references.map((r) => ({ startOffset: index.toCodePoint(r.start), endOffset: index.toCodePoint(r.end) })),
    })),
  };
}

/** Pairs from a draft or an initial value (code points back to UTF-16); anything malformed is dropped. */
export function fromOutput(text: string, value: unknown): QaPair[] {
  const raw = (value as { questionAnswerPairs?: unknown } | null)?.questionAnswerPairs;
  if (!Array.isArray(raw)) return [];
  const index = new OffsetIndex(text);
  const out: QaPair[] = [];
  for (const p of raw) {
    if (!p || typeof p !== "object") continue;
    const o = p as Record<string, unknown>;
    const refs = Array.isArray(o.references) ? o.references : [];
    out.push({
      question: typeof o.question === "string" ? o.question : "",
      answer: typeof o.answer === "string" ? o.answer : "",
      tags: Array.isArray(o.tags) ? o.tags.filter((t): t is string => typeof t === "string") : [],
      references: refs
        .filter((r): r is { startOffset: number; endOffset: number } =>
          !!r && typeof r.startOffset === "number" && typeof r.endOffset === "number" && r.endOffset > r.startOffset)
        .map((r) => ({ start: index.toUtf16(r.startOffset), end: index.toUtf16(r.endOffset) })),
    });
  }
  return out;
}

export interface Problem {
  /** The pair the problem is in (-1: the list as a whole). */
  pair: number;
  message: string;
}

/** The first reason the pairs cannot be submitted, or null (the server checks the same). */
export function qaProblem(pairs: readonly QaPair[], g: Guidance): Problem | null {
  if (pairs.length < g.minQuestions) return { pair: -1, message: `Write at least ${g.minQuestions} question${g.minQuestions === 1 ? "" : "s"}.` };
  if (g.maxQuestions !== null && pairs.length > g.maxQuestions) return { pair: -1, message: `Write at most ${g.maxQuestions} questions.` };
  const seen = new Map<string, number>();
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i]!;
    const q = textProblem(p.question, "question", g.questionMinWords, g.questionMaxWords, g.forbiddenPhrases);
    if (q) return { pair: i, message: `Question ${i + 1}: ${q}` };
    const a = textProblem(p.answer, "answer", g.answerMinWords, g.answerMaxWords, g.forbiddenPhrases);
    if (a) return { pair: i, message: `Question ${i + 1}: ${a}` };
    if (g.requireTags && !p.tags.length) return { pair: i, message: `Question ${i + 1}: choose a tag.` };
    if (g.requireReferences && !p.references.length) {
      return { pair: i, message: `Question ${i + 1}: highlight the passage that supports the answer.` };
    }
    const key = `${p.question.trim().toLowerCase().replace(/\s+/g, " ")}\u0000${p.answer.trim().toLowerCase().replace(/\s+/g, " ")}`;
    if (seen.has(key)) return { pair: i, message: `Question ${i + 1} repeats question ${seen.get(key)! + 1}.` };
    seen.set(key, i);
  }
  return null;
}

/** The passage cut into runs, each marked when one of `refs` covers it (for the highlighted view). */
export function passageRuns(text: string, refs: readonly Reference[]): { start: number; end: number; marked: boolean }[] {
  const cuts = new Set<number>([0, text.length]);
  for (const r of refs) {
    cuts.add(Math.max(0, Math.min(r.start, text.length)));
    cuts.add(Math.max(0, Math.min(r.end, text.length)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const runs = [];
  for (let i = 0; i < points.length - 1; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    if (end > start) runs.push({ start, end, marked: refs.some((r) => r.start <= start && r.end >= end) });
  }
  return runs;
}

/**
 * Where `quote` occurs in the passage (UTF-16 offsets), for adding a reference by keyboard: the
 * first exact occurrence not already referenced, else the first one ignoring case and runs of
 * white space; null when the passage does not contain it.
 */
export function findQuote(text: string, quote: string, taken: readonly Reference[] = []): Reference | null {
  const q = quote.trim();
  if (!q) return null;
  const free = (start: number, end: number): boolean => !taken.some((r) => r.start === start && r.end === end);
  for (let at = text.indexOf(q); at >= 0; at = text.indexOf(q, at + 1)) {
    if (free(at, at + q.length)) return { start: at, end: at + q.length };
  }
  const escaped = q.split(/\s+/u).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("\\s+");
  const re = new RegExp(escaped, "giu");
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (free(m.index, m.index + m[0].length)) return { start: m.index, end: m.index + m[0].length };
  }
  return null;
}
