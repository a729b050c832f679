import { describe, expect, it } from 'vitest';
import { readUsage } from './read-usage';

describe('readUsage', () => {
  it('reads usage_metadata with cache reads and reasoning tokens', () => {
    expect(
      readUsage(
        {
          input_tokens: 100,
          output_tokens: 50,
          total_tokens: 150,
          input_token_details: { cache_read: 60, cache_creation: 5 },
          output_token_details: { reasoning: 20 },
        },
        { tokenUsage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } },
      ),
    ).toEqual({
      inputTokens: 100,
      outputTokens: 50,
      totalTokens: 150,
      cachedInputTokens: 60,
      reasoningTokens: 20,
    });
  });

  it('falls back to llmOutput.tokenUsage, then estimatedTokenUsage, then snake_case usage', () => {
    expect(
      readUsage(undefined, { tokenUsage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 } }),
    ).toEqual({
      inputTokens: 3,
      outputTokens: 4,
      totalTokens: 7,
    });
    expect(readUsage(undefined, { estimatedTokenUsage: { promptTokens: 5, completionTokens: 1 } })).toEqual({
      inputTokens: 5,
      outputTokens: 1,
      totalTokens: 6,
    });
    expect(
      readUsage({}, { token_usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 } }),
    ).toEqual({
      inputTokens: 2,
      outputTokens: 2,
      totalTokens: 4,
    });
  });

  it('reports nothing rather than zeros when nothing is known', () => {
    expect(readUsage(undefined, {})).toBeUndefined();
    expect(readUsage({ input_tokens: Number.NaN }, undefined)).toBeUndefined();
  });
});
