const FORM = '0000-00-00T00:00:00.000Z'; // `0`: a digit

/**
 * `Date.parse(text)`, read by hand when `text` is in `toISOString()`'s form (`YYYY-MM-DDTHH:mm:ss.sssZ`, as
 * the trail writes a turn's times) with every field in range: the general parser costs the worker several
 * times more, twice per turn and destination. Anything else goes to `Date.parse`, so the result is always its.
 */
export function parseIsoDate(text: string): number {
  if (typeof text !== 'string' || text.length !== 24) return Date.parse(text);
  for (let i = 0; i < 24; i++) {
    const char = text.charCodeAt(i);
    const form = FORM.charCodeAt(i);
    if (form === 48 ? char < 48 || char > 57 : char !== form) return Date.parse(text);
  }
  const [year, month, day] = [digits(text, 0, 4), digits(text, 5, 2), digits(text, 8, 2)];
  const [hour, minute, second] = [digits(text, 11, 2), digits(text, 14, 2), digits(text, 17, 2)];
  const date = month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
  // 24:00:00 and leap seconds go to Date.parse too.
  if (!date || hour > 23 || minute > 59 || second > 59) return Date.parse(text);
  const seconds = ((daysFromEpoch(year, month, day) * 24 + hour) * 60 + minute) * 60 + second;
  return seconds * 1000 + digits(text, 20, 3);
}

function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
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
