/**
 * Type-to-filter for long label lists (a classifier with 50+ labels). Pure: no DOM.
 *
 * Matching ignores case and accents. Labels where the query starts a word come first, then the
 * labels that merely contain it, each group in the project's order: so typing "sp" and pressing
 * Enter takes "Sport" before "Transport", and the order never jumps around between keystrokes.
 */

function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}+/gu, "").toLocaleLowerCase();
}

function startsAWord(label: string, query: string): boolean {
  if (label.startsWith(query)) return true;
  for (let i = label.indexOf(query); i > 0; i = label.indexOf(query, i + 1)) {
    if (!/[\p{L}\p{N}]/u.test(label[i - 1]!)) return true;
  }
  return false;
}

/** The labels matching `query`, best first; all of them, in order, for an empty query. */
export function filterLabels(labels: readonly string[], query: string): string[] {
  const q = fold(query.trim());
  if (!q) return [...labels];
  const first: string[] = [];
  const rest: string[] = [];
  for (const label of labels) {
    const folded = fold(label);
    if (!folded.includes(q)) continue;
    (startsAWord(folded, q) ? first : rest).push(label);
  }
  return [...first, ...rest];
}

/** Below this many labels a list is short enough to scan: no filter box. */
export const FILTER_MIN_LABELS = 12;
