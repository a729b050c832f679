import { describe, expect, it } from 'vitest';
import { normalizeFinishReason, normalizeUsage } from './normalize-usage';

describe('normalizeUsage', () => {
  it('reads the V2 flat shape (ai 5)', () => {
    expect(
      normalizeUsage({
        inputTokens: 10,
        outputTokens: 5,
        totalTokens: 15,
        reasoningTokens: 2,
        cachedInputTokens: 4,
      }),
    ).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 15,
      reasoningTokens: 2,
      cachedInputTokens: 4,
    });
  });

  it('reads the V3/V4 nested shape (ai 6/7) and sums the total', () => {
    expect(
      normalizeUsage({
        inputTokens: { total: 10, noCache: 6, cacheRead: 4, cacheWrite: undefined },
        outputTokens: { total: 5, text: 3, reasoning: 2 },
      }),
    ).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 15,
      reasoningTokens: 2,
      cachedInputTokens: 4,
    });
  });

  it("takes ai 6's shimmed V2 total from raw.totalTokens", () => {
    expect(
      normalizeUsage({ inputTokens: { total: 1 }, outputTokens: { total: 2 }, raw: { totalTokens: 9 } })
        ?.totalTokens,
    ).toBe(9);
  });

  it('keeps unreported counts absent, never zero, and returns undefined for nothing', () => {
    expect(normalizeUsage({ inputTokens: 3, outputTokens: undefined, totalTokens: undefined })).toEqual({
      inputTokens: 3,
    });
    expect(
      normalizeUsage({ inputTokens: { total: undefined }, outputTokens: { total: undefined } }),
    ).toBeUndefined();
    expect(normalizeUsage(undefined)).toBeUndefined();
    expect(normalizeUsage({ inputTokens: Number.NaN })).toBeUndefined();
  });
});

describe('normalizeFinishReason', () => {
  it('reads both shapes', () => {
    expect(normalizeFinishReason('tool-calls')).toBe('tool-calls');
    expect(normalizeFinishReason({ unified: 'stop', raw: 'end_turn' })).toBe('stop');
    expect(normalizeFinishReason(undefined)).toBeUndefined();
    expect(normalizeFinishReason({ raw: 'x' })).toBeUndefined();
  });
});
