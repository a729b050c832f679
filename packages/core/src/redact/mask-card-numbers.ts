const CANDIDATE = /(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])/g;

/** Replaces card numbers with `[card]`: 13–19 digits, spaces or dashes between, passing the Luhn check. */
export function maskCardNumbers(text: string): string {
  return text.replace(CANDIDATE, (match) => (passesLuhn(match.replace(/[ -]/g, '')) ? '[card]' : match));
}

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return false;
    if (double) digit = digit > 4 ? digit * 2 - 9 : digit * 2;
    sum += digit;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}
