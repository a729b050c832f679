/** Settings of {@link backoffDelayMs}. */
export interface BackoffOptions {
  /** The first retry's step. Default 250 ms. */
  baseMs?: number;
  /** No step is ever longer than this. Default 8 s. */
  capMs?: number;
  /** Source of randomness in [0, 1); injectable so tests can pin the jitter. */
  random?: () => number;
}

/** Default first-retry step. */
export const DEFAULT_BACKOFF_BASE_MS = 250;
/** Default longest step. */
export const DEFAULT_BACKOFF_CAP_MS = 8_000;

/**
 * The delay before retry number `retry` (0 for the first retry): exponential backoff with equal jitter,
 * a uniformly random delay in `[step / 2, step)` where `step = min(cap, base × 2^retry)`. The one formula
 * of the package: the standalone clients' retries and the trail's lanes both use it.
 *
 * Jitter spreads the clients that queued work during an outage over a window, so the recovery is not
 * knocked over again by all of them at once (AWS Architecture Blog, "Exponential Backoff And Jitter").
 * Half of the step is kept as a floor: a lane that has just seen its backend fail must not try again at
 * once, and a configured backoff is then a lower bound one can reason about.
 */
export function backoffDelayMs(retry: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const cap = options.capMs ?? DEFAULT_BACKOFF_CAP_MS;
  const random = options.random ?? Math.random;
  // 2 ** retry overflows to Infinity for huge retry counts; min() keeps that harmless.
  const step = Math.min(cap, base * 2 ** Math.max(0, retry));
  return Math.floor(step / 2 + (random() * step) / 2);
}
