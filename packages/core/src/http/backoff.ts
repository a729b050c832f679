/** Settings of {@link backoffDelayMs}. */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay. Default 250 ms. */
  baseMs?: number;
  /** No delay is ever longer than this. Default 8 s. */
  capMs?: number;
  /** Source of randomness in [0, 1); injectable so tests can pin the jitter. */
  random?: () => number;
}

/** Default first-retry ceiling. */
export const DEFAULT_BACKOFF_BASE_MS = 250;
/** Default longest backoff delay. */
export const DEFAULT_BACKOFF_CAP_MS = 8_000;

/**
 * The delay before retry number `retry` (0 for the first retry): exponential backoff with full jitter,
 * a uniformly random delay in `[0, min(cap, base × 2^retry))`.
 *
 * Full jitter rather than a fixed schedule: when a backend comes back after an outage, every client that
 * queued work retries at once; spreading them over the whole window is what keeps the recovery from
 * being knocked over again (AWS Architecture Blog, "Exponential Backoff And Jitter").
 */
export function backoffDelayMs(retry: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const cap = options.capMs ?? DEFAULT_BACKOFF_CAP_MS;
  const random = options.random ?? Math.random;
  // 2 ** retry overflows to Infinity for huge retry counts; min() keeps that harmless.
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, retry));
  return Math.floor(random() * ceiling);
}
