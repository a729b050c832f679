// biome-ignore lint/correctness/noUnusedVariables: written to, so that the conversion is not optimised away
let sink = 0;

/**
 * The same string, stored flat. V8 keeps a string built with `+` or a template (a streamed answer's
 * deltas, an id put together by the app) as a tree of its pieces, and a queued copy would hold the whole
 * tree until it is sent. Converting it to a number makes V8 flatten it in place; the next garbage
 * collection then drops the pieces. Cheap: the conversion stops at the first character that is not a digit.
 */
export function flatString(text: string): string {
  sink ^= Number(text) | 0;
  return text;
}
