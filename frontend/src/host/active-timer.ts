/**
 * Active time on one task: counted while the page is visible and the worker has done something
 * in the last `idleMs` (60 s). Past that the clock stops at the last activity + idleMs, and starts
 * again with the next one. Pure: the clock is injected.
 */
export class ActiveTimer {
  private total = 0;
  private segmentStart: number | null = null;
  private lastActivity = 0;
  private visible = true;

  constructor(
    private readonly idleMs = 60_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Start counting from zero (a new task is shown). */
  reset(visible = true): void {
    const t = this.now();
    this.total = 0;
    this.visible = visible;
    this.lastActivity = t;
    this.segmentStart = visible ? t : null;
  }

  /** The worker did something (pointer, key, scroll, a change in the frame). */
  activity(): void {
    const t = this.now();
    if (!this.visible) return;
    if (this.segmentStart === null) {
      this.segmentStart = t;
    } else if (t - this.lastActivity > this.idleMs) {
      this.total += this.lastActivity + this.idleMs - this.segmentStart;
      this.segmentStart = t;
    }
    this.lastActivity = t;
  }

  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    const t = this.now();
    if (!visible && this.segmentStart !== null) {
      this.total += Math.min(t, this.lastActivity + this.idleMs) - this.segmentStart;
      this.segmentStart = null;
    }
    if (visible) {
      this.segmentStart = t;
      this.lastActivity = t;
    }
    this.visible = visible;
  }

  /** Active milliseconds so far, rounded down. */
  elapsed(): number {
    let ms = this.total;
    if (this.segmentStart !== null) {
      ms += Math.max(0, Math.min(this.now(), this.lastActivity + this.idleMs) - this.segmentStart);
    }
    return Math.max(0, Math.floor(ms));
  }
}
