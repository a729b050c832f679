import type { TurnUsage } from '@chattrail/core';

type Counts = Record<string, unknown> | undefined;

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function asRecord(value: unknown): Counts {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

function build(
  inputTokens: number | undefined,
  outputTokens: number | undefined,
  totalTokens: number | undefined,
  cachedInputTokens?: number,
  reasoningTokens?: number,
): TurnUsage | undefined {
  const usage: TurnUsage = {};
  if (inputTokens !== undefined) usage.inputTokens = inputTokens;
  if (outputTokens !== undefined) usage.outputTokens = outputTokens;
  if (totalTokens !== undefined) usage.totalTokens = totalTokens;
  else if (inputTokens !== undefined && outputTokens !== undefined) {
    usage.totalTokens = inputTokens + outputTokens;
  }
  if (cachedInputTokens !== undefined) usage.cachedInputTokens = cachedInputTokens;
  if (reasoningTokens !== undefined) usage.reasoningTokens = reasoningTokens;
  return Object.keys(usage).length > 0 ? usage : undefined;
}

/**
 * Token usage of one model call.
 *
 * `usage_metadata` on the output message comes first: it is what LangChain standardises across providers
 * and the only place streamed usage arrives (aggregated from the last chunk). Cache reads and reasoning
 * tokens come from its detail objects and are reported as parts of the input and output counts, not on
 * top of them. Without it, `llmOutput.tokenUsage` (non-streaming providers), `estimatedTokenUsage`
 * (tokenizer estimates some providers give when streaming) and OpenAI-style `token_usage`/`usage` follow.
 */
export function readUsage(usageMetadata: unknown, llmOutput: unknown): TurnUsage | undefined {
  const metadata = asRecord(usageMetadata);
  if (metadata !== undefined) {
    const inputDetails = asRecord(metadata.input_token_details);
    const outputDetails = asRecord(metadata.output_token_details);
    const usage = build(
      count(metadata.input_tokens),
      count(metadata.output_tokens),
      count(metadata.total_tokens),
      count(inputDetails?.cache_read),
      count(outputDetails?.reasoning),
    );
    if (usage !== undefined) return usage;
  }
  const output = asRecord(llmOutput);
  if (output === undefined) return undefined;
  const camel = asRecord(output.tokenUsage) ?? asRecord(output.estimatedTokenUsage);
  if (camel !== undefined) {
    const usage = build(count(camel.promptTokens), count(camel.completionTokens), count(camel.totalTokens));
    if (usage !== undefined) return usage;
  }
  const snake = asRecord(output.token_usage) ?? asRecord(output.usage);
  if (snake !== undefined) {
    return build(
      count(snake.prompt_tokens) ?? count(snake.input_tokens),
      count(snake.completion_tokens) ?? count(snake.output_tokens),
      count(snake.total_tokens),
    );
  }
  return undefined;
}
