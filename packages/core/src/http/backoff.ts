/** Retry `retry`'s delay (0 first): uniform in `[step / 2, step)`, step = min(capMs, baseMs × 2^retry). */
export function backoffDelayMs(
  retry: number,
  options: { baseMs?: number; capMs?: number; random?: () => number } = {},
): number {
  const { baseMs = 250, capMs = 8_000, random = Math.random } = options;
  // Jitter spreads clients recovering from one outage; the floor keeps a lane off a backend that just failed.
  // 2 ** retry overflows to Infinity for huge retry counts; min() keeps that harmless.
  const step = Math.min(capMs, baseMs * 2 ** Math.max(0, retry));
  return Math.floor(step / 2 + (random() * step) / 2);
}
