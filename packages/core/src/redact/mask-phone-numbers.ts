// An optional +country code, an optional (area) code, then 2–4 digit groups with single separators.
const CANDIDATE =
  /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}(?![\w])/g;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DOTTED_DATE = /^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/;

/** Replaces phone numbers (7–15 digits written as one; 10 unformatted; not dates) with `[phone]`. */
export function maskPhoneNumbers(text: string): string {
  return text.replace(CANDIDATE, (match) => (looksLikePhone(match) ? '[phone]' : match));
}

function looksLikePhone(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '').length;
  if (digits < 7 || digits > 15 || ISO_DATE.test(candidate) || DOTTED_DATE.test(candidate)) return false;
  return digits >= 10 || /[+() .-]/.test(candidate);
}
