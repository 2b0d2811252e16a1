/** Lease countdown text. Pure. */

/** `"14:05"`, `"1:02:03"`, or `"0:00"` in the last second and once past. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Milliseconds left on a lease, given the server clock's offset from ours (server − client). */
export function remainingMs(expiresAt: string, clientNow: number, serverOffsetMs = 0): number {
  const end = Date.parse(expiresAt);
  return Number.isNaN(end) ? Number.POSITIVE_INFINITY : end - (clientNow + serverOffsetMs);
}

/** Under two minutes left: the countdown turns to a warning. */
export const WARN_BELOW_MS = 120_000;
