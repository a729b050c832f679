export interface BackoffOptions {
  /** The first retry's step. Default 250 ms. */
  baseMs?: number;
  /** No step is ever longer than this. Default 8 s. */
  capMs?: number;
  /** Source of randomness in [0, 1), for tests. */
  random?: () => number;
}

/**
 * Retry `retry`'s delay (0 first): uniform in `[step / 2, step)`, step = min(cap, base × 2^retry). Jitter
 * spreads clients recovering from one outage; the floor keeps a lane off a backend that just failed.
 */
export function backoffDelayMs(retry: number, options: BackoffOptions = {}): number {
  const { baseMs = 250, capMs = 8_000, random = Math.random } = options;
  // 2 ** retry overflows to Infinity for huge retry counts; min() keeps that harmless.
  const step = Math.min(capMs, baseMs * 2 ** Math.max(0, retry));
  return Math.floor(step / 2 + (random() * step) / 2);
}
