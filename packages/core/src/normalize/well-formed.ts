import { isLowSurrogate } from './utf8-byte-length';

type WellFormedString = string & { isWellFormed?(): boolean; toWellFormed?(): string };

// Node 20+, current browsers and edge runtimes have both; checked once, so older ones take the loop below.
const NATIVE = typeof (String.prototype as WellFormedString).isWellFormed === 'function';

/**
 * `text` with every lone UTF-16 surrogate replaced by U+FFFD, or `text` itself (the same string, no copy)
 * when it has none.
 *
 * `JSON.stringify` writes a lone surrogate as a `\udXXX` escape, which is valid JSON text but not valid
 * Unicode: Python's `json` accepts it and then fails to encode it, Rust's serde and Go's decoder reject or
 * mangle it. Every string from the host passes through here before it can reach a destination. A
 * one-byte (Latin-1) string cannot hold a surrogate, so V8 answers for it without a scan; other strings
 * cost one native scan (about 0.6 ns per character).
 */
export function wellFormed(text: string): string {
  if (NATIVE) {
    const native = text as WellFormedString;
    return native.isWellFormed!() ? text : native.toWellFormed!();
  }
  return replaceLoneSurrogates(text);
}

/** The fallback of {@link wellFormed}; exported for its test on runtimes that have the native methods. */
export function replaceLoneSurrogates(text: string): string {
  let out: string | undefined;
  let start = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xd800 || code > 0xdfff) continue;
    if (code <= 0xdbff && i + 1 < length && isLowSurrogate(text.charCodeAt(i + 1))) {
      i++; // a pair
      continue;
    }
    out = `${out ?? ''}${text.slice(start, i)}\ufffd`;
    start = i + 1;
  }
  return out === undefined ? text : out + text.slice(start);
}
