import { isLowSurrogate } from './utf8-byte-length';

type WellFormedString = string & { isWellFormed?(): boolean; toWellFormed?(): string };

const NATIVE = typeof (String.prototype as WellFormedString).isWellFormed === 'function';

/** `text` with lone surrogates as U+FFFD: Python's, Rust's and Go's JSON decoders reject their `\udXXX`. */
export function wellFormed(text: string): string {
  if (!NATIVE) return replaceLoneSurrogates(text);
  return (text as WellFormedString).isWellFormed!() ? text : (text as WellFormedString).toWellFormed!();
}

/** The fallback of {@link wellFormed}; exported for its test. */
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
