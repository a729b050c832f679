// The version matrix: the same suite runs on ai 5, 6 and 7, each with its own package, mocks and
// OpenAI-compatible provider (pnpm aliases `ai-v5`, `ai-v6`; `ai` is 7).
import * as openaiCompatible7 from '@ai-sdk/openai-compatible';
import * as ai7 from 'ai';
import * as test7 from 'ai/test';
import * as ai5 from 'ai-v5';
import * as test5 from 'ai-v5/test';
import * as ai6 from 'ai-v6';
import * as test6 from 'ai-v6/test';
import * as openaiCompatible5 from 'openai-compatible-v1';
import * as openaiCompatible6 from 'openai-compatible-v2';

export interface AiVersion {
  name: string;
  /** The `specificationVersion` the middleware sees for a model built with this version's mock. */
  spec: 'v2' | 'v3' | 'v4';
  ai: any;
  MockLanguageModel: any;
  createOpenAICompatible: (options: { name: string; baseURL: string; apiKey: string }) => any;
  /** Usage in the shape this spec's models report. */
  usage(input: number, output: number, extra?: { reasoning?: number; cacheRead?: number }): unknown;
  finishReason(reason: 'stop' | 'tool-calls' | 'error' | 'length'): unknown;
  /** All response messages of a generateText result (v7 renamed them). */
  responseMessages(result: any): any[];
  /** The same for a streamText result. */
  streamResponseMessages(result: any): Promise<any[]>;
  /** A user file part as this version's ModelMessage accepts it. */
  imagePart(data: Uint8Array, mediaType: string): unknown;
}

const v2 = {
  usage: (input: number, output: number, extra: { reasoning?: number; cacheRead?: number } = {}) => ({
    inputTokens: input,
    outputTokens: output,
    totalTokens: input + output,
    ...(extra.reasoning !== undefined ? { reasoningTokens: extra.reasoning } : {}),
    ...(extra.cacheRead !== undefined ? { cachedInputTokens: extra.cacheRead } : {}),
  }),
  finishReason: (reason: string) => reason,
};

const v3 = {
  usage: (input: number, output: number, extra: { reasoning?: number; cacheRead?: number } = {}) => ({
    inputTokens: {
      total: input,
      noCache: input - (extra.cacheRead ?? 0),
      cacheRead: extra.cacheRead,
      cacheWrite: undefined,
    },
    outputTokens: { total: output, text: output - (extra.reasoning ?? 0), reasoning: extra.reasoning },
  }),
  finishReason: (reason: string) => ({
    unified: reason,
    raw: reason === 'tool-calls' ? 'tool_calls' : reason,
  }),
};

export const AI_VERSIONS: AiVersion[] = [
  {
    name: 'ai 5',
    spec: 'v2',
    ai: ai5,
    MockLanguageModel: test5.MockLanguageModelV2,
    createOpenAICompatible: openaiCompatible5.createOpenAICompatible as any,
    ...v2,
    responseMessages: (result) => result.response.messages,
    streamResponseMessages: async (result) => (await result.response).messages,
    imagePart: (data, mediaType) => ({ type: 'image', image: data, mediaType }),
  },
  {
    name: 'ai 6',
    spec: 'v3',
    ai: ai6,
    MockLanguageModel: test6.MockLanguageModelV3,
    createOpenAICompatible: openaiCompatible6.createOpenAICompatible as any,
    ...v3,
    responseMessages: (result) => result.response.messages,
    streamResponseMessages: async (result) => (await result.response).messages,
    imagePart: (data, mediaType) => ({ type: 'image', image: data, mediaType }),
  },
  {
    name: 'ai 7',
    spec: 'v4',
    ai: ai7,
    MockLanguageModel: test7.MockLanguageModelV4,
    createOpenAICompatible: openaiCompatible7.createOpenAICompatible as any,
    ...v3,
    responseMessages: (result) => result.responseMessages,
    streamResponseMessages: async (result) => await result.responseMessages,
    imagePart: (data, mediaType) => ({ type: 'file', data, mediaType }),
  },
];

/** Stream parts of a plain text answer, in the order real providers send them. */
export function textStreamParts(
  version: AiVersion,
  deltas: string[],
  options: { id?: string } = {},
): unknown[] {
  return [
    { type: 'stream-start', warnings: [] },
    {
      type: 'response-metadata',
      id: options.id ?? 'resp-1',
      modelId: 'mock-model-2024',
      timestamp: new Date(0),
    },
    { type: 'text-start', id: 't0' },
    ...deltas.map((delta) => ({ type: 'text-delta', id: 't0', delta })),
    { type: 'text-end', id: 't0' },
    { type: 'finish', finishReason: version.finishReason('stop'), usage: version.usage(10, deltas.length) },
  ];
}

export function streamOf(parts: unknown[]): ReadableStream<any> {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}

/** A stream whose parts the test pushes one by one, recording how far the consumer has pulled. */
export function controllableStream(): {
  stream: ReadableStream<any>;
  push(part: unknown): void;
  close(): void;
  error(error: unknown): void;
  cancelled: Promise<unknown>;
} {
  let controller!: ReadableStreamDefaultController<any>;
  let onCancel!: (reason: unknown) => void;
  const cancelled = new Promise<unknown>((resolve) => {
    onCancel = resolve;
  });
  const stream = new ReadableStream<any>({
    start(c) {
      controller = c;
    },
    cancel(reason) {
      onCancel(reason);
    },
  });
  return {
    stream,
    push: (part) => controller.enqueue(part),
    close: () => controller.close(),
    error: (error) => controller.error(error),
    cancelled,
  };
}
