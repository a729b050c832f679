/**
 * How long the server asked us to wait, in milliseconds, or `undefined` when it did not say.
 *
 * Reads `retry-after-ms` (milliseconds, a non-standard header some APIs send for sub-second precision)
 * first, then `Retry-After` as delta-seconds (`"120"`, fractions accepted) or as an HTTP date. A date in the
 * past means "now" (0). Malformed or negative values are ignored rather than guessed at.
 */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const milliseconds = parseNonNegativeNumber(headers.get('retry-after-ms'));
  if (milliseconds !== undefined) return milliseconds;

  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = parseNonNegativeNumber(value);
  if (seconds !== undefined) return seconds * 1000;
  // Only attempt a date when the value looks like one; Date.parse accepts too much ("1" is year 2001).
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function parseNonNegativeNumber(value: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return undefined;
  const parsed = Number(trimmed);
  return Number.isFinite(parsed) ? parsed : undefined;
}
