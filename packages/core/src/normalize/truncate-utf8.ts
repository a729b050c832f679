import { isLowSurrogate, utf8ByteLength } from './utf8-byte-length';

export function truncationMarker(removedBytes: number): string {
  return `… [truncated ${removedBytes} bytes]`;
}

/** `text` cut to at most `maxBytes` of UTF-8, with a `… [truncated N bytes]` marker if it fits. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const limit = Math.max(0, Math.floor(maxBytes));
  // Each UTF-16 code unit encodes to at most 3 bytes, so short strings need no scan at all.
  if (text.length * 3 <= limit) return text;
  const totalBytes = utf8ByteLength(text);
  if (totalBytes <= limit) return text;

  // Room for the longest marker this cut can produce: removed bytes never exceed the total.
  const markerBytes = utf8ByteLength(truncationMarker(totalBytes));
  if (limit < markerBytes) return cutToBytes(text, limit).prefix;

  const { prefix, bytes } = cutToBytes(text, limit - markerBytes);
  return prefix + truncationMarker(totalBytes - bytes);
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, without a marker. */
export function utf8Prefix(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text;
  return cutToBytes(text, Math.max(0, Math.floor(maxBytes))).prefix;
}

function cutToBytes(text: string, budget: number): { prefix: string; bytes: number } {
  let bytes = 0;
  let end = 0;
  const length = text.length;
  while (end < length) {
    const code = text.charCodeAt(end);
    const pair =
      code >= 0xd800 && code <= 0xdbff && end + 1 < length && isLowSurrogate(text.charCodeAt(end + 1));
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + width > budget) break;
    bytes += width;
    end += pair ? 2 : 1;
  }
  return { prefix: text.slice(0, end), bytes };
}
