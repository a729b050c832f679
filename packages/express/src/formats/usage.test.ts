import { describe, expect, it } from 'vitest';
import { toTurnUsage } from './usage';

describe('toTurnUsage', () => {
  it('reads the OpenAI Chat, OpenAI Responses and AI SDK spellings', () => {
    expect(
      toTurnUsage({
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 2 },
        completion_tokens_details: { reasoning_tokens: 1 },
      }),
    ).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 15,
      cachedInputTokens: 2,
      reasoningTokens: 1,
    });
    expect(toTurnUsage({ input_tokens: 3, output_tokens: 4 })).toEqual({
      inputTokens: 3,
      outputTokens: 4,
      totalTokens: 7,
    });
    expect(
      toTurnUsage({ inputTokens: { total: 8, cacheRead: 3 }, outputTokens: { total: 2, reasoning: 1 } }),
    ).toEqual({ inputTokens: 8, outputTokens: 2, totalTokens: 10, cachedInputTokens: 3, reasoningTokens: 1 });
    expect(toTurnUsage({ inputTokens: 1, outputTokens: 1, totalTokens: 2 })).toEqual({
      inputTokens: 1,
      outputTokens: 1,
      totalTokens: 2,
    });
  });

  it('says nothing rather than zero when nothing is reported', () => {
    expect(toTurnUsage(null)).toBeUndefined();
    expect(toTurnUsage({ prompt_tokens: -1, other: 3 })).toBeUndefined();
  });
});
