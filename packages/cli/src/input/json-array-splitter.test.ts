import { describe, expect, it } from 'vitest';
import { type ArrayElement, JsonArraySplitter } from './json-array-splitter';

// Strings with every character that could fool a splitter: braces, brackets, commas, escaped quotes and
// backslashes, an escaped quote right before the closing quote, unicode escapes, astral characters.
const VALUES: unknown[] = [
  { title: 'plain', mapping: { a: { id: 'a', children: ['b'] } } },
  { text: 'braces { [ ] } and , commas', quote: 'he said "hi"', slash: 'C:\\dir\\', end: '\\"' },
  { nested: [[], [{}], { deep: [1, [2, [3]]] }], emoji: '😀 naïve \u2028', escaped: '\u0000\t\n' },
  'a scalar string with ] and }',
  42.5,
  null,
  true,
  [],
  {},
];
const SAMPLE = `\uFEFF [\n  ${VALUES.map((v, i) => JSON.stringify(v, null, i % 2 === 0 ? 0 : 2)).join(' ,\n ')}\n]\n `;

function split(chunks: string[]): ArrayElement[] {
  const splitter = new JsonArraySplitter();
  const out: ArrayElement[] = [];
  for (const chunk of chunks) out.push(...splitter.push(chunk));
  out.push(...splitter.end());
  return out;
}

describe('JsonArraySplitter', () => {
  it('gives each element of the array, whole and in order, for a chunk boundary at every position', () => {
    const expected = split([SAMPLE]);
    expect(expected.map((e) => JSON.parse(e.text))).toEqual(VALUES);
    expect(expected.map((e) => e.index)).toEqual(VALUES.map((_, i) => i + 1));
    for (let at = 0; at <= SAMPLE.length; at++) {
      expect(split([SAMPLE.slice(0, at), SAMPLE.slice(at)]), `boundary at ${at}`).toEqual(expected);
    }
  });

  it('copes with one character per chunk, and with three boundaries at once', () => {
    const expected = split([SAMPLE]);
    expect(split([...SAMPLE])).toEqual(expected);
    for (let a = 0; a < SAMPLE.length; a += 7) {
      for (let b = a; b < SAMPLE.length; b += 5) {
        expect(split([SAMPLE.slice(0, a), SAMPLE.slice(a, b), SAMPLE.slice(b)])).toEqual(expected);
      }
    }
  });

  it('gives the line each element starts on', () => {
    const elements = split(['[\n{"a":1},\n\n{"b":"x\\ny"}\n, {"c":\n2}]']);
    expect(elements.map((e) => [e.index, e.line])).toEqual([
      [1, 2],
      [2, 4],
      [3, 5],
    ]);
  });

  it('returns an element cut off by the end of the input, so the caller can report it', () => {
    const elements = split(['[{"a":1},{"b":"cut']);
    expect(elements).toHaveLength(2);
    expect(elements[1]).toMatchObject({ index: 2, text: '{"b":"cut' });
    expect(() => JSON.parse(elements[1]!.text)).toThrow();
  });

  it('refuses what is not an array, text after it, and an element that never ends', () => {
    expect(() => split(['{"a":1}'])).toThrow(/not a JSON array/);
    expect(() => split(['  '])).toThrow(/empty input/);
    expect(() => split(['[1] x'])).toThrow(/after the end of the array/);
    const splitter = new JsonArraySplitter({ maxElementChars: 100 });
    expect(() => {
      for (let i = 0; i < 10; i++) splitter.push(i === 0 ? '[{"a":"' : 'x'.repeat(20));
    }).toThrow(/longer than 100 characters/);
  });
});
