/**
 * Merging a model's proposed spans into a document (the "Find entities" button,
 * docs/assist.md): which proposals become new entities and what the status line counts. Pure: no
 * DOM, no model; the element hands the result to `TextModel.addEntities` as one undoable step.
 */
import type { Region } from "../lib/assist-client";
import type { OffsetIndex } from "./offsets";

/** A span already in the document, in the model's UTF-16 offsets. */
export interface ExistingSpan {
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

/** A span to add: UTF-16 offsets, and what the output keeps (`source`, `model`, `score`). */
export interface ProposedSpan {
  readonly label: string;
  readonly start: number;
  readonly end: number;
  readonly extra: { source: "model"; model: string; score?: number };
}

export interface MergeResult {
  add: ProposedSpan[];
  /** Span regions the model returned (other kinds are not counted). */
  proposed: number;
  /** Same label and offsets as a span the document has (or as an earlier proposal). */
  already: number;
  /** A label the element does not offer, or none at all. */
  unknownLabel: number;
  /** Past the end of this text (a stale answer for another text). */
  outside: number;
}

/**
 * The proposals to add: span regions with one of `labels`, inside the text, not duplicating a span
 * of `existing` or each other. Offsets arrive in code points and leave in UTF-16 (`index`).
 */
export function mergeProposals(
  regions: readonly Region[],
  existing: readonly ExistingSpan[],
  labels: readonly string[],
  index: OffsetIndex,
  model: string,
): MergeResult {
  const known = new Set(labels);
  const key = (label: string, start: number, end: number) => `${label}\u0000${start}\u0000${end}`;
  const have = new Set(existing.map((e) => key(e.label, e.start, e.end)));
  const out: MergeResult = { add: [], proposed: 0, already: 0, unknownLabel: 0, outside: 0 };
  for (const r of regions) {
    if (r.kind !== "span") continue;
    out.proposed++;
    if (r.label === undefined || !known.has(r.label)) {
      out.unknownLabel++;
      continue;
    }
    if (r.endOffset > index.codePointLength) {
      out.outside++;
      continue;
    }
    const start = index.toUtf16(r.startOffset);
    const end = index.toUtf16(r.endOffset);
    const k = key(r.label, start, end);
    if (have.has(k)) {
      out.already++;
      continue;
    }
    have.add(k);
    const extra: ProposedSpan["extra"] = { source: "model", model };
    if (typeof r.score === "number" && r.score >= 0 && r.score <= 1) extra.score = r.score;
    out.add.push({ label: r.label, start, end, extra });
  }
  return out;
}

/** The status line after a merge: "12 proposed, 9 added, 2 already there, 1 with an unknown label". */
export function describeMerge(m: MergeResult): string {
  if (m.proposed === 0) return "No entities found";
  const parts = [`${m.proposed} proposed`];
  parts.push(m.add.length === m.proposed ? "all added" : `${m.add.length} added`);
  if (m.already) parts.push(`${m.already} already there`);
  if (m.unknownLabel) parts.push(`${m.unknownLabel} with an unknown label`);
  if (m.outside) parts.push(`${m.outside} outside the text`);
  return parts.join(", ");
}

/**
 * The best suggested document label the element offers (the assist answers best first), or
 * null. `label` regions only; other kinds are ignored.
 */
export function topDocumentLabel(regions: readonly Region[], documentLabels: readonly string[]): string | null {
  let best: { label: string; score: number } | null = null;
  for (const r of regions) {
    if (r.kind !== "label" || !documentLabels.includes(r.label)) continue;
    const score = r.score ?? 0;
    if (!best || score > best.score) best = { label: r.label, score };
  }
  return best?.label ?? null;
}
