/**
 * Undo / redo for the mask: each step keeps, for every 256×256 tile it changed, the tile's values
 * before and after, run-length encoded (label maps are long runs, so a fill of a whole
 * 4000×3000 image costs a few kilobytes, not 24 MB). Bounded: at most `MASK_HISTORY_STEPS`
 * steps and `MASK_HISTORY_BYTES` bytes; the oldest steps are dropped first. Pure: no DOM.
 */

export type LabelMap = Uint8Array | Uint16Array;

/** Tiles are TILE × TILE pixels (a run never exceeds a tile, so a run length fits 16 bits). */
export const TILE_SHIFT = 8;
export const TILE = 1 << TILE_SHIFT;
export const MASK_HISTORY_STEPS = 100;
export const MASK_HISTORY_BYTES = 64 * 1024 * 1024;

/** One tile's change: its index and the RLE of its values before and after. */
export interface TileDiff {
  tile: number;
  before: Uint32Array;
  after: Uint32Array;
}

export interface MaskStep<M> {
  title: string;
  tiles: TileDiff[];
  /** The instance table before and after, when the step changed it. */
  meta: { before: M; after: M } | null;
  bytes: number;
}

export interface TileGrid {
  width: number;
  height: number;
  cols: number;
  rows: number;
}

export function tileGrid(width: number, height: number): TileGrid {
  return { width, height, cols: Math.ceil(width / TILE), rows: Math.ceil(height / TILE) };
}

/** The pixel rectangle of tile `t`. */
export function tileRect(g: TileGrid, t: number): { x: number; y: number; width: number; height: number } {
  const x = (t % g.cols) * TILE, y = Math.floor(t / g.cols) * TILE;
  return { x, y, width: Math.min(TILE, g.width - x), height: Math.min(TILE, g.height - y) };
}

/** Copies tile `t` of `map` out, row by row. */
export function readTile(map: LabelMap, g: TileGrid, t: number): LabelMap {
  const r = tileRect(g, t);
  const out = map instanceof Uint8Array ? new Uint8Array(r.width * r.height) : new Uint16Array(r.width * r.height);
  for (let y = 0; y < r.height; y++) {
    const from = (r.y + y) * g.width + r.x;
    out.set(map.subarray(from, from + r.width), y * r.width);
  }
  return out;
}

const scratch = new Uint32Array(TILE * TILE);

/** Run-length code: one uint32 per run, value in the high 16 bits, length − 1 in the low 16. */
export function encodeRuns(values: LabelMap): Uint32Array {
  let n = 0;
  let i = 0;
  while (i < values.length) {
    const v = values[i]!;
    let j = i + 1;
    while (j < values.length && values[j] === v) j++;
    scratch[n++] = ((v << 16) | (j - i - 1)) >>> 0;
    i = j;
  }
  return scratch.slice(0, n);
}

/** Writes the runs of `runs` into tile `t` of `map`; calls `changed(old, new)` for each pixel whose value changes. */
export function writeRuns(map: LabelMap, g: TileGrid, t: number, runs: Uint32Array, changed: (from: number, to: number) => void): void {
  const r = tileRect(g, t);
  let k = 0;
  let left = 0;
  let v = 0;
  for (let y = 0; y < r.height; y++) {
    const row = (r.y + y) * g.width + r.x;
    for (let x = 0; x < r.width; x++) {
      if (left === 0) {
        const run = runs[k++]!;
        v = run >>> 16;
        left = (run & 0xffff) + 1;
      }
      left--;
      const old = map[row + x]!;
      if (old !== v) {
        map[row + x] = v;
        changed(old, v);
      }
    }
  }
}

function sameRuns(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A tile diff from the tile's saved values and the map now, or null when nothing changed. */
export function diffTile(map: LabelMap, g: TileGrid, t: number, before: LabelMap): TileDiff | null {
  const b = encodeRuns(before);
  const a = encodeRuns(readTile(map, g, t));
  return sameRuns(a, b) ? null : { tile: t, before: b, after: a };
}

export class MaskHistory<M> {
  private done: MaskStep<M>[] = [];
  private undone: MaskStep<M>[] = [];
  private bytes = 0;

  constructor(
    readonly maxSteps = MASK_HISTORY_STEPS,
    readonly maxBytes = MASK_HISTORY_BYTES,
  ) {}

  get canUndo(): boolean {
    return this.done.length > 0;
  }
  get canRedo(): boolean {
    return this.undone.length > 0;
  }
  get undoTitle(): string | null {
    return this.done[this.done.length - 1]?.title ?? null;
  }
  get redoTitle(): string | null {
    return this.undone[this.undone.length - 1]?.title ?? null;
  }
  get size(): number {
    return this.done.length;
  }
  /** Bytes held by the undo and redo steps. */
  get byteSize(): number {
    return this.bytes;
  }

  push(step: MaskStep<M>): void {
    for (const s of this.undone) this.bytes -= s.bytes;
    this.undone = [];
    this.done.push(step);
    this.bytes += step.bytes;
    while (this.done.length > 1 && (this.done.length > this.maxSteps || this.bytes > this.maxBytes)) {
      this.bytes -= this.done.shift()!.bytes;
    }
  }

  /** The step to revert (moved to the redo stack), or null. */
  popUndo(): MaskStep<M> | null {
    const s = this.done.pop() ?? null;
    if (s) this.undone.push(s);
    return s;
  }

  popRedo(): MaskStep<M> | null {
    const s = this.undone.pop() ?? null;
    if (s) this.done.push(s);
    return s;
  }

  clear(): void {
    this.done = [];
    this.undone = [];
    this.bytes = 0;
  }
}

export function stepBytes(tiles: readonly TileDiff[]): number {
  let n = 64;
  for (const t of tiles) n += 16 + 4 * (t.before.length + t.after.length);
  return n;
}
