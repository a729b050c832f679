import type { JsonObject, JsonValue, Turn, TurnMessage, TurnToolCall } from '@chattrail/core';
import { contentPartPlaceholder } from '@chattrail/core/adapter';
import { idText, isObject, timestamp } from './conversation-fields';
import { ImportInputError } from './import-input-error';
import { type ConversationOrigin, derivedThreadId } from './openai-chat-to-turn';

/**
 * A conversation of AI SDK `UIMessage`s (ai 5 and later) as a Turn: either the array itself, or
 * `{ id, messages, user?/userId?, metadata?, createdAt? }` (what a `useChat` app keeps per chat).
 *
 * Each message's parts are read as the AI SDK's `convertToModelMessages` reads them: an assistant message is
 * cut into steps at `step-start`; in each step its text becomes one assistant message carrying the step's
 * tool calls, followed by one `tool` message per call that has an output (or an error). Reasoning and
 * `data-*` parts are not imported; files become placeholders; `source-url` / `source-document` parts are
 * kept in the message's metadata as `sources`.
 *
 * @throws {ImportInputError} when the value is not such a conversation.
 */
export function uiMessagesToTurn(value: unknown, origin: ConversationOrigin): Turn {
  const conversation: Record<string, any> = Array.isArray(value)
    ? { messages: value }
    : isObject(value)
      ? value
      : {};
  const raw = conversation.messages;
  if (!Array.isArray(raw))
    throw new ImportInputError('neither an array of UIMessages nor {"id", "messages": [...]}');
  if (raw.length === 0) throw new ImportInputError('"messages" is empty');

  const threadId =
    idText(conversation.id) ??
    idText(conversation.chatId) ??
    idText(conversation.thread_id) ??
    derivedThreadId(origin);
  const messages: TurnMessage[] = [];
  for (const [index, message] of raw.entries()) messages.push(...toMessages(message, index));

  const times = messages.map((m) => m.createdAt).filter((t): t is string => t !== undefined);
  const startedAt = timestamp(conversation.createdAt) ?? times[0] ?? new Date(0).toISOString();
  const endedAt = timestamp(conversation.updatedAt) ?? times.at(-1) ?? startedAt;
  const turn: Turn = {
    id: `import_${threadId}`,
    threadId,
    messages,
    startedAt,
    endedAt,
    status: 'ok',
    source: 'manual',
  };
  const userId =
    idText(conversation.userId) ??
    idText(conversation.user) ??
    (isObject(conversation.user) ? idText(conversation.user.id) : undefined);
  if (userId !== undefined) turn.user = { id: userId };
  const metadata: Record<string, JsonValue> = { imported_from: `${origin.fileName}:${origin.line}` };
  if (isObject(conversation.metadata)) metadata.metadata = conversation.metadata as JsonObject;
  turn.metadata = metadata;
  return turn;
}

interface Step {
  texts: string[];
  calls: TurnToolCall[];
  results: TurnMessage[];
  sources: JsonValue[];
}

function toMessages(raw: unknown, index: number): TurnMessage[] {
  const where = `messages[${index}]`;
  if (!isObject(raw)) throw new ImportInputError(`${where} is not an object`);
  const role = raw.role;
  if (role !== 'system' && role !== 'user' && role !== 'assistant') {
    throw new ImportInputError(`${where} has an unknown role ${JSON.stringify(role)}`);
  }
  if (!Array.isArray(raw.parts)) {
    // ai 4 messages had `content` text and optional parts; take the text rather than drop the message.
    if (typeof raw.content === 'string') return [withDetails({ id: '', role, content: raw.content }, raw)];
    throw new ImportInputError(`${where} has no "parts" array`);
  }

  const steps: Step[] = [];
  let step: Step = { texts: [], calls: [], results: [], sources: [] };
  const next = () => {
    if (step.texts.length + step.calls.length + step.sources.length > 0) steps.push(step);
    step = { texts: [], calls: [], results: [], sources: [] };
  };
  for (const [i, part] of raw.parts.entries()) {
    if (!isObject(part) || typeof part.type !== 'string') {
      throw new ImportInputError(`${where}.parts[${i}] has no "type"`);
    }
    const type: string = part.type;
    if (type === 'text') step.texts.push(typeof part.text === 'string' ? part.text : '');
    else if (type === 'step-start') next();
    else if (type === 'file') step.texts.push(contentPartPlaceholder(part));
    else if (type === 'source-url' || type === 'source-document') step.sources.push(sourceOf(part));
    else if (type === 'dynamic-tool' || type.startsWith('tool-')) {
      const name = type === 'dynamic-tool' ? part.toolName : type.slice('tool-'.length);
      const id = idText(part.toolCallId);
      if (typeof name !== 'string' || name === '' || id === undefined) {
        throw new ImportInputError(`${where}.parts[${i}] is a tool part without a tool name or "toolCallId"`);
      }
      step.calls.push({ id, name, args: (part.input ?? {}) as JsonValue });
      const result = toolResult(part, id, name);
      if (result !== undefined) step.results.push(result);
    }
    // reasoning, data-*, and parts of later AI SDK versions carry no conversation text.
  }
  next();

  if (role !== 'assistant') {
    // System and user messages have no steps: one message with all their text and files.
    const all = steps.flatMap((s) => s.texts);
    return [
      withDetails(
        { id: '', role, content: all.join('\n') },
        raw,
        steps.flatMap((s) => s.sources),
      ),
    ];
  }
  const out: TurnMessage[] = [];
  for (const s of steps) {
    const message: TurnMessage = { id: '', role: 'assistant', content: s.texts.join('\n') };
    if (s.calls.length > 0) message.toolCalls = s.calls;
    out.push(withDetails(message, raw, s.sources), ...s.results);
  }
  if (out.length === 0) out.push(withDetails({ id: '', role: 'assistant', content: '' }, raw));
  return out;
}

function toolResult(part: Record<string, any>, toolCallId: string, name: string): TurnMessage | undefined {
  if (part.state === 'output-available') {
    const output = (part.output ?? null) as JsonValue;
    return {
      id: '',
      role: 'tool',
      content: typeof output === 'string' ? output : JSON.stringify(output),
      toolResult: { toolCallId, name, output },
    };
  }
  if (part.state === 'output-error' || part.state === 'output-denied') {
    const text =
      typeof part.errorText === 'string'
        ? part.errorText
        : part.state === 'output-denied'
          ? 'denied'
          : 'error';
    return {
      id: '',
      role: 'tool',
      content: text,
      toolResult: { toolCallId, name, output: text, isError: true },
    };
  }
  // input-streaming, input-available, approval-requested: the call never got a result.
  return undefined;
}

function sourceOf(part: Record<string, any>): JsonValue {
  const source: JsonObject = {};
  for (const key of ['url', 'title', 'filename', 'mediaType', 'sourceId'] as const) {
    if (typeof part[key] === 'string') source[key] = part[key];
  }
  return source;
}

/** The UIMessage's metadata (and its `createdAt`, when it holds one) and sources on a message made from it. */
function withDetails(message: TurnMessage, raw: Record<string, any>, sources: JsonValue[] = []): TurnMessage {
  const createdAt =
    timestamp(raw.createdAt) ?? (isObject(raw.metadata) ? timestamp(raw.metadata.createdAt) : undefined);
  if (createdAt !== undefined) message.createdAt = createdAt;
  const metadata: Record<string, JsonValue> = {};
  if (isObject(raw.metadata)) Object.assign(metadata, raw.metadata as JsonObject);
  if (sources.length > 0) metadata.sources = sources;
  if (Object.keys(metadata).length > 0) message.metadata = metadata;
  return message;
}
