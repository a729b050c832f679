// 13 to 19 digits, optionally grouped by single spaces or dashes, not glued to other digits or letters.
const CANDIDATE = /(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])/g;

/**
 * Replaces payment card numbers with `[card]`: 13–19 digits (spaces or dashes allowed between them) that
 * pass the Luhn checksum, so order numbers and other long digit runs are left alone.
 */
export function maskCardNumbers(text: string): string {
  return text.replace(CANDIDATE, (match) => (passesLuhn(match.replace(/[ -]/g, '')) ? '[card]' : match));
}

/** The Luhn (mod 10) checksum every card number carries. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return false;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}
