/** Where `toISOString()` puts `-`, `-`, `T`, `:`, `:`, `.` and `Z`. */
const SEPARATORS = [4, 7, 10, 13, 16, 19, 23];

/** `Date.parse(text)`; the trail's `toISOString()` form read by hand: Date.parse costs a few times more. */
export function parseIsoDate(text: string): number {
  return (typeof text === 'string' ? canonicalIsoTime(text) : undefined) ?? Date.parse(text);
}

/** The time of `text` in `toISOString()`'s form with every field in range, else `undefined`. */
export function canonicalIsoTime(text: string): number | undefined {
  if (text.length !== 24) return undefined;
  for (let i = 0; i < 7; i++)
    if (text.charCodeAt(SEPARATORS[i]!) !== '--T::.Z'.charCodeAt(i)) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const ms = digits(text, 20, 3);
  const date = year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
  // NaN (a non-digit) fails every test; 24:00, leap seconds, years 0-99 (Date.UTC's 19xx) are left to Date.parse.
  if (!(date && hour <= 23 && minute <= 59 && second <= 59 && ms >= 0)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** The number `count` ASCII digits at `at` make, or NaN. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (!(digit >= 0 && digit <= 9)) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

export function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
