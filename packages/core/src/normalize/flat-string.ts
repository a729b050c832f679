// biome-ignore lint/correctness/noUnusedVariables: written to, so that the read is not optimised away
let sink = 0;

/**
 * The same string, flattened: V8 keeps a concatenated string as a tree of its pieces, which a queued copy
 * would hold; reading a character flattens it in place.
 */
export function flatString(text: string): string {
  sink ^= text.charCodeAt(0);
  return text;
}
