import { describe, expect, it } from 'vitest';
import { jsonByteLength } from './json-byte-length';

const actual = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '');

describe('jsonByteLength', () => {
  it.each<[string, unknown]>([
    ['null', null],
    ['true', true],
    ['false', false],
    ['integer', 42],
    ['negative float', -3.25],
    ['exponent', 1e21],
    ['empty string', ''],
    ['escapes', 'quote " backslash \\ newline \n tab \t bell \u0007 del \u007f'],
    ['unicode', 'é 你好 👋 👨‍👩‍👧'],
    ['lone surrogates', 'a\ud800b\udc00'],
    ['empty array', []],
    ['empty object', {}],
    ['nested', { a: [1, 'two', { b: null, c: [true, false] }], 'key "quoted"': 'v' }],
    ['omitted members', { a: undefined, b: () => 1, c: 1, d: Symbol('x') }],
    ['omitted items', [undefined, () => 1, 2]],
    ['non-finite', [Number.NaN, Number.POSITIVE_INFINITY]],
  ])('matches JSON.stringify for %s', (_name, value) => {
    expect(jsonByteLength(value)).toBe(actual(value));
  });

  it('matches JSON.stringify for a realistic turn', () => {
    const turn = {
      id: 'turn_1',
      threadId: 'thread-1',
      messages: Array.from({ length: 10 }, (_, i) => ({
        id: `msg_${i}`,
        role: i % 2 ? 'assistant' : 'user',
        content: `Message ${i}: ${'lorem ipsum '.repeat(i)} — ✓ 日本`,
        toolCalls: i === 3 ? [{ id: 'call_1', name: 'search', args: { q: 'x', n: 3 } }] : undefined,
      })),
      usage: { inputTokens: 10, outputTokens: 20 },
      status: 'ok',
    };
    expect(jsonByteLength(turn)).toBe(actual(turn));
  });

  it('measures bigints as quoted strings', () => {
    expect(jsonByteLength(123n)).toBe(5);
  });
});
