/**
 * What the worker is doing with the text: the caret and the range being chosen (UTF-16), the
 * selected span, the label armed for the mouse, the relation being drawn. Each gesture is one
 * handler class (mouse release, keyboard caret, span cycling, relation drawing); they change the
 * model only through its commands and reach the DOM only through `TextPort`, which is what makes
 * the controller testable without a browser.
 */
import type { EntityLabel } from "./labels";
import type { Entity, TextModel } from "./model";
import { normalizeSelection, stepGrapheme, stepWord } from "./offsets";

/** What the controller needs from the view (and the facade's span index). */
export interface TextPort {
  readSelection(): [number, number] | null;
  showRange(anchor: number, focus: number, caret: boolean): void;
  clearSelection(): void;
  reveal(u16: number): void;
  isRtlAt(u16: number): boolean;
  /** The offset one visual line up (-1) or down (+1) from `u16`, keeping the column `goalX`. */
  lineStep(u16: number, dir: -1 | 1, goalX: number | null): { offset: number; x: number } | null;
  /** The spans covering offset `u16` (start ≤ u16 < end), any order. */
  spansAt(u16: number): Entity[];
  paragraphBounds(u16: number): [number, number];
}

export type RelationDraft = { stage: "target"; from: string } | { stage: "label"; from: string; to: string };

export type ControllerEvent =
  | { kind: "selection"; previous: string | null; id: string | null }
  | { kind: "state" };

export interface KeyLike {
  key: string;
  code?: string;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

/** Click on the text (collapsed) or release after a drag / double-click (a range). */
export class MouseReleaseHandler {
  constructor(private readonly c: TextController) {}

  /**
   * `hit`: the offset of the character under the pointer (the segment the event landed on), when
   * known. A click's caret falls on the nearest boundary, which after a word's last letter is
   * the span's end, outside it: the character is what the worker pointed at.
   */
  release(hit: number | null = null): void {
    const c = this.c;
    const sel = c.port.readSelection();
    if (!sel) return;
    const [a, f] = sel;
    if (a === f) return this.click(a, hit ?? a);
    if (c.relation) return; // a drag while picking a relation's target chooses nothing
    const range = normalizeSelection(c.model.text, a, f, c.tokenSnap);
    if (!range) {
      c.port.clearSelection();
      return c.placeCaret(f);
    }
    c.setRange(a < f ? range[0] : range[1], a < f ? range[1] : range[0], false);
    if (c.armed !== null) c.chooseLabel(c.armed, false);
  }

  /** A click: picks a relation's target, else selects the innermost span there (again: the next one out). */
  private click(at: number, hit: number): void {
    const c = this.c;
    const spans = c.port.spansAt(hit).sort((x, y) => x.end - x.start - (y.end - y.start) || (x.label < y.label ? -1 : 1));
    if (c.relation?.stage === "target") {
      const target = spans.find((s) => s.id !== (c.relation as { from: string }).from);
      if (target) c.pickRelationTarget(target.id);
      return;
    }
    if (!spans.length) return c.placeCaret(at);
    const i = spans.findIndex((s) => s.id === c.selectedId);
    c.select(spans[(i + 1) % spans.length]!.id);
  }
}

/** Arrows, Home/End, with Shift to extend and Ctrl (Alt on a Mac) to go by words. */
export class CaretKeysHandler {
  /** The column kept through Up/Down runs. */
  private goalX: number | null = null;

  constructor(private readonly c: TextController) {}

  key(e: KeyLike): boolean {
    const c = this.c;
    const text = c.model.text;
    const byWord = !!(e.ctrlKey || e.altKey);
    let to: number;
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      // In a right-to-left paragraph the left arrow goes forward in the text, as the eye reads.
      const visualRight = e.key === "ArrowRight";
      const forward = c.port.isRtlAt(c.caret) ? !visualRight : visualRight;
      const dir: -1 | 1 = forward ? 1 : -1;
      to = byWord ? stepWord(text, c.caret, dir) : stepGrapheme(text, c.caret, dir);
      this.goalX = null;
    } else if (e.key === "ArrowUp" || e.key === "ArrowDown") {
      const step = c.port.lineStep(c.caret, e.key === "ArrowUp" ? -1 : 1, this.goalX);
      if (!step) return true;
      to = step.offset;
      this.goalX = step.x;
    } else if (e.key === "Home" || e.key === "End") {
      const [s, end] = c.port.paragraphBounds(c.caret);
      to = e.key === "Home" ? s : end;
      this.goalX = null;
    } else return false;
    if (e.shiftKey) c.setRange(c.anchor, to, true);
    else c.placeCaret(to);
    c.port.reveal(to);
    return true;
  }
}

/** Tab / Shift+Tab: the next or previous span in document order. */
export class SpanCycleHandler {
  constructor(private readonly c: TextController) {}

  step(dir: -1 | 1): boolean {
    const c = this.c;
    const all = c.model.entities();
    if (!all.length) return false;
    const cur = c.selectedId ? all.findIndex((e) => e.id === c.selectedId) : -1;
    let next: number;
    if (cur >= 0) next = (cur + dir + all.length) % all.length;
    else if (dir > 0) next = Math.max(0, all.findIndex((e) => e.start >= c.caret));
    else {
      next = all.length - 1;
      for (let i = all.length - 1; i >= 0; i--) if (all[i]!.start < c.caret) { next = i; break; }
    }
    c.select(all[next]!.id);
    c.port.reveal(all[next]!.start);
    return true;
  }
}

/** R on a selected span, then a click on (or Tab to, Enter on) the target, then its label. */
export class RelationHandler {
  constructor(private readonly c: TextController) {}

  start(): boolean {
    const c = this.c;
    if (!c.relationLabels.length || !c.selectedId) return false;
    c.relation = { stage: "target", from: c.selectedId };
    c.changed();
    return true;
  }

  target(to: string): void {
    const c = this.c;
    if (c.relation?.stage !== "target" || to === c.relation.from) return;
    if (c.relationLabels.length === 1) {
      c.model.addRelation(c.relationLabels[0]!, c.relation.from, to);
      c.relation = null;
    } else c.relation = { stage: "label", from: c.relation.from, to };
    c.changed();
  }

  label(index: number): boolean {
    const c = this.c;
    const r = c.relation;
    const name = c.relationLabels[index];
    if (r?.stage !== "label" || name === undefined) return false;
    c.model.addRelation(name, r.from, r.to);
    c.relation = null;
    c.changed();
    return true;
  }
}

export class TextController {
  labels: EntityLabel[] = [];
  relationLabels: string[] = [];
  tokenSnap = false;
  /** The range being chosen runs from `anchor` to `caret` (UTF-16); equal: just a caret. */
  anchor = 0;
  caret = 0;
  /** Whether the worker moved the caret with the keyboard (then it is drawn). */
  private keyboard = false;
  selectedId: string | null = null;
  /** The label a mouse selection gets at once (chosen with no range and no span selected). */
  armed: number | null = null;
  relation: RelationDraft | null = null;
  hoverId: string | null = null;

  readonly mouse = new MouseReleaseHandler(this);
  readonly caretKeys = new CaretKeysHandler(this);
  readonly cycle = new SpanCycleHandler(this);
  readonly relations = new RelationHandler(this);
  private readonly listeners = new Set<(e: ControllerEvent) => void>();

  constructor(
    readonly model: TextModel,
    readonly port: TextPort,
  ) {}

  subscribe(fn: (e: ControllerEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed(): void {
    for (const fn of this.listeners) fn({ kind: "state" });
  }

  get hasRange(): boolean {
    return this.anchor !== this.caret;
  }

  get range(): [number, number] {
    return this.anchor < this.caret ? [this.anchor, this.caret] : [this.caret, this.anchor];
  }

  get selected(): Entity | null {
    return this.selectedId ? this.model.entity(this.selectedId) ?? null : null;
  }

  // ---- selection -----------------------------------------------------------------------------

  select(id: string | null): void {
    const previous = this.selectedId;
    if (id !== null && !this.model.entity(id)) id = null;
    this.selectedId = id;
    if (id !== null) {
      // The caret goes to the span's end: Shift+arrows from there start a new range next to it.
      const e = this.model.entity(id)!;
      this.anchor = this.caret = e.end;
      this.port.clearSelection();
      this.port.showRange(e.end, e.end, false);
    }
    if (previous !== id) for (const fn of this.listeners) fn({ kind: "selection", previous, id });
    this.changed();
  }

  placeCaret(at: number): void {
    this.anchor = this.caret = at;
    this.keyboard = true;
    this.port.showRange(at, at, true);
    if (this.selectedId !== null) this.select(null);
    else this.changed();
  }

  /** Sets the range being chosen; `fromKeys`: mirror it into the native selection. */
  setRange(anchor: number, focus: number, fromKeys: boolean): void {
    this.anchor = anchor;
    this.caret = focus;
    this.keyboard = fromKeys;
    if (fromKeys) this.port.showRange(anchor, focus, true);
    if (this.selectedId !== null) this.select(null);
    else this.changed();
  }

  // ---- commands ------------------------------------------------------------------------------

  /**
   * Label `index`: a relation's label while one is drawn; else labels the range being chosen
   * (a new span, then selected); else relabels the selected span (`add`: gives it this label as
   * well, the multi-label case); else arms the label for the next mouse selection (again: disarms).
   */
  chooseLabel(index: number, add: boolean): boolean {
    if (this.relation?.stage === "label") return this.relations.label(index);
    const label = this.labels[index];
    if (!label) return false;
    if (this.hasRange) {
      const r = normalizeSelection(this.model.text, this.anchor, this.caret, this.tokenSnap);
      if (!r) return false;
      const e = this.model.addEntity(label.label, r[0], r[1]) ?? this.model.findDuplicate(label.label, r[0], r[1])!;
      this.anchor = this.caret = r[1];
      this.port.clearSelection();
      this.select(e.id);
      return true;
    }
    const sel = this.selected;
    if (sel) {
      const done = add ? this.model.addEntity(label.label, sel.start, sel.end) !== null : this.model.relabel(sel.id, label.label);
      this.changed();
      return done;
    }
    this.armed = this.armed === index ? null : index;
    this.changed();
    return true;
  }

  deleteSelected(): boolean {
    const id = this.selectedId;
    if (!id) return false;
    const e = this.model.entity(id)!;
    this.model.removeEntities([id]);
    this.select(null);
    this.anchor = this.caret = e.start;
    return true;
  }

  /** Undo / redo, then select the span the step brought back (what the worker was looking at). */
  undo(): boolean {
    return this.afterHistory(this.model.undo());
  }

  redo(): boolean {
    return this.afterHistory(this.model.redo());
  }

  private afterHistory(back: Entity[] | null): boolean {
    if (back === null) return false;
    const e = back.find((x) => this.model.entity(x.id));
    if (e) {
      this.select(e.id);
      this.port.reveal(e.start);
    } else this.changed();
    return true;
  }

  /** Esc: the relation being drawn, else the range, else the selected span, else the armed label. */
  escape(): boolean {
    if (this.relation) this.relation = null;
    else if (this.hasRange) {
      this.anchor = this.caret;
      this.port.clearSelection();
    } else if (this.selectedId) return this.select(null), true;
    else if (this.armed !== null) this.armed = null;
    else return false;
    this.changed();
    return true;
  }

  /** Keys on the text; returns true when the key was used (the caller then prevents its default). */
  keyDown(e: KeyLike): boolean {
    const mod = !!(e.ctrlKey || e.metaKey);
    const k = e.key.toLowerCase();
    if (mod && k === "z") return e.shiftKey ? this.redo() || true : this.undo() || true;
    if (mod && k === "y") return this.redo() || true;
    if (mod) return this.caretKeys.key(e); // Ctrl+arrows: by words
    if (e.key === "Escape") return this.escape();
    if (e.key === "Delete" || e.key === "Backspace") return this.deleteSelected();
    if (e.key === "Tab") return this.cycle.step(e.shiftKey ? -1 : 1);
    if ((e.key === "Enter" || e.key === " ") && this.relation?.stage === "target" && this.selectedId && this.selectedId !== this.relation.from) {
      this.relations.target(this.selectedId);
      return true;
    }
    // Digits by their key code, so that Shift+1 ("!") adds label 1 instead of replacing it.
    const digit = /^Digit([1-9])$/.exec(e.code ?? "")?.[1] ?? (/^[1-9]$/.test(e.key) ? e.key : null);
    if (digit !== null && !e.altKey) return this.chooseLabel(Number(digit) - 1, !!e.shiftKey) || true;
    if (k === "r" && !e.altKey && this.relationLabels.length) return this.relations.start();
    if (k.length === 1 && !e.altKey) {
      const i = this.labels.findIndex((l) => l.key === k);
      if (i >= 0) return this.chooseLabel(i, !!e.shiftKey);
    }
    return this.caretKeys.key(e);
  }

  /** A relation's target was clicked while drawing one. */
  pickRelationTarget(id: string): void {
    this.relations.target(id);
  }

  get keyboardCaret(): boolean {
    return this.keyboard;
  }
}
