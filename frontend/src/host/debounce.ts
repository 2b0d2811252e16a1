/**
 * Keeps the latest value and hands it to `save` once nothing newer came for `delayMs`
 * (draft autosave). `flush()` saves a pending value now; `cancel()` drops it.
 */
export class Debouncer<T> {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending: { value: T } | null = null;

  constructor(
    private readonly save: (value: T) => void,
    private readonly delayMs = 800,
  ) {}

  push(value: T): void {
    this.pending = { value };
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.delayMs);
  }

  get hasPending(): boolean {
    return this.pending !== null;
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const p = this.pending;
    this.pending = null;
    if (p) this.save(p.value);
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }
}
