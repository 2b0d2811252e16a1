/** When and how soon to retry a failed request. Pure. */

/** Network failures (status 0), timeouts, rate limits and gateway errors are worth a retry. */
export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status === 502 || status === 503 || status === 504;
}

export const MAX_ATTEMPTS = 6;

/** Exponential backoff (1 s, 2 s, 4 s … capped at 15 s) with up to 20 % jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(1000 * 2 ** Math.max(0, attempt), 15_000);
  return Math.round(base * (1 + 0.2 * random()));
}
