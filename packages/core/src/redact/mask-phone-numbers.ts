// An optional +country code, an optional (area) code, then 2–4 digit groups with single separators.
const CANDIDATE =
  /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}(?![\w])/g;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DOTTED_DATE = /^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/;

/**
 * Replaces phone numbers with `[phone]`: 7–15 digits written as one (`+44 20 7946 0958`, `(555) 123-4567`);
 * an unformatted run needs 10, dates are left alone. A heuristic that errs on masking.
 */
export function maskPhoneNumbers(text: string): string {
  return text.replace(CANDIDATE, (match) => (looksLikePhone(match) ? '[phone]' : match));
}

function looksLikePhone(candidate: string): boolean {
  let digits = 0;
  for (let i = 0; i < candidate.length; i++) {
    const code = candidate.charCodeAt(i);
    if (code >= 48 && code <= 57) digits++;
  }
  if (digits < 7 || digits > 15) return false;
  if (ISO_DATE.test(candidate) || DOTTED_DATE.test(candidate)) return false;
  const formatted = /[+() .-]/.test(candidate);
  return formatted || digits >= 10;
}
