import { describe, expect, it } from 'vitest';
import { boundId, isLongId, longIdPrefix, MAX_ID_BYTES } from './bound-id';

const bytes = (text: string) => new TextEncoder().encode(text).length;

describe('boundId', () => {
  it('leaves ids of up to 256 UTF-8 bytes as they are', () => {
    for (const id of ['', 'thread-1', 'x'.repeat(256), 'é'.repeat(128), '😀'.repeat(64)]) {
      expect(isLongId(id)).toBe(false);
      expect(boundId(id)).toBe(id);
    }
  });

  it('shortens longer ones to their first 64 bytes, … and a hash: stable, distinct, at most 256 bytes', () => {
    for (const id of ['x'.repeat(257), 'é'.repeat(129), '😀'.repeat(65), 'y'.repeat(500_000)]) {
      expect(isLongId(id)).toBe(true);
      const short = boundId(id);
      expect(short).toMatch(/^.+…[0-9a-f]{16}$/u);
      expect(bytes(short)).toBeLessThanOrEqual(64 + 3 + 16);
      expect(bytes(short)).toBeLessThanOrEqual(MAX_ID_BYTES);
      // The same id (an equal copy, not the same string) gives the same short id.
      expect(boundId(`${id}`.split('').join(''))).toBe(short);
    }
    expect(boundId('😀'.repeat(65))).toBe(`${'😀'.repeat(16)}…${boundId('😀'.repeat(65)).slice(-16)}`);
    const a = boundId(`${'x'.repeat(300)}a`);
    const b = boundId(`${'x'.repeat(300)}b`);
    expect(a).not.toBe(b);
    expect(a.slice(0, 64)).toBe(b.slice(0, 64));
  });

  it('replaces lone surrogates, in short ids and in the prefix of long ones', () => {
    expect(boundId('a\ud800b')).toBe('a\ufffdb');
    expect(boundId(`\udc00${'x'.repeat(300)}`).startsWith('\ufffdx')).toBe(true);
    expect(longIdPrefix(`\udc00${'x'.repeat(300)}`)).toBe(`\ufffd${'x'.repeat(253)}`);
  });

  it('keeps the first 256 bytes as the prefix, never splitting a character', () => {
    expect(longIdPrefix('x'.repeat(1000))).toBe('x'.repeat(256));
    expect(longIdPrefix(`x${'😀'.repeat(100)}`)).toBe(`x${'😀'.repeat(63)}`);
  });
});
