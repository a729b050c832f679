import { isLowSurrogate, utf8ByteLength } from './utf8-byte-length';

/** The marker appended by {@link truncateUtf8}; `removedBytes` is what was cut from the original. */
export function truncationMarker(removedBytes: number): string {
  return `… [truncated ${removedBytes} bytes]`;
}

/**
 * Cuts `text` so that its UTF-8 encoding, marker included, is at most `maxBytes` long.
 *
 * - Text that already fits is returned unchanged (the same string, no copy).
 * - The cut never splits a surrogate pair, so the result is always well-formed (no U+FFFD appears when it
 *   is encoded). Grapheme clusters (an emoji with modifiers, a letter with combining marks) may be split
 *   between their code points; that changes how the last character renders, never the encoding.
 * - The marker `… [truncated N bytes]` says how many bytes of the original were dropped. When `maxBytes`
 *   is too small to hold even the marker, the text is cut to `maxBytes` without one.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  const limit = Math.max(0, Math.floor(maxBytes));
  // Each UTF-16 code unit encodes to at most 3 bytes, so short strings need no scan at all.
  if (text.length * 3 <= limit) return text;
  const totalBytes = utf8ByteLength(text);
  if (totalBytes <= limit) return text;

  // Reserve room for the longest marker this cut can produce: removed bytes never exceed the total.
  const markerBytes = utf8ByteLength(truncationMarker(totalBytes));
  if (limit < markerBytes) return cutToBytes(text, limit).prefix;

  const { prefix, bytes } = cutToBytes(text, limit - markerBytes);
  return prefix + truncationMarker(totalBytes - bytes);
}

/** The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, without a marker and without splitting a pair. */
export function utf8Prefix(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text;
  return cutToBytes(text, Math.max(0, Math.floor(maxBytes))).prefix;
}

/** The longest prefix of `text` whose UTF-8 encoding fits in `budget` bytes, without splitting a pair. */
function cutToBytes(text: string, budget: number): { prefix: string; bytes: number } {
  let bytes = 0;
  let end = 0;
  const length = text.length;
  while (end < length) {
    const code = text.charCodeAt(end);
    let width: number;
    let units = 1;
    if (code < 0x80) width = 1;
    else if (code < 0x800) width = 2;
    else if (
      code >= 0xd800 &&
      code <= 0xdbff &&
      end + 1 < length &&
      isLowSurrogate(text.charCodeAt(end + 1))
    ) {
      width = 4;
      units = 2;
    } else width = 3;
    if (bytes + width > budget) break;
    bytes += width;
    end += units;
  }
  return { prefix: text.slice(0, end), bytes };
}
