import { describe, expect, it } from 'vitest';
import { truncateUtf8, truncationMarker } from './truncate-utf8';
import { utf8ByteLength } from './utf8-byte-length';

const encoder = new TextEncoder();

function splitsSurrogatePair(text: string, at: number): boolean {
  const before = text.charCodeAt(at - 1);
  const after = text.charCodeAt(at);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

/** What must hold for every cut: within budget, well-formed, a prefix of the original. */
function expectValidCut(original: string, maxBytes: number): string {
  const result = truncateUtf8(original, maxBytes);
  expect(encoder.encode(result).length).toBeLessThanOrEqual(Math.max(0, maxBytes));
  const kept = result.replace(/… \[truncated \d+ bytes\]$/, '');
  expect(original.startsWith(kept)).toBe(true);
  expect(splitsSurrogatePair(original, kept.length)).toBe(false);
  if (result !== original && result.endsWith(' bytes]')) {
    const removed = Number(/truncated (\d+) bytes/.exec(result)![1]);
    expect(removed).toBe(utf8ByteLength(original) - utf8ByteLength(kept));
  }
  return result;
}

describe('truncateUtf8', () => {
  it('returns text that fits unchanged', () => {
    expect(truncateUtf8('hello', 5)).toBe('hello');
    expect(truncateUtf8('你好', 6)).toBe('你好');
    expect(truncateUtf8('', 0)).toBe('');
  });

  it('appends a marker naming the removed byte count', () => {
    const text = 'a'.repeat(1000);
    const result = truncateUtf8(text, 100);
    const kept = 100 - utf8ByteLength(truncationMarker(1000));
    expect(result).toBe(`${'a'.repeat(kept)}${truncationMarker(1000 - kept)}`);
    expect(result.endsWith('… [truncated 926 bytes]')).toBe(true);
    expect(utf8ByteLength(result)).toBeLessThanOrEqual(100);
  });

  it('cuts without a marker when the marker itself would not fit', () => {
    expect(truncateUtf8('abcdefghijklmnopqrstuvwxyz', 5)).toBe('abcde');
    expect(truncateUtf8('abc', 0)).toBe('');
    expect(truncateUtf8('abc', -1)).toBe('');
  });

  const samples: Record<string, string> = {
    ascii: 'The quick brown fox jumps over the lazy dog. '.repeat(3),
    cjk: '中文字符测试，日本語のテキスト、한국어 텍스트。'.repeat(3),
    emoji: '👋🏽 hi 👨‍👩‍👧‍👦 family 🇫🇷 flag 😀😀😀 '.repeat(3),
    mixed: 'é ü ß — “quotes” 𝒳 𝔘 ✓ 你好 👍 end'.repeat(3),
    loneSurrogates: 'a\ud800b\udc00c'.repeat(10),
  };

  for (const [name, text] of Object.entries(samples)) {
    it(`never splits a character at any cut point (${name})`, () => {
      const total = utf8ByteLength(text);
      for (let maxBytes = 0; maxBytes <= total + 2; maxBytes++) expectValidCut(text, maxBytes);
    });
  }

  it('never leaves half of a surrogate pair at the cut', () => {
    const text = '😀'.repeat(50);
    for (let maxBytes = 0; maxBytes < 200; maxBytes++) {
      const kept = truncateUtf8(text, maxBytes).replace(/… \[truncated \d+ bytes\]$/, '');
      expect(kept.length % 2).toBe(0);
    }
  });

  // Speed is measured by `pnpm bench`, never asserted here: a loaded CI machine would make it flaky.
  it('truncates a 5 MB message to the limit', () => {
    const big = '日本語 text 👍 '.repeat(400_000);
    const result = truncateUtf8(big, 32 * 1024);
    expect(utf8ByteLength(result)).toBeLessThanOrEqual(32 * 1024);
    expect(result).toMatch(/… \[truncated \d+ bytes\]$/);
  });
});
