/**
 * The number of bytes `text` takes as UTF-8, computed without allocating an encoded copy (the trail
 * measures every message on the hot path, and `TextEncoder` would copy a 5 MB string to count it).
 *
 * A lone surrogate counts as 3 bytes: that is what `TextEncoder` writes for it (U+FFFD).
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < length && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Whether `code` is the second half of a UTF-16 surrogate pair. */
export function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
