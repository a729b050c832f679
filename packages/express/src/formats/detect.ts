import type { SseEvent } from '../sse/sse-parser';
import { isUIChatRequest, isUIMessageChunk, readUIChatRequest, UIMessageStreamAssembler } from './ai-sdk-ui';
import type { CapturedAnswer, StreamAssembler } from './captured-answer';
import { isRecord, parseJson } from './json-value';
import {
  isOpenAIChatChunk,
  isOpenAIChatRequest,
  OpenAIChatStreamAssembler,
  readOpenAIChatCompletion,
  readOpenAIChatRequest,
} from './openai-chat';
import {
  isOpenAIResponsesEvent,
  isOpenAIResponsesRequest,
  OpenAIResponsesStreamAssembler,
  readOpenAIResponse,
  readOpenAIResponsesRequest,
} from './openai-responses';
import type { ChatFormat, RecognisedRequest } from './recognised-request';

/** Which built-in shape a request body has, without converting it (cheap: runs on every request). */
export function detectRequestFormat(body: unknown): ChatFormat | undefined {
  if (isUIChatRequest(body)) return 'ai-sdk-ui';
  if (isOpenAIChatRequest(body)) return 'openai-chat';
  if (isOpenAIResponsesRequest(body)) return 'openai-responses';
  return undefined;
}

/** The conversation a recognised request body carries. */
export function readRequest(body: unknown, format: ChatFormat): RecognisedRequest | undefined {
  if (format === 'ai-sdk-ui' && isUIChatRequest(body)) return readUIChatRequest(body);
  if (format === 'openai-chat' && isOpenAIChatRequest(body)) return readOpenAIChatRequest(body);
  if (format === 'openai-responses' && isOpenAIResponsesRequest(body))
    return readOpenAIResponsesRequest(body);
  return undefined;
}

/** A JSON response body as an answer, whichever OpenAI shape it has. */
export function readJsonAnswer(body: unknown): CapturedAnswer | undefined {
  return readOpenAIChatCompletion(body) ?? readOpenAIResponse(body);
}

export type StreamKind = 'openai-chat' | 'openai-responses' | 'ai-sdk-ui';

export function createStreamAssembler(kind: StreamKind | undefined, maxChars: number): StreamAssembler {
  switch (kind) {
    case 'openai-chat':
      return new OpenAIChatStreamAssembler(maxChars);
    case 'openai-responses':
      return new OpenAIResponsesStreamAssembler(maxChars);
    case 'ai-sdk-ui':
      return new UIMessageStreamAssembler(maxChars);
    default:
      return new SniffingStreamAssembler(maxChars);
  }
}

/**
 * For streams whose kind neither the headers nor the request told: the first JSON event decides
 * (`chat.completion.chunk` → OpenAI Chat, `response.*` → Responses, a UI chunk type → AI SDK UI).
 * Events before that are ignored; a stream of something else yields an empty answer.
 */
class SniffingStreamAssembler implements StreamAssembler {
  private inner: StreamAssembler | undefined;
  constructor(private readonly maxChars: number) {}

  get firstTokenAt(): number | undefined {
    return this.inner?.firstTokenAt;
  }

  event(event: SseEvent): void {
    if (this.inner !== undefined) {
      this.inner.event(event);
      return;
    }
    const data = parseJson(event.data);
    if (!isRecord(data)) return;
    if (isOpenAIChatChunk(data)) {
      const inner = new OpenAIChatStreamAssembler(this.maxChars);
      this.inner = inner;
      inner.chunk(data);
    } else if (isOpenAIResponsesEvent(data)) {
      const inner = new OpenAIResponsesStreamAssembler(this.maxChars);
      this.inner = inner;
      inner.data(data, event.event);
    } else if (isUIMessageChunk(data)) {
      const inner = new UIMessageStreamAssembler(this.maxChars);
      this.inner = inner;
      inner.chunk(data);
    }
  }

  finish(): CapturedAnswer {
    return this.inner?.finish() ?? { messages: [] };
  }
}
