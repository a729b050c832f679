import { describe, expect, it } from 'vitest';
import { jsonDepth, parseJson } from './parse-json.js';

describe('jsonDepth', () => {
  it('counts nesting and ignores brackets inside strings', () => {
    expect(jsonDepth('{"a":[1,{"b":2}]}', 100)).toBe(3);
    expect(jsonDepth('"[[[[["', 100)).toBe(0);
    expect(jsonDepth('{"a":"\\"[[["}', 100)).toBe(1);
  });
  it('tells escaped quotes from closing ones however many backslashes precede them', () => {
    expect(jsonDepth('{"a":"\\\\","b":[[1]]}', 100)).toBe(3); // "\\" ends the string
    expect(jsonDepth('["\\\\\\"[",[1]]', 100)).toBe(2); // \\\" does not
    expect(jsonDepth('["a\\"]",{"b":[]}]', 100)).toBe(3);
    expect(jsonDepth('"unterminated [[', 100)).toBe(0);
  });
  it('stops counting early once over the limit', () => {
    expect(jsonDepth('['.repeat(1_000_000), 10)).toBe(11);
  });
});

describe('parseJson', () => {
  it('parses, reports the position of a syntax error, and refuses deep input', () => {
    expect(parseJson('{"a":1}', 5)).toEqual({ ok: true, value: { a: 1 } });
    const bad = parseJson('{"a":}', 5);
    expect(bad).toMatchObject({ ok: false, reason: 'invalid' });
    expect(parseJson('[[[[[[]]]]]]', 5)).toMatchObject({ ok: false, reason: 'too-deep' });
  });
});
