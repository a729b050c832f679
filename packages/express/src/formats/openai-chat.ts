import type { JsonValue, TurnToolCall, TurnUser } from '@chattrail/core';
import type { MessageInput } from '../extract';
import type { SseEvent } from '../sse/sse-parser';
import { MessageAssembler } from '../turn/message-assembler';
import type { CapturedAnswer, StreamAssembler } from './captured-answer';
import { contentText } from './content-text';
import {
  isRecord,
  parseJson,
  stringOf,
  stringRecord,
  toolArguments,
  toolOutput,
  type UnknownRecord,
} from './json-value';
import { openAIChatContentDelta } from './openai-chat-content-delta';
import type { RecognisedRequest } from './recognised-request';
import { toTurnUsage } from './usage';

/** OpenAI Chat Completions request: `messages[]` of `{ role, content }` (no AI SDK `parts`). */
export function isOpenAIChatRequest(body: unknown): body is UnknownRecord & { messages: unknown[] } {
  return (
    isRecord(body) &&
    Array.isArray(body.messages) &&
    body.messages.length > 0 &&
    body.messages.every((m) => isRecord(m) && typeof m.role === 'string' && !Array.isArray(m.parts))
  );
}

const THREAD_KEYS = ['thread_id', 'threadId', 'conversation_id', 'conversationId', 'session_id', 'chat_id'];
const USER_KEYS = ['user_id', 'userId'];

/** Thread and user named in an OpenAI request's `user`, `safety_identifier` and `metadata`. */
export function openAIIdentity(
  body: UnknownRecord,
): Pick<RecognisedRequest, 'threadId' | 'user' | 'metadata'> {
  const metadata = stringRecord(body.metadata);
  const out: Pick<RecognisedRequest, 'threadId' | 'user' | 'metadata'> = {};
  const threadId = firstString(metadata, THREAD_KEYS);
  if (threadId !== undefined) out.threadId = threadId;
  const userId = stringOf(body.user) ?? stringOf(body.safety_identifier) ?? firstString(metadata, USER_KEYS);
  if (userId !== undefined) out.user = { id: userId } satisfies TurnUser;
  if (metadata !== undefined) out.metadata = metadata;
  return out;
}

function firstString(record: Record<string, JsonValue> | undefined, keys: string[]): string | undefined {
  if (record === undefined) return undefined;
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

export function readOpenAIChatRequest(body: UnknownRecord & { messages: unknown[] }): RecognisedRequest {
  const messages: MessageInput[] = [];
  for (const raw of body.messages) {
    const message = openAIChatMessage(raw as UnknownRecord);
    if (message !== undefined) messages.push(message);
  }
  return { format: 'openai-chat', messages, model: stringOf(body.model), ...openAIIdentity(body) };
}

/** One `ChatCompletionMessageParam` (or a `message` of a response) as a turn message. */
export function openAIChatMessage(m: UnknownRecord): MessageInput | undefined {
  const text = contentText(m.content);
  switch (m.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: text };
    case 'user':
      return { role: 'user', content: text };
    case 'assistant': {
      const message: MessageInput = {
        role: 'assistant',
        content: text !== '' ? text : typeof m.refusal === 'string' ? m.refusal : '',
      };
      const calls = toolCallsOf(m.tool_calls);
      if (calls.length > 0) message.toolCalls = calls;
      else if (isRecord(m.function_call)) {
        // The deprecated single `function_call`: it has no id, so its name stands in.
        const name = stringOf(m.function_call.name) ?? 'function';
        message.toolCalls = [{ id: name, name, args: toolArguments(m.function_call.arguments) }];
      }
      return message;
    }
    case 'tool':
      return {
        role: 'tool',
        content: text,
        toolResult: { toolCallId: stringOf(m.tool_call_id) ?? '', output: toolOutput(m.content) },
      };
    case 'function': {
      const name = stringOf(m.name) ?? 'function';
      return {
        role: 'tool',
        content: text,
        toolResult: { toolCallId: name, name, output: toolOutput(m.content) },
      };
    }
    default:
      return undefined;
  }
}

function toolCallsOf(value: unknown): TurnToolCall[] {
  if (!Array.isArray(value)) return [];
  const calls: TurnToolCall[] = [];
  for (const call of value) {
    if (!isRecord(call)) continue;
    const fn = isRecord(call.function) ? call.function : isRecord(call.custom) ? call.custom : {};
    calls.push({
      id: stringOf(call.id) ?? '',
      name: stringOf(fn.name) ?? '',
      args: toolArguments(fn.arguments ?? fn.input),
    });
  }
  return calls;
}

/** A `chat.completion` JSON body as an answer; `undefined` when it is not one. */
export function readOpenAIChatCompletion(body: unknown): CapturedAnswer | undefined {
  if (!isRecord(body) || !Array.isArray(body.choices)) return undefined;
  if (body.object !== undefined && body.object !== 'chat.completion') return undefined;
  const choice = body.choices.find((c) => isRecord(c) && (c.index ?? 0) === 0) ?? body.choices[0];
  const answer: CapturedAnswer = { messages: [] };
  if (isRecord(choice) && isRecord(choice.message)) {
    const message = openAIChatMessage({ ...choice.message, role: 'assistant' });
    if (message !== undefined) answer.messages.push(message);
    if (typeof choice.finish_reason === 'string') answer.metadata = { finishReason: choice.finish_reason };
  }
  const usage = toTurnUsage(body.usage);
  if (usage !== undefined) answer.usage = usage;
  const model = stringOf(body.model);
  if (model !== undefined) answer.model = model;
  const id = stringOf(body.id);
  if (id !== undefined) answer.responseId = id;
  return answer;
}

/** `true` for a `chat.completion.chunk` event: used to sniff a stream whose request was not recognised. */
export function isOpenAIChatChunk(data: unknown): boolean {
  return isRecord(data) && data.object === 'chat.completion.chunk';
}

interface ToolCallSlot {
  id: string;
  name: string;
  args: string;
}

/**
 * Folds `chat.completion.chunk` events into one assistant message: content deltas appended, tool-call
 * deltas assembled by `index` (id and name from the first delta, arguments concatenated), usage from the
 * last chunk that carries it (the `choices: []` chunk of `stream_options.include_usage`). Choice 0 only.
 */
export class OpenAIChatStreamAssembler implements StreamAssembler {
  firstTokenAt: number | undefined;
  private readonly text: MessageAssembler;
  private readonly calls: ToolCallSlot[] = [];
  private argChars = 0;
  private argsTruncated = false;
  private refusal = '';
  private sawContent = false;
  private answer: CapturedAnswer = { messages: [] };
  private finishReason: string | undefined;

  constructor(private readonly maxChars = Number.POSITIVE_INFINITY) {
    this.text = new MessageAssembler(maxChars);
  }

  event(event: SseEvent): void {
    const data = event.data;
    if (data === '[DONE]') return;
    // Once the first chunk told the response id and model, the common chunk (one content delta) is read
    // without building an object for it; any other chunk is parsed whole.
    if (this.answer.responseId !== undefined && this.answer.model !== undefined) {
      const content = openAIChatContentDelta(data);
      if (content !== undefined) {
        this.appendContent(content);
        return;
      }
    }
    const chunk = parseJson(data);
    if (!isRecord(chunk)) return;
    this.chunk(chunk);
  }

  /** One parsed chunk; exposed for callers that parsed it already (sniffing). */
  chunk(chunk: UnknownRecord): void {
    if (isRecord(chunk.error)) {
      this.answer.error = {
        name: stringOf(chunk.error.type) ?? stringOf(chunk.error.code) ?? 'StreamError',
        message: stringOf(chunk.error.message) ?? 'error event in the stream',
      };
      return;
    }
    this.answer.responseId ??= stringOf(chunk.id);
    this.answer.model ??= stringOf(chunk.model);
    if (chunk.usage !== undefined && chunk.usage !== null) {
      const usage = toTurnUsage(chunk.usage);
      if (usage !== undefined) this.answer.usage = usage;
    }
    if (!Array.isArray(chunk.choices)) return;
    for (const choice of chunk.choices) {
      if (!isRecord(choice) || (choice.index ?? 0) !== 0) continue;
      if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason;
      const delta = choice.delta;
      if (!isRecord(delta)) continue;
      if (typeof delta.content === 'string') this.appendContent(delta.content);
      if (typeof delta.refusal === 'string' && this.refusal.length < this.maxChars)
        this.refusal += delta.refusal;
      if (Array.isArray(delta.tool_calls)) this.toolCallDeltas(delta.tool_calls);
    }
  }

  private appendContent(content: string): void {
    if (content === '') return;
    this.firstTokenAt ??= performance.now();
    this.sawContent = true;
    this.text.appendText(content);
  }

  private toolCallDeltas(deltas: unknown[]): void {
    this.firstTokenAt ??= performance.now();
    for (const delta of deltas) {
      if (!isRecord(delta)) continue;
      const index = typeof delta.index === 'number' ? delta.index : this.calls.length;
      if (index < 0 || index > 1024) continue;
      let slot = this.calls[index];
      if (slot === undefined) {
        slot = { id: '', name: '', args: '' };
        this.calls[index] = slot;
      }
      if (typeof delta.id === 'string' && slot.id === '') slot.id = delta.id;
      const fn = isRecord(delta.function) ? delta.function : undefined;
      if (fn === undefined) continue;
      if (typeof fn.name === 'string' && slot.name === '') slot.name = fn.name;
      if (typeof fn.arguments === 'string' && fn.arguments !== '') {
        if (this.argChars + fn.arguments.length > this.maxChars) this.argsTruncated = true;
        else {
          this.argChars += fn.arguments.length;
          slot.args += fn.arguments;
        }
      }
    }
  }

  finish(): CapturedAnswer {
    for (const slot of this.calls) {
      if (slot === undefined) continue;
      this.text.addToolCall({ id: slot.id, name: slot.name, args: toolArguments(slot.args) });
    }
    // As in a resent history, where an assistant message's content wins over its refusal.
    if (!this.sawContent && this.refusal !== '') this.text.appendText(this.refusal);
    const messages = this.text.finish();
    // A stream with nothing in it still answered: an empty assistant message (finish_reason alone).
    if (messages.length === 0 && this.finishReason !== undefined)
      messages.push({ role: 'assistant', content: '' });
    this.answer.messages = messages;
    if (this.finishReason !== undefined) this.answer.metadata = { finishReason: this.finishReason };
    if (this.text.truncated || this.argsTruncated) this.answer.truncated = true;
    return this.answer;
  }
}
