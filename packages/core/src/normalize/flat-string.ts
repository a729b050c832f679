// biome-ignore lint/correctness/noUnusedVariables: written to, so that the read is not optimised away
let sink = 0;

/** The same string, flattened (reading a character does it): a queued copy would hold a concat's pieces. */
export function flatString(text: string): string {
  sink ^= text.charCodeAt(0);
  return text;
}
