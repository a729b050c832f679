import { isLowSurrogate } from './utf8-byte-length';

/** UTF-8 bytes of `JSON.stringify(value)`, without building it; exact for plain non-circular data. */
export function jsonByteLength(value: unknown): number {
  if (typeof value === 'string') return jsonStringByteLength(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).length : 4;
  if (typeof value === 'boolean') return value ? 4 : 5;
  if (typeof value === 'bigint') return String(value).length + 2;
  if (value === null) return 4;
  if (typeof value !== 'object') return 0;
  if (Array.isArray(value)) {
    let bytes = 2 + Math.max(0, value.length - 1); // brackets and commas
    for (const item of value) bytes += isOmitted(item) ? 4 : jsonByteLength(item);
    return bytes;
  }
  let bytes = 2;
  let members = 0;
  for (const key of Object.keys(value as object)) {
    const item = (value as Record<string, unknown>)[key];
    if (isOmitted(item)) continue;
    bytes += jsonStringByteLength(key) + 1 + jsonByteLength(item);
    members++;
  }
  return bytes + Math.max(0, members - 1);
}

function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function jsonStringByteLength(text: string): number {
  let bytes = 2;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20) {
      // \b \t \n \f \r have two-character escapes, other control characters become \u00XX.
      bytes += code === 8 || code === 9 || code === 10 || code === 12 || code === 13 ? 2 : 6;
    } else if (code === 0x22 || code === 0x5c) bytes += 2;
    else if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code < 0xd800 || code > 0xdfff) bytes += 3;
    else if (code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 6; // lone surrogate: JSON.stringify writes \udXXX
  }
  return bytes;
}
