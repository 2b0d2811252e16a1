/**
 * The state of `<lw-text-ranking>` without the DOM: responses in the order shown (shuffled per
 * annotator by a seed), ranks per dimension, the Likert choice, classes, the rationale, and the
 * value the element posts (docs/task-types/text-ranking.md). Response ids follow the server's
 * rule (core/tasktypes/ranking.py): a response's `id`, else `r1`, `r2`… by its position.
 */

export interface RankResponse {
  id: string;
  text: string;
}

export interface Dimension {
  name: string;
  description: string;
  allowTie: boolean;
}

export interface RankingValue {
  displayOrder: string[];
  ordinalRankingDimensions: { name: string; responseRankings: number[] }[];
  pairwiseChoice?: { left: string; right: string; choice: number };
  responseClassifications?: { responseId: string; labels: string[] }[];
  rationale?: string;
}

/** A stored value (the server's canonical or consolidated answer, with `responseIds`), not a posted one. */
export function isStoredRanking(raw: unknown): boolean {
  return !!raw && typeof raw === "object" && Array.isArray((raw as Record<string, unknown>).responseIds);
}

/** Responses from the item: strings, or objects with text / response / content and an optional id. */
export function parseResponses(raw: unknown): { responses: RankResponse[]; problems: string[] } {
  const problems: string[] = [];
  if (!Array.isArray(raw)) return { responses: [], problems: ["responses: expected a list"] };
  const out: RankResponse[] = [];
  raw.forEach((r, i) => {
    if (typeof r === "string") {
      out.push({ id: `r${i + 1}`, text: r });
      return;
    }
    if (r && typeof r === "object") {
      const o = r as Record<string, unknown>;
      const text = [o.text, o.response, o.content].find((t) => typeof t === "string") as string | undefined;
      if (text === undefined) {
        problems.push(`responses[${i}]: no text`);
        return;
      }
      const id = typeof o.id === "string" || typeof o.id === "number" ? String(o.id) : `r${i + 1}`;
      out.push({ id, text });
      return;
    }
    problems.push(`responses[${i}]: expected a string or an object with text`);
  });
  return { responses: out, problems };
}

export function parseDimensions(raw: unknown): Dimension[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((d): Dimension[] => {
    if (typeof d === "string") return [{ name: d, description: "", allowTie: false }];
    if (!d || typeof d !== "object") return [];
    const o = d as Record<string, unknown>;
    const name = typeof o.name === "string" ? o.name : typeof o.label === "string" ? o.label : null;
    if (!name) return [];
    const tie = o.allowTie ?? o["allow-tie"];
    return [{ name, description: typeof o.description === "string" ? o.description : "", allowTie: tie === true }];
  });
}

/** A 32-bit hash of the seed string (FNV-1a), the start of a mulberry32 stream. */
function hashSeed(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The same permutation for the same seed; the item's order for an empty seed. */
export function shuffledOrder<T>(items: readonly T[], seed: string): T[] {
  const out = [...items];
  if (!seed) return out;
  let state = hashSeed(seed);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export class RankingModel {
  /** Responses in the order shown. */
  readonly shown: RankResponse[];
  /** dimension name -> response id -> rank (1-based) */
  readonly ranks = new Map<string, Map<string, number>>();
  likert: number | null = null;
  readonly classes = new Map<string, string[]>();
  rationale = "";

  constructor(
    responses: RankResponse[],
    seed: string,
    readonly dimensions: Dimension[],
    readonly likertScale: string[],
    readonly classNames: string[],
    readonly multiClass = true,
  ) {
    this.shown = shuffledOrder(responses, seed);
    for (const d of dimensions) this.ranks.set(d.name, new Map());
  }

  get k(): number {
    return this.shown.length;
  }

  get likertActive(): boolean {
    return this.likertScale.length > 0 && this.k === 2;
  }

  rankOf(dim: string, id: string): number | null {
    return this.ranks.get(dim)?.get(id) ?? null;
  }

  /** Gives `id` rank `rank` (null clears). Without ties, the response holding that rank takes the old one. */
  setRank(dim: string, id: string, rank: number | null): void {
    const d = this.dimensions.find((x) => x.name === dim);
    const m = this.ranks.get(dim);
    if (!d || !m) return;
    if (rank === null) {
      m.delete(id);
      return;
    }
    if (rank < 1 || rank > this.k) return;
    if (!d.allowTie) {
      const holder = [...m.entries()].find(([other, r]) => r === rank && other !== id)?.[0];
      const old = m.get(id);
      if (holder !== undefined) {
        if (old !== undefined) m.set(holder, old);
        else m.delete(holder);
      }
    }
    m.set(id, rank);
  }

  /** Ranks from an order (best first): what dragging a response in the order list gives. */
  setOrder(dim: string, ids: string[]): void {
    const m = this.ranks.get(dim);
    if (!m) return;
    m.clear();
    ids.forEach((id, i) => m.set(id, i + 1));
  }

  /** Ids of `dim`, ranked first (by rank, then shown order), then the unranked in shown order. */
  order(dim: string): string[] {
    const pos = new Map(this.shown.map((r, i) => [r.id, i]));
    const rank = (id: string): number => this.rankOf(dim, id) ?? Infinity;
    return this.shown.map((r) => r.id).sort((a, b) => rank(a) - rank(b) || pos.get(a)! - pos.get(b)!);
  }

  /** Moves `id` to position `to` of the dimension's order and ranks every response by position. */
  move(dim: string, id: string, to: number): void {
    const ids = this.order(dim).filter((x) => x !== id);
    ids.splice(Math.max(0, Math.min(to, ids.length)), 0, id);
    this.setOrder(dim, ids);
  }

  toggleClass(id: string, label: string): void {
    const cur = this.classes.get(id) ?? [];
    let next: string[];
    if (cur.includes(label)) next = cur.filter((l) => l !== label);
    else next = this.multiClass ? [...cur, label] : [label];
    this.classes.set(id, this.classNames.filter((c) => next.includes(c)));
  }

  /** What is missing before submitting, in words (null when complete). */
  problem(opts: { likertRequired: boolean; classesRequired: boolean; rationaleRequired: boolean }): string | null {
    for (const d of this.dimensions) {
      const m = this.ranks.get(d.name)!;
      const missing = this.shown.filter((r) => !m.has(r.id)).length;
      if (missing) return `Rank every response for “${d.name}” (${missing} not ranked yet).`;
      if (!d.allowTie && new Set(m.values()).size !== this.k) return `“${d.name}” allows no ties: give each response its own rank.`;
    }
    if (this.likertActive && opts.likertRequired && this.likert === null) return "Choose how the two responses compare.";
    if (opts.classesRequired && this.classNames.length && this.shown.some((r) => !(this.classes.get(r.id) ?? []).length)) {
      return "Classify every response.";
    }
    if (opts.rationaleRequired && !this.rationale.trim()) return "Explain your ranking in the rationale box.";
    return null;
  }

  value(): RankingValue {
    const ids = this.shown.map((r) => r.id);
    const out: RankingValue = {
      displayOrder: ids,
      ordinalRankingDimensions: this.dimensions.map((d) => ({
        name: d.name,
        // 0 for a response not ranked yet: the server names it (ranks run from 1)
        responseRankings: ids.map((id) => this.rankOf(d.name, id) ?? 0),
      })),
    };
    if (this.likertActive && this.likert !== null) out.pairwiseChoice = { left: ids[0]!, right: ids[1]!, choice: this.likert };
    if (this.classNames.length) {
      out.responseClassifications = ids.map((id) => ({ responseId: id, labels: [...(this.classes.get(id) ?? [])] }));
    }
    if (this.rationale.trim()) out.rationale = this.rationale;
    return out;
  }

  /** Loads a posted value (a draft, an initial-value); ranks map by response id, whatever order it was shown in. */
  load(raw: unknown): string[] {
    const problems: string[] = [];
    for (const m of this.ranks.values()) m.clear();
    this.likert = null;
    this.classes.clear();
    this.rationale = "";
    if (!raw || typeof raw !== "object") return problems;
    const v = raw as Record<string, unknown>;
    const known = new Set(this.shown.map((r) => r.id));
    // a stored value (canonical or consolidated) ranks in the item's order, `responseIds`, whatever
    // order its worker saw (its displayOrder); a posted one ranks in its displayOrder
    const order = Array.isArray(v.responseIds) ? v.responseIds.map(String)
      : Array.isArray(v.displayOrder) ? v.displayOrder.map(String) : this.shown.map((r) => r.id);
    if (Array.isArray(v.ordinalRankingDimensions)) {
      for (const d of v.ordinalRankingDimensions as Record<string, unknown>[]) {
        const m = this.ranks.get(String(d?.name));
        if (!m || !Array.isArray(d.responseRankings)) {
          problems.push(`unknown dimension ${JSON.stringify(d?.name)}`);
          continue;
        }
        d.responseRankings.forEach((r, i) => {
          const id = order[i];
          if (id !== undefined && known.has(id) && typeof r === "number" && r >= 1 && r <= this.k) m.set(id, r);
        });
      }
    }
    const pc = v.pairwiseChoice as Record<string, unknown> | undefined;
    if (pc && typeof pc.choice === "number" && this.likertActive) {
      const points = this.likertScale.length;
      const first = this.shown[0]!.id;
      const left = typeof pc.left === "string" ? pc.left : order[0];
      this.likert = left === first ? pc.choice : points + 1 - pc.choice;
    }
    if (Array.isArray(v.responseClassifications)) {
      for (const e of v.responseClassifications as Record<string, unknown>[]) {
        const id = String(e?.responseId);
        if (known.has(id) && Array.isArray(e.labels)) this.classes.set(id, this.classNames.filter((c) => (e.labels as unknown[]).includes(c)));
      }
    }
    if (typeof v.rationale === "string") this.rationale = v.rationale;
    return problems;
  }
}
