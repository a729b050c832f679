/** Replaces sensitive parts of a text (the same string when there are none); see `redactText`. */
export type TextMasker = (text: string) => string;
