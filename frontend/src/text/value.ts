/**
 * Reads an `initial-value` or a draft (the contract's output shape, or a bare list of entities)
 * into the model's terms: UTF-16 offsets, ids for every entity, relations between known ids.
 * Entries it cannot use are left out and named (`entities[3].endOffset: …`), never guessed.
 */
import type { Entity, Relation, TextValue } from "./model";
import type { OffsetIndex } from "./offsets";

export interface ParsedTextValue {
  value: TextValue;
  problems: string[];
}

const EMPTY: TextValue = { entities: [], relations: [], documentLabels: [] };
const OWN_KEYS = new Set(["label", "startOffset", "endOffset", "id"]);

function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}

export function parseTextValue(raw: unknown, index: OffsetIndex): ParsedTextValue {
  const problems: string[] = [];
  if (raw === null || raw === undefined || raw === "") return { value: EMPTY, problems };
  let obj: Record<string, unknown>;
  if (Array.isArray(raw)) obj = { entities: raw };
  else if (typeof raw === "object") obj = raw as Record<string, unknown>;
  else return { value: EMPTY, problems: ["value must be an object with entities"] };

  const entities: Entity[] = [];
  const ids = new Set<string>();
  const list = obj.entities ?? [];
  if (!Array.isArray(list)) problems.push("entities must be a list");
  const pending: { item: Record<string, unknown>; i: number; start: number; end: number; label: string }[] = [];
  (Array.isArray(list) ? list : []).forEach((item, i) => {
    const at = `entities[${i}]`;
    if (!item || typeof item !== "object") return problems.push(`${at} is not an object`);
    const e = item as Record<string, unknown>;
    if (typeof e.label !== "string" || !e.label.trim()) return problems.push(`${at}.label is missing`);
    if (!isInt(e.startOffset) || e.startOffset < 0) return problems.push(`${at}.startOffset must be a whole number ≥ 0`);
    if (!isInt(e.endOffset) || e.endOffset <= e.startOffset) {
      return problems.push(`${at}.endOffset must be a whole number greater than startOffset`);
    }
    if (e.endOffset > index.codePointLength) {
      return problems.push(`${at}.endOffset ${e.endOffset} is past the end of the text (${index.codePointLength})`);
    }
    if (e.id !== undefined && (typeof e.id !== "string" || !e.id)) return problems.push(`${at}.id must be a string`);
    if (typeof e.id === "string" && ids.has(e.id)) return problems.push(`${at}.id "${e.id}" is used twice`);
    if (typeof e.id === "string") ids.add(e.id);
    pending.push({ item: e, i, start: index.toUtf16(e.startOffset), end: index.toUtf16(e.endOffset), label: e.label.trim() });
    return undefined;
  });
  // Ids for entries without one, as the server assigns them: e1, e2, … in order, skipping used ones.
  let n = 1;
  const seen = new Set<string>();
  for (const p of pending) {
    const key = `${p.label}\u0000${p.start}\u0000${p.end}`;
    if (seen.has(key)) {
      problems.push(`entities[${p.i}] repeats an entity (same label and offsets)`);
      continue;
    }
    seen.add(key);
    let id = p.item.id as string | undefined;
    if (id === undefined) {
      while (ids.has(`e${n}`)) n++;
      id = `e${n}`;
      ids.add(id);
    }
    const extra: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p.item)) if (!OWN_KEYS.has(k)) extra[k] = v;
    entities.push({ id, label: p.label, start: p.start, end: p.end, extra });
  }

  const known = new Set(entities.map((e) => e.id));
  const relations: Relation[] = [];
  const rels = obj.relations ?? [];
  if (!Array.isArray(rels)) problems.push("relations must be a list");
  (Array.isArray(rels) ? rels : []).forEach((item, i) => {
    const at = `relations[${i}]`;
    const r = (item && typeof item === "object" ? item : {}) as Record<string, unknown>;
    if (typeof r.label !== "string" || !r.label.trim()) return problems.push(`${at}.label is missing`);
    for (const end of ["from", "to"] as const) {
      if (typeof r[end] !== "string" || !known.has(r[end] as string)) {
        return problems.push(`${at}.${end} names no entity (${JSON.stringify(r[end] ?? null)})`);
      }
    }
    const rel = { label: r.label.trim(), from: r.from as string, to: r.to as string };
    if (!relations.some((x) => x.label === rel.label && x.from === rel.from && x.to === rel.to)) relations.push(rel);
    return undefined;
  });

  const documentLabels: string[] = [];
  const docs = obj.documentLabels ?? [];
  if (!Array.isArray(docs)) problems.push("documentLabels must be a list");
  else for (const d of docs) if (typeof d === "string" && !documentLabels.includes(d)) documentLabels.push(d);

  return { value: { entities, relations, documentLabels }, problems };
}
