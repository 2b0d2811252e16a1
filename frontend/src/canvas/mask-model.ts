/**
 * The mask model: a label map at image resolution (one value per pixel, 0 = unlabeled) with
 * per-value pixel counts, and for instance segmentation the instance table (id → label,
 * colour). Semantic masks store class index + 1 (Uint8Array up to 255 classes, else
 * Uint16Array); instance masks store instance ids (Uint16Array).
 *
 * Every change is a step: `begin(title)`, any number of `paint(spans, value)` (a brush stroke
 * is one step of many segments) and instance-table edits, then `commit()` (or `abort()`, which
 * puts the pixels back). Before a 256×256 tile is first written in a step it is copied, and
 * `commit()` turns the copies into run-length diffs (mask-history.ts). No DOM, no Konva.
 */
import {
  MaskHistory,
  TILE_SHIFT,
  diffTile,
  readTile,
  stepBytes,
  tileGrid,
  tileRect,
  writeRuns,
  type LabelMap,
  type MaskStep,
  type TileDiff,
  type TileGrid,
} from "./mask-history";
import { colourSequence, type MaskLabel } from "./mask-palette";
import { SpanList, type Rect } from "./mask-raster";

export type MaskKind = "semantic" | "instance";

export interface Instance {
  id: number;
  label: string;
  color: string;
}

export type MaskModelEvent =
  /** Pixels in `rect` changed (a paint, an undo, a redo): the view repaints that rectangle. */
  | { kind: "pixels"; rect: Rect }
  /** A step was committed, undone or redone: the value changed. */
  | { kind: "changed" }
  /** The instance table changed (within a step or by undo/redo). */
  | { kind: "instances" }
  /** A load or a new image size replaced everything. */
  | { kind: "reset" };

type Listener = (e: MaskModelEvent) => void;

interface OpenStep {
  title: string;
  saved: Map<number, LabelMap>;
  metaBefore: Instance[] | null;
}

export const MAX_INSTANCES = 65535;

export class MaskModel {
  private _width = 0;
  private _height = 0;
  private _data: LabelMap = new Uint8Array(0);
  private grid: TileGrid = tileGrid(0, 0);
  private counts = new Float64Array(256);
  private _instances = new Map<number, Instance>();
  private nextId = 1;
  private open: OpenStep | null = null;
  /** Values that paint leaves alone (hidden classes / instances, "keep labelled pixels"). */
  private protect = new Uint8Array(256);
  /** Labels whose pixels may not change (`editsAllowed: none`, edit-limits.ts). */
  private _fixedLabels: ReadonlySet<string> = new Set();
  readonly history = new MaskHistory<Instance[]>();
  private readonly listeners = new Set<Listener>();
  /** Bumped by every change of the value (a commit, undo, redo, load). */
  version = 0;

  constructor(
    readonly kind: MaskKind,
    private _labels: readonly MaskLabel[] = [],
  ) {}

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: MaskModelEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  // ---- reading -----------------------------------------------------------------------------

  get width(): number {
    return this._width;
  }
  get height(): number {
    return this._height;
  }
  get image(): { width: number; height: number } {
    return { width: this._width, height: this._height };
  }
  /** The label map (read only for callers: write through `paint`). */
  get data(): LabelMap {
    return this._data;
  }
  get labels(): readonly MaskLabel[] {
    return this._labels;
  }
  /** The largest value a pixel can hold. */
  get maxValue(): number {
    return this._data instanceof Uint8Array ? 255 : 65535;
  }

  setLabels(labels: readonly MaskLabel[]): void {
    this._labels = labels;
    this.emit({ kind: "instances" });
  }

  /** Pixels holding `value`. */
  count(value: number): number {
    return this.counts[value] ?? 0;
  }

  valueAt(x: number, y: number): number {
    const ix = Math.floor(x), iy = Math.floor(y);
    if (ix < 0 || iy < 0 || ix >= this._width || iy >= this._height) return 0;
    return this._data[iy * this._width + ix]!;
  }

  get instances(): Instance[] {
    return [...this._instances.values()];
  }

  instance(id: number): Instance | undefined {
    return this._instances.get(id);
  }

  /** The semantic value of a label (its index + 1), or 0 when it is not a label. */
  classValue(label: string): number {
    return this._labels.findIndex((l) => l.label === label) + 1;
  }

  /** The label a pixel value stands for (a class, or an instance's label), or null for 0 / unknown. */
  labelOfValue(value: number): string | null {
    if (!value) return null;
    if (this.kind === "semantic") return this._labels[value - 1]?.label ?? null;
    return this._instances.get(value)?.label ?? null;
  }

  /** "#rrggbb" of a pixel value (a class colour, an instance colour), or null for 0 / unknown. */
  colourOfValue(value: number): string | null {
    if (!value) return null;
    if (this.kind === "semantic") return this._labels[value - 1]?.color ?? null;
    return this._instances.get(value)?.color ?? null;
  }

  // ---- setup -------------------------------------------------------------------------------

  /** An empty mask of the image's size (history cleared). */
  setImageSize(width: number, height: number): void {
    const wide = this.kind === "instance" || this._labels.length > 255;
    this.replace(wide ? new Uint16Array(width * height) : new Uint8Array(width * height), width, height, []);
  }

  /**
   * Replaces the label map (and instance table) with a loaded one; clears the history. Values
   * must fit: the caller (mask-codec) maps colours to values.
   */
  load(data: LabelMap, instances: readonly Instance[] = []): void {
    if (data.length !== this._width * this._height) throw new Error(`mask: ${data.length} values for a ${this._width}×${this._height} image`);
    const wide = this.kind === "instance" || this._labels.length > 255;
    const map = wide && data instanceof Uint8Array ? Uint16Array.from(data) : data;
    this.replace(map, this._width, this._height, instances);
  }

  private replace(data: LabelMap, width: number, height: number, instances: readonly Instance[]): void {
    this.open = null;
    this._width = width;
    this._height = height;
    this._data = data;
    this.grid = tileGrid(width, height);
    const range = data instanceof Uint8Array ? 256 : 65536;
    this.counts = new Float64Array(range);
    if (this.protect.length !== range) {
      const p = new Uint8Array(range);
      p.set(this.protect.subarray(0, Math.min(range, this.protect.length)));
      this.protect = p;
    }
    for (let i = 0; i < data.length; i++) this.counts[data[i]!]++;
    this._instances = new Map(instances.map((i) => [i.id, { ...i }]));
    this.nextId = instances.reduce((m, i) => Math.max(m, i.id), 0) + 1;
    this.history.clear();
    this.version++;
    this.emit({ kind: "reset" });
  }

  /**
   * Labels whose pixels stay as loaded (`editsAllowed: none`): their class (semantic) or their
   * instances (instance) are locked values, which paint skips (the controller protects them), and
   * which are not relabelled, deleted or given to a new instance.
   */
  setFixedLabels(labels: ReadonlySet<string>): void {
    this._fixedLabels = labels;
    this.emit({ kind: "instances" });
  }

  get fixedLabels(): ReadonlySet<string> {
    return this._fixedLabels;
  }

  /** Whether a label-map value belongs to a fixed label (its pixels may not change). */
  isValueLocked(value: number): boolean {
    if (!this._fixedLabels.size || value <= 0) return false;
    const label = this.kind === "semantic" ? this._labels[value - 1]?.label : this._instances.get(value)?.label;
    return label !== undefined && this._fixedLabels.has(label);
  }

  /** Every locked value (for the paint mask). */
  lockedValues(): number[] {
    if (!this._fixedLabels.size) return [];
    if (this.kind === "semantic") return this._labels.flatMap((l, i) => (this._fixedLabels.has(l.label) ? [i + 1] : []));
    return [...this._instances.values()].filter((i) => this._fixedLabels.has(i.label)).map((i) => i.id);
  }

  /** Paint skips pixels holding these values (hidden classes or instances, kept labels). */
  setProtected(values: Iterable<number>): void {
    this.protect.fill(0);
    for (const v of values) if (v > 0 && v < this.protect.length) this.protect[v] = 1;
  }

  // ---- steps -------------------------------------------------------------------------------

  get stepOpen(): boolean {
    return this.open !== null;
  }

  begin(title: string): void {
    if (this.open) this.commit();
    this.open = { title, saved: new Map(), metaBefore: null };
  }

  /**
   * Writes `value` into the spans (skipping protected pixels unless `force`); returns the
   * number of pixels changed. Must be inside a step.
   */
  paint(spans: SpanList, value: number, force = false): number {
    const step = this.open;
    if (!step) throw new Error("mask: paint outside a step (call begin first)");
    if (value < 0 || value > this.maxValue) throw new Error(`mask: value ${value} does not fit`);
    const data = this._data, counts = this.counts, prot = this.protect, w = this._width;
    let changed = 0;
    let minX = Infinity, minY = Infinity, maxX = -1, maxY = -1;
    for (let s = 0; s < spans.length; s++) {
      const y = spans.y(s);
      const x0 = Math.max(0, spans.x0(s)), x1 = Math.min(w - 1, spans.x1(s));
      if (y < 0 || y >= this._height || x1 < x0) continue;
      this.save(step, x0, x1, y);
      const row = y * w;
      let hit = false;
      for (let i = row + x0, end = row + x1; i <= end; i++) {
        const old = data[i]!;
        if (old === value || (!force && prot[old])) continue;
        data[i] = value;
        counts[old]--;
        counts[value]++;
        changed++;
        hit = true;
      }
      if (hit) {
        if (x0 < minX) minX = x0;
        if (x1 > maxX) maxX = x1;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
    if (changed) this.emit({ kind: "pixels", rect: { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 } });
    return changed;
  }

  /** Copies the tiles a span touches before their first write in this step. */
  private save(step: OpenStep, x0: number, x1: number, y: number): void {
    const row = (y >> TILE_SHIFT) * this.grid.cols;
    for (let tx = x0 >> TILE_SHIFT, end = x1 >> TILE_SHIFT; tx <= end; tx++) {
      const t = row + tx;
      if (!step.saved.has(t)) step.saved.set(t, readTile(this._data, this.grid, t));
    }
  }

  /** Ends the step: records it (when it changed anything) and reports the change. */
  commit(): boolean {
    const step = this.open;
    this.open = null;
    if (!step) return false;
    const tiles: TileDiff[] = [];
    for (const [t, before] of step.saved) {
      const d = diffTile(this._data, this.grid, t, before);
      if (d) tiles.push(d);
    }
    const metaAfter = this.instances;
    const meta = step.metaBefore && JSON.stringify(step.metaBefore) !== JSON.stringify(metaAfter)
      ? { before: step.metaBefore, after: metaAfter } : null;
    if (!tiles.length && !meta) return false;
    this.history.push({ title: step.title, tiles, meta, bytes: stepBytes(tiles) + (meta ? 64 * metaAfter.length : 0) });
    this.version++;
    this.emit({ kind: "changed" });
    return true;
  }

  /** Drops the step, putting back every pixel and the instance table as they were. */
  abort(): void {
    const step = this.open;
    this.open = null;
    if (!step) return;
    for (const [t, before] of step.saved) {
      const d = diffTile(this._data, this.grid, t, before);
      if (d) this.applyTiles([{ ...d }], "before");
    }
    if (step.metaBefore) this.setInstanceTable(step.metaBefore);
  }

  undo(): boolean {
    if (this.open) this.abort();
    const s = this.history.popUndo();
    if (!s) return false;
    this.applyStep(s, "before");
    return true;
  }

  redo(): boolean {
    if (this.open) this.abort();
    const s = this.history.popRedo();
    if (!s) return false;
    this.applyStep(s, "after");
    return true;
  }

  private applyStep(s: MaskStep<Instance[]>, side: "before" | "after"): void {
    // Instances first, so the repainted pixels find their colours.
    if (s.meta) this.setInstanceTable(s.meta[side]);
    this.applyTiles(s.tiles, side);
    this.version++;
    this.emit({ kind: "changed" });
  }

  private applyTiles(tiles: readonly TileDiff[], side: "before" | "after"): void {
    if (!tiles.length) return;
    const counts = this.counts;
    let minX = Infinity, minY = Infinity, maxX = -1, maxY = -1;
    for (const d of tiles) {
      writeRuns(this._data, this.grid, d.tile, d[side], (from, to) => {
        counts[from]--;
        counts[to]++;
      });
      const r = tileRect(this.grid, d.tile);
      minX = Math.min(minX, r.x);
      minY = Math.min(minY, r.y);
      maxX = Math.max(maxX, r.x + r.width);
      maxY = Math.max(maxY, r.y + r.height);
    }
    this.emit({ kind: "pixels", rect: { x: minX, y: minY, width: maxX - minX, height: maxY - minY } });
  }

  // ---- instances ---------------------------------------------------------------------------

  private touchMeta(): void {
    if (!this.open) throw new Error("mask: instance edit outside a step (call begin first)");
    if (!this.open.metaBefore) this.open.metaBefore = this.instances.map((i) => ({ ...i }));
  }

  private setInstanceTable(list: readonly Instance[]): void {
    this._instances = new Map(list.map((i) => [i.id, { ...i }]));
    this.nextId = Math.max(this.nextId, list.reduce((m, i) => Math.max(m, i.id), 0) + 1);
    this.emit({ kind: "instances" });
  }

  /** A new instance with the next free colour (inside a step); null when the ids ran out. */
  addInstance(label: string, color?: string): Instance | null {
    this.touchMeta();
    if (this.nextId > MAX_INSTANCES) {
      // Ids freed by deletes are reused before giving up.
      let free = 1;
      while (free <= MAX_INSTANCES && this._instances.has(free)) free++;
      if (free > MAX_INSTANCES) return null;
      this.nextId = free;
    }
    const used = new Set(this.instances.map((i) => i.color));
    const colour = color && !used.has(color) ? color : colourSequence(used).next().value!;
    const inst = { id: this.nextId++, label, color: colour };
    this._instances.set(inst.id, inst);
    this.emit({ kind: "instances" });
    return { ...inst };
  }

  /** Relabels an instance (one step of its own). */
  setInstanceLabel(id: number, label: string): boolean {
    const inst = this._instances.get(id);
    if (!inst || inst.label === label) return false;
    if (this._fixedLabels.has(inst.label) || this._fixedLabels.has(label)) return false; // editsAllowed: none
    this.begin("Relabel");
    this.touchMeta();
    inst.label = label;
    this.emit({ kind: "instances" });
    return this.commit();
  }

  /** Removes an instance and clears its pixels (one step). */
  deleteInstance(id: number): boolean {
    if (!this._instances.has(id) || this.isValueLocked(id)) return false;
    this.begin("Delete instance");
    this.touchMeta();
    this.paint(this.spansOf(id), 0, true);
    this._instances.delete(id);
    this.emit({ kind: "instances" });
    return this.commit();
  }

  /** Removes instances that hold no pixel (inside a step): an erased instance leaves the list. */
  dropEmptyInstances(): void {
    for (const inst of this.instances) {
      if (this.count(inst.id) === 0) {
        this.touchMeta();
        this._instances.delete(inst.id);
        this.emit({ kind: "instances" });
      }
    }
  }

  /** The bounding rectangle of the pixels holding `value`, or null when none does. */
  boundsOf(value: number): Rect | null {
    if (!this.count(value)) return null;
    const data = this._data, w = this._width;
    let minX = w, minY = -1, maxX = -1, maxY = -1;
    for (let y = 0; y < this._height; y++) {
      const row = y * w;
      let first = -1;
      for (let x = 0; x < w; x++) {
        if (data[row + x] === value) {
          first = x;
          break;
        }
      }
      if (first < 0) continue;
      if (minY < 0) minY = y;
      maxY = y;
      if (first < minX) minX = first;
      for (let x = w - 1; x > maxX; x--) {
        if (data[row + x] === value) {
          maxX = x;
          break;
        }
      }
    }
    return { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
  }

  /** Every run of pixels holding `value`. */
  spansOf(value: number): SpanList {
    const out = new SpanList();
    const data = this._data, w = this._width;
    if (!this.count(value)) return out;
    for (let y = 0; y < this._height; y++) {
      const row = y * w;
      let x = 0;
      while (x < w) {
        if (data[row + x] !== value) {
          x++;
          continue;
        }
        const start = x;
        while (x < w && data[row + x] === value) x++;
        out.push(y, start, x - 1);
      }
    }
    return out;
  }
}
