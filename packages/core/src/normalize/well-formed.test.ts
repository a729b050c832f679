import { describe, expect, it } from 'vitest';
import { replaceLoneSurrogates, wellFormed } from './well-formed';

const CASES: [string, string][] = [
  ['', ''],
  ['plain', 'plain'],
  ['héllo ✓', 'héllo ✓'],
  ['pair 😀 kept', 'pair 😀 kept'],
  ['lone high \ud83d here', 'lone high \ufffd here'],
  ['lone low \ude00 here', 'lone low \ufffd here'],
  ['\ud83d', '\ufffd'],
  ['end \ud83d', 'end \ufffd'],
  ['\ude00\ud83d', '\ufffd\ufffd'],
  ['reversed \ude00\ud83d pair', 'reversed \ufffd\ufffd pair'],
  ['two highs \ud83d\ud83d\ude00', 'two highs \ufffd😀'],
];

describe('wellFormed', () => {
  it.each(CASES)('%j → %j', (input, expected) => {
    expect(wellFormed(input)).toBe(expected);
    expect(replaceLoneSurrogates(input)).toBe(expected);
  });

  it('returns the very string when there is nothing to replace', () => {
    const text = `${'x'.repeat(100)}😀`;
    expect(wellFormed(text)).toBe(text);
    expect(replaceLoneSurrogates(text)).toBe(text);
  });

  it('agrees with String.prototype.toWellFormed on every surrogate neighbourhood', () => {
    const units = ['a', '\ud800', '\udbff', '\udc00', '\udfff', 'é', '😀'];
    for (const a of units)
      for (const b of units)
        for (const c of units) {
          const text = a + b + c;
          expect(replaceLoneSurrogates(text)).toBe(
            (text as unknown as { toWellFormed(): string }).toWellFormed(),
          );
        }
  });
});
