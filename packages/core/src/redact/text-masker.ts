/**
 * A function that replaces sensitive parts of a text and returns the result (the same string when there
 * is nothing to mask). The built-in maskers are `maskEmails`, `maskPhoneNumbers`, `maskCardNumbers` and
 * `maskApiKeys`; `redactText(...maskers)` applies maskers to every text of a turn.
 */
export type TextMasker = (text: string) => string;
