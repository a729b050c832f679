import type { MessageInput } from '../extract';
import type { SseEvent } from '../sse/sse-parser';
import { MessageAssembler } from '../turn/message-assembler';
import type { CapturedAnswer, StreamAssembler } from './captured-answer';
import { contentText } from './content-text';
import { isRecord, parseJson, stringOf, toolArguments, toolOutput, type UnknownRecord } from './json-value';
import { openAIChatMessage, openAIIdentity } from './openai-chat';
import type { RecognisedRequest } from './recognised-request';
import { toTurnUsage } from './usage';

/** OpenAI Responses request: `input` (text or items), or server-side state to continue from. */
export function isOpenAIResponsesRequest(body: unknown): body is UnknownRecord {
  if (!isRecord(body) || body.messages !== undefined) return false;
  return (
    typeof body.input === 'string' ||
    Array.isArray(body.input) ||
    typeof body.previous_response_id === 'string' ||
    (body.conversation !== undefined && body.conversation !== null)
  );
}

export function readOpenAIResponsesRequest(body: UnknownRecord): RecognisedRequest {
  const messages: MessageInput[] = [];
  if (typeof body.instructions === 'string' && body.instructions !== '') {
    messages.push({ role: 'system', content: body.instructions });
  }
  if (typeof body.input === 'string') messages.push({ role: 'user', content: body.input });
  else if (Array.isArray(body.input)) messages.push(...inputItemMessages(body.input));

  const request: RecognisedRequest = {
    format: 'openai-responses',
    messages,
    model: stringOf(body.model),
    ...openAIIdentity(body),
  };
  const conversation = isRecord(body.conversation)
    ? stringOf(body.conversation.id)
    : stringOf(body.conversation);
  if (conversation !== undefined) request.conversationId = conversation;
  const previous = stringOf(body.previous_response_id);
  if (previous !== undefined) request.previousResponseId = previous;
  return request;
}

/**
 * Input items in order. A run of assistant output (message items and `function_call`s) followed by its
 * `function_call_output`s is one step, exactly as {@link OpenAIResponsesStreamAssembler} assembled it
 * when it was the answer, so a history resent with `store: false` keeps its message ids.
 */
function inputItemMessages(items: unknown[]): MessageInput[] {
  const messages: MessageInput[] = [];
  let step: MessageAssembler | undefined;
  let stepHasResults = false;
  const closeStep = () => {
    if (step !== undefined) messages.push(...step.finish());
    step = undefined;
    stepHasResults = false;
  };
  const openStep = () => {
    if (stepHasResults) closeStep();
    step ??= new MessageAssembler();
    return step;
  };
  for (const item of items) {
    if (typeof item === 'string') {
      closeStep();
      messages.push({ role: 'user', content: item });
      continue;
    }
    if (!isRecord(item)) continue;
    const type = item.type ?? 'message';
    if (type === 'message' && item.role === 'assistant') {
      openStep().appendPart(contentText(item.content));
    } else if (type === 'message') {
      closeStep();
      const message = openAIChatMessage(item);
      if (message !== undefined) messages.push(message);
    } else if (type === 'function_call' || type === 'custom_tool_call') {
      openStep().addToolCall(responseToolCall(item));
    } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      const callId = stringOf(item.call_id) ?? '';
      step ??= new MessageAssembler();
      step.addToolResult({
        toolCallId: callId,
        output: toolOutput(item.output),
      });
      stepHasResults = true;
    }
  }
  closeStep();
  return messages;
}

function responseToolCall(item: UnknownRecord) {
  return {
    id: stringOf(item.call_id) ?? stringOf(item.id) ?? '',
    name: stringOf(item.name) ?? '',
    args: toolArguments(item.arguments ?? item.input),
  };
}

/** A `response` JSON body as an answer; `undefined` when it is not one. */
export function readOpenAIResponse(body: unknown): CapturedAnswer | undefined {
  if (!isRecord(body) || body.object !== 'response') return undefined;
  const assembler = new MessageAssembler();
  if (Array.isArray(body.output)) {
    for (const item of body.output) addOutputItem(assembler, item);
  }
  const answer: CapturedAnswer = { messages: assembler.finish() };
  applyResponseEnvelope(answer, body);
  return answer;
}

function addOutputItem(assembler: MessageAssembler, item: unknown): void {
  if (!isRecord(item)) return;
  if (item.type === 'message') assembler.appendPart(contentText(item.content));
  else if (item.type === 'function_call' || item.type === 'custom_tool_call') {
    assembler.addToolCall(responseToolCall(item));
  }
}

/** Usage, model, id and final status of a `response` object. */
function applyResponseEnvelope(answer: CapturedAnswer, response: UnknownRecord): void {
  const usage = toTurnUsage(response.usage);
  if (usage !== undefined) answer.usage = usage;
  answer.model = stringOf(response.model) ?? answer.model;
  answer.responseId = stringOf(response.id) ?? answer.responseId;
  if (response.status === 'failed' || isRecord(response.error)) {
    const error = isRecord(response.error) ? response.error : {};
    answer.error = {
      name: stringOf(error.code) ?? 'ResponseFailed',
      message: stringOf(error.message) ?? 'the response failed',
    };
  }
  if (response.status === 'incomplete') {
    const reason = isRecord(response.incomplete_details)
      ? stringOf(response.incomplete_details.reason)
      : undefined;
    answer.metadata = { ...answer.metadata, incompleteReason: reason ?? 'unknown' };
  }
}

type StreamItem =
  | { kind: 'message'; text: string; part: number }
  | { kind: 'call'; id: string; name: string; args: string };

/**
 * Folds `event: response.*` SSE into the answer: output items kept by `output_index` (text deltas and
 * function-call argument deltas appended, `*.done` events authoritative), usage and status from the
 * final `response.completed` / `response.incomplete` / `response.failed`, or an `error` event.
 */
export class OpenAIResponsesStreamAssembler implements StreamAssembler {
  firstTokenAt: number | undefined;
  private readonly items: StreamItem[] = [];
  private readonly answer: CapturedAnswer = { messages: [] };
  private chars = 0;
  private truncated = false;

  constructor(private readonly maxChars = Number.POSITIVE_INFINITY) {}

  event(event: SseEvent): void {
    const data = parseJson(event.data);
    if (!isRecord(data)) return;
    this.data(data, event.event);
  }

  /** One parsed event; exposed for callers that parsed it already (sniffing). */
  data(data: UnknownRecord, eventName?: string): void {
    const type = stringOf(data.type) ?? eventName;
    const index = typeof data.output_index === 'number' && data.output_index >= 0 ? data.output_index : 0;
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
        if (isRecord(data.response)) {
          this.answer.responseId ??= stringOf(data.response.id);
          this.answer.model ??= stringOf(data.response.model);
        }
        return;
      case 'response.output_item.added':
      case 'response.output_item.done':
        this.item(index, data.item, type === 'response.output_item.done');
        return;
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        if (typeof data.delta === 'string') {
          this.firstTokenAt ??= performance.now();
          const item = this.messageAt(index);
          const part = typeof data.content_index === 'number' ? data.content_index : item.part;
          if (part !== item.part && item.text !== '') item.text += this.take('\n');
          item.part = part;
          item.text += this.take(data.delta);
        }
        return;
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta':
        if (typeof data.delta === 'string') {
          this.firstTokenAt ??= performance.now();
          this.callAt(index).args += this.take(data.delta);
        }
        return;
      case 'response.function_call_arguments.done':
        if (typeof data.arguments === 'string') this.callAt(index).args = data.arguments;
        return;
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        if (isRecord(data.response)) {
          if (this.items.length === 0 && Array.isArray(data.response.output)) {
            data.response.output.forEach((item, i) => {
              this.item(i, item, true);
            });
          }
          applyResponseEnvelope(this.answer, data.response);
        }
        if (type === 'response.failed' && this.answer.error === undefined) {
          this.answer.error = { name: 'ResponseFailed', message: 'the response failed' };
        }
        return;
      case 'error':
        this.answer.error = {
          name: stringOf(data.code) ?? 'StreamError',
          message: stringOf(data.message) ?? 'error event in the stream',
        };
        return;
      default:
    }
  }

  private item(index: number, item: unknown, done: boolean): void {
    if (!isRecord(item) || index > 1024) return;
    if (item.type === 'message') {
      const current = this.messageAt(index);
      if (done) {
        // The finished item is authoritative (it is what a client resends); the cap still applies.
        const full = contentText(item.content);
        if (full.length > this.maxChars) this.truncated = true;
        current.text = full.length > this.maxChars ? full.slice(0, this.maxChars) : full;
      }
    } else if (item.type === 'function_call' || item.type === 'custom_tool_call') {
      const call = this.callAt(index);
      call.id = stringOf(item.call_id) ?? call.id;
      call.name = stringOf(item.name) ?? call.name;
      const args = item.arguments ?? item.input;
      if (typeof args === 'string' && (done || call.args === '')) call.args = args;
    }
  }

  private messageAt(index: number) {
    let item = this.items[index];
    if (item?.kind !== 'message') {
      item = { kind: 'message', text: '', part: 0 };
      this.items[index] = item;
    }
    return item;
  }

  private callAt(index: number) {
    let item = this.items[index];
    if (item?.kind !== 'call') {
      item = { kind: 'call', id: '', name: '', args: '' };
      this.items[index] = item;
    }
    return item;
  }

  /** Text within the answer's budget. */
  private take(text: string): string {
    if (this.chars + text.length <= this.maxChars) {
      this.chars += text.length;
      return text;
    }
    this.truncated = true;
    const room = Math.max(0, this.maxChars - this.chars);
    this.chars += room;
    return text.slice(0, room);
  }

  finish(): CapturedAnswer {
    const assembler = new MessageAssembler();
    for (const item of this.items) {
      if (item === undefined) continue;
      if (item.kind === 'message') assembler.appendPart(item.text);
      else assembler.addToolCall({ id: item.id, name: item.name, args: toolArguments(item.args) });
    }
    this.answer.messages = assembler.finish();
    if (this.truncated) this.answer.truncated = true;
    return this.answer;
  }
}

/** `true` for the data of a Responses API stream event. */
export function isOpenAIResponsesEvent(data: unknown): boolean {
  return isRecord(data) && typeof data.type === 'string' && data.type.startsWith('response.');
}
