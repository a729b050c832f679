import type { JsonValue } from '@chattrail/core';
import { contentPartPlaceholder, toJsonSafe } from '@chattrail/core/adapter';
import type { MessageInput } from '../extract';
import type { SseEvent } from '../sse/sse-parser';
import { MessageAssembler } from '../turn/message-assembler';
import type { CapturedAnswer, StreamAssembler } from './captured-answer';
import { isRecord, parseJson, stringOf, type UnknownRecord } from './json-value';
import type { RecognisedRequest } from './recognised-request';
import { toTurnUsage } from './usage';

/** AI SDK `useChat` request: `{ id, messages: UIMessage[] }`, every message carrying `parts`. */
export function isUIChatRequest(body: unknown): body is UnknownRecord & { id: string; messages: unknown[] } {
  return (
    isRecord(body) &&
    typeof body.id === 'string' &&
    Array.isArray(body.messages) &&
    body.messages.length > 0 &&
    body.messages.every((m) => isRecord(m) && Array.isArray(m.parts))
  );
}

export function readUIChatRequest(
  body: UnknownRecord & { id: string; messages: unknown[] },
): RecognisedRequest {
  const messages: MessageInput[] = [];
  for (const message of body.messages) messages.push(...uiMessageMessages(message as UnknownRecord));
  const request: RecognisedRequest = { format: 'ai-sdk-ui', messages };
  if (body.id !== '') request.threadId = body.id;
  if (typeof body.trigger === 'string') request.metadata = { trigger: body.trigger };
  return request;
}

/**
 * One UIMessage as turn messages. A user or system message is its text parts (files as placeholders);
 * an assistant message is split into steps at its `step-start` parts, each step one assistant message
 * plus its tool results, the same way {@link UIMessageStreamAssembler} reads the stream that produced it.
 */
function uiMessageMessages(message: UnknownRecord): MessageInput[] {
  const parts = message.parts as unknown[];
  if (message.role === 'user' || message.role === 'system') {
    const pieces: string[] = [];
    for (const part of parts) {
      if (!isRecord(part)) continue;
      if (part.type === 'text' && typeof part.text === 'string') pieces.push(part.text);
      else if (part.type === 'file') pieces.push(contentPartPlaceholder(part));
    }
    return [{ role: message.role, content: pieces.join('\n') }];
  }
  if (message.role !== 'assistant') return [];
  const assembler = new MessageAssembler();
  for (const part of parts) {
    if (!isRecord(part) || typeof part.type !== 'string') continue;
    const type = part.type;
    if (type === 'step-start') assembler.endStep();
    else if (type === 'text' && typeof part.text === 'string') assembler.appendPart(part.text);
    else if (type === 'file') assembler.appendPart(contentPartPlaceholder(part));
    else if (type === 'dynamic-tool' || type.startsWith('tool-')) {
      const toolCallId = stringOf(part.toolCallId);
      if (toolCallId === undefined || part.state === 'input-streaming') continue;
      const name = type === 'dynamic-tool' ? (stringOf(part.toolName) ?? 'tool') : type.slice(5);
      assembler.addToolCall({ id: toolCallId, name, args: toJsonSafe(part.input ?? {}) });
      const result = toolResultOf(part);
      if (result !== undefined) assembler.addToolResult({ toolCallId, name, ...result });
    }
  }
  return assembler.finish();
}

function toolResultOf(part: UnknownRecord): { output: JsonValue; isError?: boolean } | undefined {
  switch (part.state) {
    case 'output-available':
      return { output: toJsonSafe(part.output) };
    case 'output-error':
      return { output: stringOf(part.errorText) ?? 'error', isError: true };
    case 'output-denied':
      return { output: DENIED, isError: true };
    default:
      return undefined;
  }
}

const DENIED = 'denied';

/**
 * Folds an AI SDK UI message stream (`x-vercel-ai-ui-message-stream: v1`, one JSON chunk per `data:`)
 * into the answer: text deltas per step, tool calls once their input is available, tool results (outputs,
 * errors, denials), `error` and `abort` chunks, and usage when the app sends it as message metadata.
 */
export class UIMessageStreamAssembler implements StreamAssembler {
  firstTokenAt: number | undefined;
  private readonly assembler: MessageAssembler;
  private readonly toolNames = new Map<string, string>();
  private readonly answer: CapturedAnswer = { messages: [] };

  constructor(maxChars = Number.POSITIVE_INFINITY) {
    this.assembler = new MessageAssembler(maxChars);
  }

  event(event: SseEvent): void {
    if (event.data === '[DONE]') return;
    const chunk = parseJson(event.data);
    if (isRecord(chunk)) this.chunk(chunk);
  }

  /** One parsed chunk; exposed for callers that parsed it already (sniffing). */
  chunk(chunk: UnknownRecord): void {
    switch (chunk.type) {
      case 'text-start':
        this.assembler.startTextPart();
        return;
      case 'text-delta': {
        const delta = typeof chunk.delta === 'string' ? chunk.delta : chunk.textDelta;
        if (typeof delta === 'string' && delta !== '') {
          this.firstTokenAt ??= performance.now();
          this.assembler.appendText(delta);
        }
        return;
      }
      case 'start-step':
      case 'finish-step':
        this.assembler.endStep();
        return;
      case 'file':
        this.assembler.appendPart(contentPartPlaceholder(chunk));
        return;
      case 'tool-input-start':
        this.firstTokenAt ??= performance.now();
        return;
      case 'tool-input-available':
      case 'tool-input-error': {
        const id = stringOf(chunk.toolCallId);
        if (id === undefined) return;
        const name = stringOf(chunk.toolName) ?? 'tool';
        this.firstTokenAt ??= performance.now();
        this.toolNames.set(id, name);
        this.assembler.addToolCall({ id, name, args: toJsonSafe(chunk.input ?? {}) });
        return;
      }
      case 'tool-output-available':
      case 'tool-output-error':
      case 'tool-output-denied': {
        const id = stringOf(chunk.toolCallId);
        if (id === undefined) return;
        const result =
          chunk.type === 'tool-output-available'
            ? { output: toJsonSafe(chunk.output) }
            : chunk.type === 'tool-output-error'
              ? { output: stringOf(chunk.errorText) ?? 'error', isError: true }
              : { output: DENIED, isError: true };
        const name = this.toolNames.get(id);
        this.assembler.addToolResult({ toolCallId: id, ...(name !== undefined ? { name } : {}), ...result });
        return;
      }
      case 'error':
        this.answer.error = {
          name: 'StreamError',
          message: stringOf(chunk.errorText) ?? 'error chunk in the stream',
        };
        return;
      case 'abort':
        this.answer.aborted = true;
        return;
      case 'start':
        this.answer.responseId ??= stringOf(chunk.messageId);
        this.messageMetadata(chunk.messageMetadata);
        return;
      case 'finish':
        if (typeof chunk.finishReason === 'string') {
          this.answer.metadata = { ...this.answer.metadata, finishReason: chunk.finishReason };
        }
        this.messageMetadata(chunk.messageMetadata);
        return;
      case 'message-metadata':
        this.messageMetadata(chunk.messageMetadata);
        return;
      default:
    }
  }

  /** Usage is only in the stream when the app sends it as message metadata (`usage` or `totalUsage`). */
  private messageMetadata(metadata: unknown): void {
    if (!isRecord(metadata)) return;
    const usage = toTurnUsage(metadata.totalUsage) ?? toTurnUsage(metadata.usage);
    if (usage !== undefined) this.answer.usage = usage;
    const model = stringOf(metadata.model) ?? stringOf(metadata.modelId);
    if (model !== undefined) this.answer.model = model;
  }

  finish(): CapturedAnswer {
    this.answer.messages = this.assembler.finish();
    if (this.assembler.truncated) this.answer.truncated = true;
    return this.answer;
  }
}

const UI_CHUNK_TYPES = new Set([
  'start',
  'start-step',
  'text-start',
  'text-delta',
  'reasoning-start',
  'tool-input-start',
  'tool-input-available',
]);

/** `true` for the data of a UI message stream chunk (used when the header was stripped by a proxy). */
export function isUIMessageChunk(data: unknown): boolean {
  return isRecord(data) && typeof data.type === 'string' && UI_CHUNK_TYPES.has(data.type);
}
