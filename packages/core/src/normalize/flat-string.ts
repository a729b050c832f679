// biome-ignore lint/correctness/noUnusedVariables: written to, so that the read is not optimised away
let sink = 0;

/**
 * The same string, stored flat. V8 keeps a string built with `+` or a template (a streamed answer's
 * deltas, an id put together by the app) as a tree of its pieces, and a queued copy would hold the whole
 * tree until it is sent. Reading a character of such a tree makes V8 flatten it in place; the next garbage
 * collection then drops the pieces. Cheap: a flat string's first character is read inline (a conversion
 * to a number, used before, went through the runtime every time).
 */
export function flatString(text: string): string {
  sink ^= text.charCodeAt(0);
  return text;
}
