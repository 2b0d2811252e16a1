/**
 * Length and style guidance of the demonstration elements (`<lw-question-answer-generation>`,
 * `<lw-chat-editor>`, `<lw-image-caption>`, `<lw-video-caption>`), read from their `guidance`
 * attribute, and the same checks the server runs (core/tasktypes/demonstration_guidance.py):
 * words are runs of non-space characters; forbidden phrases match case-insensitively with runs of
 * spaces folded. Pure: no DOM.
 */
import { parseAttributeLiteral } from "../../lib/loose-json";

export interface Guidance {
  instructions: string;
  minWords: number | null;
  maxWords: number | null;
  forbiddenPhrases: string[];
  minQuestions: number;
  maxQuestions: number | null;
  questionMinWords: number | null;
  questionMaxWords: number | null;
  answerMinWords: number | null;
  answerMaxWords: number | null;
  requireReferences: boolean;
  requireTags: boolean;
  allowNewTurns: boolean;
  minCaptions: number;
  maxCaptions: number | null;
}

export const NO_GUIDANCE: Guidance = {
  instructions: "",
  minWords: null,
  maxWords: null,
  forbiddenPhrases: [],
  minQuestions: 1,
  maxQuestions: null,
  questionMinWords: null,
  questionMaxWords: null,
  answerMinWords: null,
  answerMaxWords: null,
  requireReferences: true,
  requireTags: false,
  allowNewTurns: false,
  minCaptions: 1,
  maxCaptions: null,
};

function count(v: unknown): number | null {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : null;
}

/** The guidance of an attribute (JSON or the loose literal a template author writes); bad keys fall back. */
export function parseGuidance(raw: string | null | undefined): Guidance {
  if (!raw) return { ...NO_GUIDANCE };
  let v: unknown;
  try {
    v = parseAttributeLiteral(raw);
  } catch {
    return { ...NO_GUIDANCE };
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) return { ...NO_GUIDANCE };
  const g = v as Record<string, unknown>;
  const bool = (k: string, d: boolean): boolean => (typeof g[k] === "boolean" ? (g[k] as boolean) : d);
  return {
    instructions: typeof g.instructions === "string" ? g.instructions : "",
    minWords: count(g.minWords),
    maxWords: count(g.maxWords),
    forbiddenPhrases: Array.isArray(g.forbiddenPhrases)
      ? g.forbiddenPhrases.filter((p): p is string => typeof p === "string" && p.trim() !== "")
      : [],
    minQuestions: count(g.minQuestions) ?? 1,
    maxQuestions: count(g.maxQuestions),
    questionMinWords: count(g.questionMinWords),
    questionMaxWords: count(g.questionMaxWords),
    answerMinWords: count(g.answerMinWords),
    answerMaxWords: count(g.answerMaxWords),
    requireReferences: bool("requireReferences", true),
    requireTags: bool("requireTags", false),
    allowNewTurns: bool("allowNewTurns", false),
    minCaptions: count(g.minCaptions) ?? 1,
    maxCaptions: count(g.maxCaptions),
  };
}

export function wordCount(text: string): number {
  const t = text.trim();
  return t ? t.split(/\s+/u).length : 0;
}

function fold(text: string): string {
  return text.normalize("NFKC").toLocaleLowerCase("und").replace(/\s+/gu, " ").trim();
}

/** The first forbidden phrase the text uses, or null. */
export function forbiddenIn(text: string, phrases: readonly string[]): string | null {
  const folded = fold(text);
  return phrases.find((p) => folded.includes(fold(p))) ?? null;
}

/** Why the text cannot be submitted (empty, too short, too long, a forbidden phrase), or null. */
export function textProblem(
  text: string,
  what: string,
  min: number | null,
  max: number | null,
  forbidden: readonly string[],
): string | null {
  if (!text.trim()) return `The ${what} is empty.`;
  const n = wordCount(text);
  if (min !== null && n < min) return `The ${what} has ${n} words; write at least ${min}.`;
  if (max !== null && n > max) return `The ${what} has ${n} words; write at most ${max}.`;
  const bad = forbiddenIn(text, forbidden);
  if (bad !== null) return `The ${what} uses the forbidden phrase “${bad}”.`;
  return null;
}

/** "12 words · 5–40" — the live counter under a text box. */
export function wordBudget(text: string, min: number | null, max: number | null): string {
  const n = wordCount(text);
  const range = min !== null && max !== null ? `${min}–${max}` : min !== null ? `at least ${min}` : max !== null ? `at most ${max}` : "";
  return range ? `${n} word${n === 1 ? "" : "s"} · ${range}` : `${n} word${n === 1 ? "" : "s"}`;
}

/** True when the count is outside the bounds (the counter turns red). */
export function outOfBudget(text: string, min: number | null, max: number | null): boolean {
  const n = wordCount(text);
  return (min !== null && n < min) || (max !== null && n > max);
}
