/**
 * `TextEditor`, the span editor's facade: owns the model, the view and the controller, keeps the
 * chunk → spans index, re-renders only the chunks an edit or a selection touches, and turns DOM
 * input into controller calls. A host (the `<lw-entity-annotation>` element, a test, a
 * benchmark) uses this object only.
 */
import { TextController, type ControllerEvent } from "./controller";
import type { EntityLabel } from "./labels";
import { chunkAt, chunkHtml, chunksOver, cutText, type Cut, type SpanStyle } from "./layout";
import { TextModel, type Entity, type ModelEvent, type TextValue } from "./model";
import { OffsetIndex, warmUpSegmenters } from "./offsets";
import { TextView } from "./view";

export type TextEditorEvent =
  /** The worker changed the value (never for a load). */
  | { kind: "change"; value: Record<string, unknown> }
  /** The selected span changed. */
  | { kind: "selection"; id: string | null }
  /** Anything else the chrome shows (range, armed label, relation drawing, history). */
  | { kind: "state" };

export interface TextEditorOptions {
  text: string;
  labels: EntityLabel[];
  relationLabels?: string[];
  tokenSnap?: boolean;
  onEvent?: (e: TextEditorEvent) => void;
}

const GREY = "#8a8f98";

export class TextEditor {
  readonly text: string;
  readonly offsets: OffsetIndex;
  readonly cut: Cut;
  readonly model: TextModel;
  readonly view: TextView;
  readonly controller: TextController;
  /** Span ids by chunk: what each chunk draws. */
  private byChunk: Set<string>[] = [];
  private labelsByName = new Map<string, EntityLabel>();
  private readonly onEvent: (e: TextEditorEvent) => void;
  private readonly cleanup: (() => void)[] = [];

  constructor(host: HTMLElement, opts: TextEditorOptions) {
    this.text = opts.text;
    this.offsets = new OffsetIndex(opts.text);
    this.cut = cutText(opts.text);
    this.model = new TextModel(opts.text);
    this.view = new TextView(host, opts.text, this.cut);
    this.onEvent = opts.onEvent ?? (() => undefined);
    this.controller = new TextController(this.model, {
      readSelection: () => this.view.readSelection(),
      showRange: (a, f, caret) => this.view.showRange(a, f, caret),
      clearSelection: () => this.view.clearSelection(),
      reveal: (u) => this.view.reveal(u),
      isRtlAt: (u) => this.view.isRtlAt(u),
      lineStep: (u, dir, goalX) => this.lineStep(u, dir, goalX),
      spansAt: (u) => this.spansAt(u),
      paragraphBounds: (u) => {
        const p = this.cut.paragraphs[chunkAt(this.cut.chunks, u).paragraph]!;
        return [p.start, p.end];
      },
    });
    this.setLabels(opts.labels);
    this.controller.relationLabels = opts.relationLabels ?? [];
    this.controller.tokenSnap = opts.tokenSnap ?? false;
    this.cleanup.push(this.model.subscribe((e) => this.onModel(e)));
    this.cleanup.push(this.controller.subscribe((e) => this.onController(e)));
    this.listen();
    this.renderAll();
    const idle = (window as Window & { requestIdleCallback?: (fn: () => void) => number }).requestIdleCallback;
    if (idle) idle(() => warmUpSegmenters());
    else setTimeout(warmUpSegmenters, 200);
  }

  // ---- API -----------------------------------------------------------------------------------

  setLabels(labels: EntityLabel[]): void {
    this.controller.labels = labels;
    this.labelsByName = new Map(labels.map((l) => [l.label, l]));
  }

  colourOf(label: string): string {
    return this.labelsByName.get(label)?.colour ?? GREY;
  }

  /** Replaces the value (initial value, draft) and redraws everything; no change event. */
  load(value: TextValue): void {
    this.controller.selectedId = null;
    this.controller.relation = null;
    this.model.load(value);
  }

  output(): Record<string, unknown> {
    return this.model.output(this.offsets);
  }

  /** The spans that cover `u16` (start ≤ u16 < end). */
  spansAt(u16: number): Entity[] {
    const ids = this.byChunk[chunkAt(this.cut.chunks, u16).index] ?? new Set<string>();
    const out: Entity[] = [];
    for (const id of ids) {
      const e = this.model.entity(id);
      if (e && e.start <= u16 && u16 < e.end) out.push(e);
    }
    return out;
  }

  /** Spans linked to `id` by a relation, either way. */
  relatedTo(id: string | null): Set<string> {
    const out = new Set<string>();
    if (!id) return out;
    for (const r of this.model.relations) {
      if (r.from === id) out.add(r.to);
      if (r.to === id) out.add(r.from);
    }
    return out;
  }

  /** Highlights a span pointed at elsewhere (the relation list); null clears. */
  hover(id: string | null): void {
    const before = this.controller.hoverId;
    if (before === id) return;
    this.controller.hoverId = id;
    this.renderChunks(this.chunksOf([before, id]));
  }

  keyDown(e: KeyboardEvent): boolean {
    const used = this.controller.keyDown(e);
    if (used) e.preventDefault();
    return used;
  }

  destroy(): void {
    for (const fn of this.cleanup) fn();
    this.view.host.replaceChildren();
  }

  // ---- rendering -----------------------------------------------------------------------------

  private style(): SpanStyle {
    const c = this.controller;
    return {
      colour: (l) => this.colourOf(l),
      short: (l) => this.labelsByName.get(l)?.short ?? l,
      selectedId: c.selectedId,
      related: this.relatedTo(c.selectedId),
      hoverId: c.hoverId,
    };
  }

  private spansOfChunk(i: number): Entity[] {
    const out: Entity[] = [];
    for (const id of this.byChunk[i]!) {
      const e = this.model.entity(id);
      if (e) out.push(e);
    }
    return out;
  }

  private renderAll(): void {
    this.byChunk = this.cut.chunks.map(() => new Set<string>());
    for (const e of this.model.entities()) for (const i of chunksOver(this.cut.chunks, e.start, e.end)) this.byChunk[i]!.add(e.id);
    const style = this.style();
    this.view.renderAll((i) => chunkHtml(this.text, this.cut.chunks[i]!, this.spansOfChunk(i), style));
  }

  private renderChunks(indices: Iterable<number>): void {
    const style = this.style();
    for (const i of indices) this.view.renderChunk(i, chunkHtml(this.text, this.cut.chunks[i]!, this.spansOfChunk(i), style));
  }

  /** Chunks where these spans lie (ids no longer in the model are skipped). */
  private chunksOf(ids: Iterable<string | null>): Set<number> {
    const out = new Set<number>();
    for (const id of ids) {
      const e = id ? this.model.entity(id) : undefined;
      if (e) for (const i of chunksOver(this.cut.chunks, e.start, e.end)) out.add(i);
    }
    return out;
  }

  private onModel(e: ModelEvent): void {
    if (e.kind === "reset") {
      this.renderAll();
      this.view.drawArrows([]);
      this.onEvent({ kind: "state" });
      return;
    }
    const dirty = new Set<number>();
    for (const x of e.entities) {
      for (const i of chunksOver(this.cut.chunks, x.start, x.end)) {
        this.byChunk[i]!.delete(x.id);
        dirty.add(i);
      }
    }
    for (const x of e.entities) {
      const now = this.model.entity(x.id);
      if (now) for (const i of chunksOver(this.cut.chunks, now.start, now.end)) this.byChunk[i]!.add(now.id);
    }
    const c = this.controller;
    if (c.selectedId && !this.model.entity(c.selectedId)) c.selectedId = null;
    if (e.relations && c.selectedId) for (const i of this.chunksOf([c.selectedId, ...this.relatedTo(c.selectedId)])) dirty.add(i);
    this.renderChunks(dirty);
    if (c.selectedId) this.drawArrows();
    this.onEvent({ kind: "change", value: this.output() });
    this.onEvent({ kind: "state" });
  }

  private onController(e: ControllerEvent): void {
    if (e.kind === "selection") {
      const ids = [e.previous, e.id, ...this.relatedTo(e.previous), ...this.relatedTo(e.id)];
      this.renderChunks(this.chunksOf(ids));
      this.drawArrows();
      this.onEvent({ kind: "selection", id: e.id });
    }
    this.onEvent({ kind: "state" });
  }

  /** Arrows for the relations of the selected span (none when nothing is selected). */
  private drawArrows(): void {
    const id = this.controller.selectedId;
    const arrows = [];
    if (id) {
      for (const r of this.model.relations) {
        if (r.from !== id && r.to !== id) continue;
        const a = this.model.entity(r.from);
        const b = this.model.entity(r.to);
        if (a && b) arrows.push({ from: [a.start, a.end] as [number, number], to: [b.start, b.end] as [number, number], label: r.label, colour: "#3b4250" });
      }
    }
    this.view.drawArrows(arrows);
  }

  // ---- input ---------------------------------------------------------------------------------

  private listen(): void {
    // A drag that starts in the text may end anywhere: the release is heard on the window.
    const root = this.view.root;
    let pressed = false;
    const down = (e: MouseEvent): void => {
      if (e.button === 0) pressed = true;
    };
    const up = (e: MouseEvent): void => {
      if (e.button !== 0 || !pressed) return;
      pressed = false;
      this.controller.mouse.release(this.hitOffset(e));
    };
    root.addEventListener("mousedown", down);
    window.addEventListener("mouseup", up);
    this.cleanup.push(() => {
      root.removeEventListener("mousedown", down);
      window.removeEventListener("mouseup", up);
    });
  }

  /**
   * An offset inside the segment a mouse event landed on. Segments are cut at every span
   * boundary, so any offset in one has the same covering spans: its start will do.
   */
  private hitOffset(e: MouseEvent): number | null {
    const seg = e.composedPath().find((n): n is HTMLElement => n instanceof HTMLElement && n.classList.contains("s"));
    return seg && this.view.root.contains(seg) ? Number(seg.dataset.s) : null;
  }

  private lineStep(u16: number, dir: -1 | 1, goalX: number | null): { offset: number; x: number } | null {
    const r = this.view.rectAt(u16);
    if (!r) return null;
    const x = goalX ?? r.left;
    // One line box away from the caret's middle (the line box is taller than the glyphs: the bars live in it).
    const lineHeight = parseFloat(getComputedStyle(this.view.root).lineHeight) || r.height * 2;
    const y = (r.top + r.bottom) / 2 + dir * lineHeight;
    const at = this.view.offsetAtPoint(x, y);
    if (at === null || at === u16) {
      // Off the visible text: go to the neighbouring paragraph's start.
      const p = chunkAt(this.cut.chunks, u16).paragraph + dir;
      const para = this.cut.paragraphs[p];
      return para ? { offset: para.start, x } : null;
    }
    return { offset: at, x };
  }
}
