/**
 * The span editor's data: entities (UTF-16 offsets inside, code points at the boundary),
 * directed relations between them and the document's labels, with undo/redo. Every edit is one
 * `Change` (what was added and removed), so the history, the events and the view's partial
 * re-render all read the same record. No DOM.
 */
import type { OffsetIndex } from "./offsets";

export interface Entity {
  readonly id: string;
  readonly label: string;
  /** UTF-16 offsets into the document, end exclusive. */
  readonly start: number;
  readonly end: number;
  /** Keys carried through unchanged (`source`, `model`, `score`, `edited`, …). */
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface Relation {
  readonly label: string;
  readonly from: string;
  readonly to: string;
}

/** One undoable step. Relabel = remove + add under the same id. */
export interface Change {
  readonly title: string;
  readonly addEntities: readonly Entity[];
  readonly removeEntities: readonly Entity[];
  readonly addRelations: readonly Relation[];
  readonly removeRelations: readonly Relation[];
  readonly documentLabels?: { readonly before: readonly string[]; readonly after: readonly string[] };
}

export type ModelEvent =
  | { kind: "reset" }
  /** `entities`: every entity the step touched, before and after (the view re-renders where they lie). */
  | { kind: "change"; entities: readonly Entity[]; relations: boolean; documentLabels: boolean };

export interface TextValue {
  entities: Entity[];
  relations: Relation[];
  documentLabels: string[];
}

export const HISTORY_LIMIT = 500;

const NO_CHANGE = { addEntities: [], removeEntities: [], addRelations: [], removeRelations: [] } as const;

function sameRelation(a: Relation, b: Relation): boolean {
  return a.label === b.label && a.from === b.from && a.to === b.to;
}

function compareEntities(a: Entity, b: Entity): number {
  return a.start - b.start || a.end - b.end || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
}

export class TextModel {
  private readonly byId = new Map<string, Entity>();
  private rels: Relation[] = [];
  private docLabels: string[] = [];
  private undoStack: Change[] = [];
  private redoStack: Change[] = [];
  private nextId = 1;
  private readonly listeners = new Set<(e: ModelEvent) => void>();

  constructor(readonly text: string) {}

  subscribe(fn: (e: ModelEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: ModelEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  // ---- reading -----------------------------------------------------------------------------

  get size(): number {
    return this.byId.size;
  }

  entity(id: string): Entity | undefined {
    return this.byId.get(id);
  }

  /** Every entity in document order (start, end, label). */
  entities(): Entity[] {
    return [...this.byId.values()].sort(compareEntities);
  }

  get relations(): readonly Relation[] {
    return this.rels;
  }

  get documentLabels(): readonly string[] {
    return this.docLabels;
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  get undoTitle(): string | null {
    return this.undoStack.at(-1)?.title ?? null;
  }

  get redoTitle(): string | null {
    return this.redoStack.at(-1)?.title ?? null;
  }

  /** An entity with exactly this label and these offsets, if any (duplicates are not allowed). */
  findDuplicate(label: string, start: number, end: number): Entity | undefined {
    for (const e of this.byId.values()) if (e.label === label && e.start === start && e.end === end) return e;
    return undefined;
  }

  // ---- loading -----------------------------------------------------------------------------

  /** Replaces everything (initial value, draft); clears the history; no change event. */
  load(value: TextValue): void {
    this.byId.clear();
    this.nextId = 1;
    for (const e of value.entities) {
      this.byId.set(e.id, e);
      const n = /^e(\d+)$/.exec(e.id);
      if (n) this.nextId = Math.max(this.nextId, Number(n[1]) + 1);
    }
    this.rels = [...value.relations];
    this.docLabels = [...value.documentLabels];
    this.undoStack = [];
    this.redoStack = [];
    this.emit({ kind: "reset" });
  }

  private newId(): string {
    while (this.byId.has(`e${this.nextId}`)) this.nextId++;
    return `e${this.nextId++}`;
  }

  // ---- editing (each returns false / null when it would change nothing) ---------------------

  /** A new span; null when the same label already covers exactly these offsets. */
  addEntity(label: string, start: number, end: number): Entity | null {
    if (end <= start || start < 0 || end > this.text.length || this.findDuplicate(label, start, end)) return null;
    const e: Entity = { id: this.newId(), label, start, end, extra: {} };
    this.execute({ ...NO_CHANGE, title: `Add ${label}`, addEntities: [e] });
    return e;
  }

  /**
   * Several new spans as ONE step (a model's proposals): duplicates and spans outside the text are
   * skipped; the rest get fresh ids. Returns the spans added (empty: nothing was recorded).
   */
  addEntities(spans: readonly { label: string; start: number; end: number; extra?: Record<string, unknown> }[], title: string): Entity[] {
    const added: Entity[] = [];
    const seen = new Set<string>();
    for (const s of spans) {
      const k = `${s.label}\u0000${s.start}\u0000${s.end}`;
      if (s.end <= s.start || s.start < 0 || s.end > this.text.length || seen.has(k) || this.findDuplicate(s.label, s.start, s.end)) continue;
      seen.add(k);
      added.push({ id: this.newId(), label: s.label, start: s.start, end: s.end, extra: { ...(s.extra ?? {}) } });
    }
    if (added.length) this.execute({ ...NO_CHANGE, title, addEntities: added });
    return added;
  }

  /** Gives a span another label (a model's proposal becomes `edited`); refuses a duplicate. */
  relabel(id: string, label: string): boolean {
    const old = this.byId.get(id);
    if (!old || old.label === label || this.findDuplicate(label, old.start, old.end)) return false;
    const extra = "source" in old.extra ? { ...old.extra, edited: true } : old.extra;
    const next: Entity = { ...old, label, extra };
    this.execute({ ...NO_CHANGE, title: `Relabel ${old.label} as ${label}`, removeEntities: [old], addEntities: [next] });
    return true;
  }

  /** Removes spans and the relations that touch them, in one step. */
  removeEntities(ids: readonly string[]): boolean {
    const gone = ids.map((id) => this.byId.get(id)).filter((e): e is Entity => e !== undefined);
    if (!gone.length) return false;
    const set = new Set(gone.map((e) => e.id));
    const rels = this.rels.filter((r) => set.has(r.from) || set.has(r.to));
    const title = gone.length === 1 ? `Delete ${gone[0]!.label}` : `Delete ${gone.length} spans`;
    this.execute({ ...NO_CHANGE, title, removeEntities: gone, removeRelations: rels });
    return true;
  }

  addRelation(label: string, from: string, to: string): boolean {
    const r: Relation = { label, from, to };
    if (from === to || !this.byId.has(from) || !this.byId.has(to) || this.rels.some((x) => sameRelation(x, r))) return false;
    this.execute({ ...NO_CHANGE, title: `Add relation ${label}`, addRelations: [r] });
    return true;
  }

  removeRelation(r: Relation): boolean {
    const found = this.rels.find((x) => sameRelation(x, r));
    if (!found) return false;
    this.execute({ ...NO_CHANGE, title: `Delete relation ${r.label}`, removeRelations: [found] });
    return true;
  }

  setDocumentLabels(labels: readonly string[]): boolean {
    const before = this.docLabels;
    if (before.length === labels.length && before.every((l, i) => l === labels[i])) return false;
    this.execute({ ...NO_CHANGE, title: "Document labels", documentLabels: { before, after: [...labels] } });
    return true;
  }

  /** Reverts the last step; returns the spans it brought back (to select), or null when there was none. */
  undo(): Entity[] | null {
    const c = this.undoStack.pop();
    if (!c) return null;
    this.apply(c, false);
    this.redoStack.push(c);
    return [...c.removeEntities];
  }

  redo(): Entity[] | null {
    const c = this.redoStack.pop();
    if (!c) return null;
    this.apply(c, true);
    this.undoStack.push(c);
    return [...c.addEntities];
  }

  private execute(c: Change): void {
    this.apply(c, true);
    this.undoStack.push(c);
    if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift();
    this.redoStack = [];
  }

  private apply(c: Change, forward: boolean): void {
    const [addE, remE, addR, remR] = forward
      ? [c.addEntities, c.removeEntities, c.addRelations, c.removeRelations]
      : [c.removeEntities, c.addEntities, c.removeRelations, c.addRelations];
    for (const e of remE) this.byId.delete(e.id);
    for (const e of addE) this.byId.set(e.id, e);
    if (remR.length) this.rels = this.rels.filter((x) => !remR.some((r) => sameRelation(x, r)));
    if (addR.length) this.rels = [...this.rels, ...addR];
    if (c.documentLabels) this.docLabels = [...(forward ? c.documentLabels.after : c.documentLabels.before)];
    this.emit({
      kind: "change",
      entities: [...remE, ...addE],
      relations: addR.length + remR.length > 0,
      documentLabels: c.documentLabels !== undefined,
    });
  }

  // ---- output ------------------------------------------------------------------------------

  /**
   * The contract's value: entities sorted by (startOffset, endOffset, label) in code points,
   * keys in order; `relations` and `documentLabels` only when not empty.
   */
  output(index: OffsetIndex): Record<string, unknown> {
    const entities = this.entities().map((e) => ({
      label: e.label,
      startOffset: index.toCodePoint(e.start),
      endOffset: index.toCodePoint(e.end),
      id: e.id,
      ...e.extra,
    }));
    const out: Record<string, unknown> = { entities };
    if (this.rels.length) out.relations = this.rels.map((r) => ({ label: r.label, from: r.from, to: r.to }));
    if (this.docLabels.length) out.documentLabels = [...this.docLabels];
    return out;
  }
}
