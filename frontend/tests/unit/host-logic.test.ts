import { afterEach, describe, expect, it, vi } from "vitest";
import { ActiveTimer } from "../../src/host/active-timer";
import { formatRemaining, remainingMs } from "../../src/host/countdown";
import { Debouncer } from "../../src/host/debounce";
import { backoffMs, isRetryableStatus } from "../../src/host/retry";

describe("ActiveTimer", () => {
  const clock = (): { now: () => number; advance: (ms: number) => void } => {
    let t = 1000;
    return { now: () => t, advance: (ms) => (t += ms) };
  };

  it("counts while active and visible", () => {
    const c = clock();
    const timer = new ActiveTimer(60_000, c.now);
    timer.reset();
    c.advance(5000);
    timer.activity();
    c.advance(3000);
    expect(timer.elapsed()).toBe(8000);
  });

  it("stops counting 60 s after the last activity, and resumes on the next", () => {
    const c = clock();
    const timer = new ActiveTimer(60_000, c.now);
    timer.reset();
    c.advance(10_000);
    timer.activity(); // 10 s
    c.advance(300_000); // away for 5 minutes: only 60 s of it counts
    expect(timer.elapsed()).toBe(70_000);
    timer.activity();
    c.advance(2000);
    expect(timer.elapsed()).toBe(72_000);
  });

  it("pauses while the page is hidden", () => {
    const c = clock();
    const timer = new ActiveTimer(60_000, c.now);
    timer.reset();
    c.advance(4000);
    timer.setVisible(false);
    c.advance(50_000);
    timer.activity(); // cannot happen while hidden, and must not count
    expect(timer.elapsed()).toBe(4000);
    timer.setVisible(true);
    c.advance(1000);
    expect(timer.elapsed()).toBe(5000);
  });

  it("reset starts from zero; a hidden start counts nothing", () => {
    const c = clock();
    const timer = new ActiveTimer(60_000, c.now);
    timer.reset();
    c.advance(9000);
    timer.reset(false);
    c.advance(9000);
    expect(timer.elapsed()).toBe(0);
  });
});

describe("countdown", () => {
  it.each([
    [0, "0:00"],
    [-5000, "0:00"],
    [999, "0:00"],
    [1000, "0:01"],
    [65_000, "1:05"],
    [14 * 60_000 + 59_999, "14:59"],
    [3_723_000, "1:02:03"],
  ])("%d ms → %s", (ms, text) => {
    expect(formatRemaining(ms)).toBe(text);
  });

  it("uses the server clock offset", () => {
    const now = Date.parse("2026-11-24T17:00:00Z");
    expect(remainingMs("2026-11-24T18:00:00Z", now)).toBe(3_600_000);
    expect(remainingMs("2026-11-24T18:00:00Z", now, 60_000)).toBe(3_540_000);
    expect(remainingMs("not a date", now)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("retry policy", () => {
  it("retries only what may succeed later", () => {
    for (const s of [0, 408, 429, 502, 503, 504]) expect(isRetryableStatus(s)).toBe(true);
    for (const s of [400, 401, 403, 404, 409, 410, 422, 500]) expect(isRetryableStatus(s)).toBe(false);
  });

  it("backs off exponentially, capped, with jitter", () => {
    expect(backoffMs(0, () => 0)).toBe(1000);
    expect(backoffMs(3, () => 0)).toBe(8000);
    expect(backoffMs(10, () => 0)).toBe(15_000);
    expect(backoffMs(0, () => 1)).toBe(1200);
  });
});

describe("Debouncer", () => {
  afterEach(() => vi.useRealTimers());

  it("saves the latest value once things are quiet", () => {
    vi.useFakeTimers();
    const saved: number[] = [];
    const d = new Debouncer<number>((v) => saved.push(v), 800);
    d.push(1);
    vi.advanceTimersByTime(500);
    d.push(2);
    vi.advanceTimersByTime(799);
    expect(saved).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(saved).toEqual([2]);
  });

  it("flush saves now, cancel drops", () => {
    vi.useFakeTimers();
    const saved: number[] = [];
    const d = new Debouncer<number>((v) => saved.push(v), 800);
    d.push(1);
    expect(d.hasPending).toBe(true);
    d.flush();
    expect(saved).toEqual([1]);
    d.push(2);
    d.cancel();
    vi.advanceTimersByTime(2000);
    expect(saved).toEqual([1]);
    d.flush();
    expect(saved).toEqual([1]);
  });
});
