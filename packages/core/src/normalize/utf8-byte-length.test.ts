import { describe, expect, it } from 'vitest';
import { utf8ByteLength } from './utf8-byte-length';

const encoder = new TextEncoder();

describe('utf8ByteLength', () => {
  it.each([
    ['', 0],
    ['hello', 5],
    ['é', 2],
    ['你好', 6],
    ['👋', 4],
    ['👨‍👩‍👧', 18],
    ['a\u0000b', 3],
  ])('measures %j as %i bytes', (text, bytes) => {
    expect(utf8ByteLength(text)).toBe(bytes);
  });

  it('agrees with TextEncoder, lone surrogates included', () => {
    for (const text of ['\ud800', '\udc00x', 'x\ud83d', '\ud83d\ud83d\ude00', 'mixed é 你 👋 \udfff end']) {
      expect(utf8ByteLength(text)).toBe(encoder.encode(text).length);
    }
  });
});
