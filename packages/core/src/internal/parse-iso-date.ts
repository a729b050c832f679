/**
 * `Date.parse(text)`, read by hand when `text` is in `toISOString()`'s form (`YYYY-MM-DDTHH:mm:ss.sssZ`, as
 * the trail writes a turn's times) with every field in range: the general parser costs the worker several
 * times more, twice per turn and destination. Anything else goes to `Date.parse`, so the result is always its.
 */
export function parseIsoDate(text: string): number {
  if (typeof text !== 'string' || text.length !== 24 || !separated(text)) return Date.parse(text);
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const ms = digits(text, 20, 3);
  // A non-digit made its field negative.
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return Date.parse(text);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) {
    return Date.parse(text);
  }
  return ((daysFromEpoch(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms;
}

/** `-`, `-`, `T`, `:`, `:`, `.` and `Z` in their places. */
function separated(text: string): boolean {
  const at = (i: number) => text.charCodeAt(i);
  return (
    at(4) === 45 &&
    at(7) === 45 &&
    at(10) === 84 &&
    at(13) === 58 &&
    at(16) === 58 &&
    at(19) === 46 &&
    at(23) === 90
  );
}

/** The decimal number in `text[at, at + count)`, or -1 if a character is not an ASCII digit. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function daysIn(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** Days from 1970-01-01 to the date (proleptic Gregorian), by H. Hinnant's `days_from_civil`. */
function daysFromEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return (
    era * 146_097 +
    yearOfEra * 365 +
    Math.floor(yearOfEra / 4) -
    Math.floor(yearOfEra / 100) +
    dayOfYear -
    719_468
  );
}
