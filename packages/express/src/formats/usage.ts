import type { TurnUsage } from '@chattrail/core';
import { isRecord } from './json-value';

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

/**
 * Token usage in any of the three spellings the recognised formats use: OpenAI Chat
 * (`prompt_tokens`/`completion_tokens`), OpenAI Responses (`input_tokens`/`output_tokens`) and the AI SDK
 * (`inputTokens`/`outputTokens`, flat numbers or `{ total }` objects). `undefined` when nothing is found.
 */
export function toTurnUsage(value: unknown): TurnUsage | undefined {
  if (!isRecord(value)) return undefined;
  const details = (key: string) =>
    isRecord(value[key]) ? (value[key] as Record<string, unknown>) : undefined;
  const total = (v: unknown) => count(v) ?? (isRecord(v) ? count(v.total) : undefined);
  const usage: TurnUsage = {};
  const input = count(value.prompt_tokens) ?? count(value.input_tokens) ?? total(value.inputTokens);
  const output = count(value.completion_tokens) ?? count(value.output_tokens) ?? total(value.outputTokens);
  const sum = count(value.total_tokens) ?? count(value.totalTokens);
  const reasoning =
    count(details('completion_tokens_details')?.reasoning_tokens) ??
    count(details('output_tokens_details')?.reasoning_tokens) ??
    count(value.reasoningTokens) ??
    count(details('outputTokens')?.reasoning);
  const cached =
    count(details('prompt_tokens_details')?.cached_tokens) ??
    count(details('input_tokens_details')?.cached_tokens) ??
    count(value.cachedInputTokens) ??
    count(details('inputTokens')?.cacheRead);
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  if (sum !== undefined) usage.totalTokens = sum;
  else if (input !== undefined && output !== undefined) usage.totalTokens = input + output;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  if (cached !== undefined) usage.cachedInputTokens = cached;
  return Object.keys(usage).length > 0 ? usage : undefined;
}
