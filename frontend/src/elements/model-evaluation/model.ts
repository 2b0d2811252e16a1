/**
 * The state of `<lw-model-evaluation>` without the DOM: the models' responses in the order shown
 * (shuffled per annotator by a seed, as in text-ranking), one answer per criterion, and the posted
 * value in Bedrock's five methods (docs/task-types/model-evaluation.md). The server maps the shown
 * order back to model ids; here everything is kept per model id and posted in the shown order.
 */
import { shuffledOrder } from "../text-ranking/model";
import { readStoredAnswer } from "./canonical";

export const METHODS = ["thumbs", "likert", "comparison-likert", "choice", "rank"] as const;
export type Method = (typeof METHODS)[number];
export type Thumb = "up" | "down";

export interface Criterion { name: string; description: string; method: Method }
export interface ModelReply { model: string; text: string }

export interface EvaluationValue {
  displayOrder: string[];
  criteria: Record<string, JsonAnswer>;
}
type JsonAnswer = number | (number | string | null)[];

/** `modelResponses` ({response, modelIdentifier}) first, then `lw-generations` replies of other models. */
export function parseReplies(responses: unknown, generations: unknown): { replies: ModelReply[]; problems: string[] } {
  const replies: ModelReply[] = [];
  const problems: string[] = [];
  if (Array.isArray(responses)) {
    responses.forEach((r, i) => {
      const o = r && typeof r === "object" ? r as Record<string, unknown> : {};
      if (typeof o.response !== "string" || typeof o.modelIdentifier !== "string" || !o.modelIdentifier) {
        problems.push(`responses[${i}] needs a 'response' text and a 'modelIdentifier'`);
      } else if (!replies.some((x) => x.model === o.modelIdentifier)) {
        replies.push({ model: o.modelIdentifier, text: o.response });
      }
    });
  }
  if (generations && typeof generations === "object" && !Array.isArray(generations)) {
    for (const [model, g] of Object.entries(generations as Record<string, unknown>)) {
      const text = g && typeof g === "object" ? (g as Record<string, unknown>).text : undefined;
      if (typeof text === "string" && !replies.some((x) => x.model === model)) replies.push({ model, text });
    }
  }
  return { replies, problems };
}

export function parseCriteria(raw: unknown): Criterion[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((c) => {
    const o = c && typeof c === "object" ? c as Record<string, unknown> : {};
    const method = METHODS.find((m) => m === o.method);
    return typeof o.name === "string" && method
      ? [{ name: o.name, description: typeof o.description === "string" ? o.description : "", method }] : [];
  });
}

export class EvaluationModel {
  readonly shown: ModelReply[];
  /** per criterion: per model id a thumb / rating / rank; `choice` and `comparison-likert` under "" */
  private readonly answers = new Map<string, Map<string, number | Thumb>>();
  /** per criterion and model ("" whole-item): the stored figure a control shows rounded (a Likert
   * mean 4.67) or what consolidation adds (a rank's score); gone once that answer is changed */
  private readonly notes = new Map<string, Map<string, string>>();

  constructor(readonly replies: ModelReply[], seed: string, readonly allCriteria: Criterion[]) {
    this.shown = shuffledOrder(replies, seed);
    for (const c of allCriteria) this.answers.set(c.name, new Map());
  }

  get k(): number { return this.shown.length; }

  /** The criteria this item asks: a comparison Likert needs exactly two responses. */
  get criteria(): Criterion[] {
    return this.allCriteria.filter((c) => c.method !== "comparison-likert" || this.k === 2);
  }

  get(criterion: string, model = ""): number | Thumb | null {
    return this.answers.get(criterion)?.get(model) ?? null;
  }

  note(criterion: string, model = ""): string | null {
    return this.notes.get(criterion)?.get(model) ?? null;
  }

  /** Set one answer (null clears). A rank given to one response is taken from any other holding it. */
  set(criterion: string, model: string, answer: number | Thumb | null): void {
    const m = this.answers.get(criterion);
    if (!m) return;
    const c = this.allCriteria.find((x) => x.name === criterion);
    // a changed rank reorders the others: the consolidated scores no longer describe them
    if (c?.method === "rank") this.notes.delete(criterion);
    else this.notes.get(criterion)?.delete(model);
    if (answer === null) { m.delete(model); return; }
    if (c?.method === "rank") {
      for (const [other, r] of m) if (other !== model && r === answer) m.delete(other);
    }
    m.set(model, answer);
  }

  /** What is still missing, in words (null when every asked criterion is answered). */
  problem(): string | null {
    for (const c of this.criteria) {
      const m = this.answers.get(c.name)!;
      const whole = c.method === "choice" || c.method === "comparison-likert";
      if (whole ? !m.has("") : this.shown.some((r) => !m.has(r.model))) {
        return `Answer “${c.name}”${whole ? "" : " for every response"}.`;
      }
    }
    return null;
  }

  value(): EvaluationValue {
    const criteria: Record<string, JsonAnswer> = {};
    for (const c of this.criteria) {
      const m = this.answers.get(c.name)!;
      if (c.method === "choice" || c.method === "comparison-likert") {
        const v = m.get("");
        if (typeof v === "number") criteria[c.name] = v;
      } else {
        criteria[c.name] = this.shown.map((r) => m.get(r.model) ?? null);
      }
    }
    return { displayOrder: this.shown.map((r) => r.model), criteria };
  }

  /**
   * Restore a posted value (answers in its displayOrder) or a stored one (canonical or consolidated,
   * answers keyed by model id: ./canonical.ts); returns what could not be read.
   */
  load(raw: unknown): string[] {
    const o = raw && typeof raw === "object" ? raw as Record<string, unknown> : {};
    const order = Array.isArray(o.displayOrder) ? o.displayOrder.map(String) : this.shown.map((r) => r.model);
    const given = o.criteria && typeof o.criteria === "object" ? o.criteria as Record<string, unknown> : {};
    const problems: string[] = [];
    for (const c of this.criteria) {
      const v = given[c.name];
      if (v === undefined || v === null) continue;
      if (typeof v === "object" && !Array.isArray(v)) {
        const read = readStoredAnswer(c, v as Record<string, unknown>, this.shown.map((r) => r.model));
        problems.push(...read.problems);
        for (const p of read.presets) this.set(c.name, p.model, p.answer);
        const notes = new Map(read.presets.flatMap((p) => (p.note ? [[p.model, p.note] as const] : [])));
        if (notes.size) this.notes.set(c.name, notes);
        else this.notes.delete(c.name);
      } else if (typeof v === "number") this.set(c.name, "", v);
      else if (Array.isArray(v) && v.length === order.length) {
        v.forEach((a, i) => { if (a === "up" || a === "down" || typeof a === "number") this.set(c.name, order[i]!, a); });
      } else problems.push(`initial value: ${c.name} has the wrong shape`);
    }
    return problems;
  }
}
