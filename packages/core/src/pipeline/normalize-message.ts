import { boundId } from '../normalize/bound-id';
import { contentPartPlaceholder } from '../normalize/content-part-placeholder';
import { flatString } from '../normalize/flat-string';
import { formatBytes } from '../normalize/format-bytes';
import { turnMessageId } from '../normalize/message-id';
import { truncateUtf8 } from '../normalize/truncate-utf8';
import { wellFormed } from '../normalize/well-formed';
import type { TurnMessage, TurnMessageRole, TurnToolCall, TurnToolResult } from '../spec/turn';
import { dateTime, nonEmptyString, safeJson, safeObject, shortText, stringOf } from './normalize-values';

/** What {@link normalizeMessage} needs of the trail's settings (see `NormalizeTurnOptions`). */
export interface NormalizeMessageOptions {
  maxMessageBytes: number;
  captureContent: boolean;
}

// The usual roles skip the well-formedness check (one per role of every new message).
const ROLES = new Set<unknown>(['user', 'assistant', 'system', 'tool']);
// None of the lists a message holds is ever walked to the end of a huge or sparse array.
const MAX_TOOL_CALLS = 1_000;
const MAX_CONTENT_PARTS = 10_000;

/** A private, bounded copy of one message, with an id (`turnMessageId` of the copy when it has none). */
export function normalizeMessage(
  input: unknown,
  position: number,
  threadId: string,
  options: NormalizeMessageOptions,
): TurnMessage {
  const raw: Partial<Record<keyof TurnMessage, unknown>> =
    input !== null && typeof input === 'object' ? input : { content: input };
  const { captureContent, maxMessageBytes } = options;
  const content = captureContent
    ? wellFormed(truncateUtf8(contentText(raw.content, maxMessageBytes), maxMessageBytes))
    : '';
  const givenRole = nonEmptyString(raw.role);
  const role = (
    givenRole === undefined ? 'user' : ROLES.has(givenRole) ? givenRole : shortText(givenRole)
  ) as TurnMessageRole;
  const givenId = nonEmptyString(raw.id);
  const message: TurnMessage = {
    id: givenId === undefined ? '' : flatString(boundId(givenId)),
    role,
    content: flatString(content),
  };
  // Only the fields present: every field of a queued copy is paid for again by each GC that moves it.
  setToolCalls(message, raw.toolCalls, options);
  setToolResult(message, raw.toolResult, options);
  const createdAt = dateTime(raw.createdAt);
  if (createdAt !== undefined) message.createdAt = createdAt;
  const senderId = nonEmptyString(raw.senderId);
  if (senderId !== undefined) message.senderId = boundId(senderId);
  const metadata = safeObject(raw.metadata, maxMessageBytes);
  if (metadata !== undefined) message.metadata = metadata;
  // Without content capture the id is derived from the blanked message: no hash of the text leaves the process.
  if (message.id === '') message.id = turnMessageId(threadId, position, message);
  return message;
}

/** Content as text: parts joined, non-text parts as placeholders, read only until past `maxBytes`. */
function contentText(value: unknown, maxBytes: number): string {
  if (!Array.isArray(value)) return partText(value) ?? placeholder(value);
  let text = '';
  let previousWasPlaceholder = false;
  const length = value.length >>> 0;
  const readable = Math.min(length, MAX_CONTENT_PARTS);
  for (let index = 0; index < readable && text.length <= maxBytes; index++) {
    const part = value[index];
    const textPart = partText(part);
    const isPlaceholder = textPart === undefined;
    // Placeholders sit on their own line; adjacent text parts are joined as the model saw them.
    if (text !== '' && (isPlaceholder || previousWasPlaceholder) && !text.endsWith('\n')) text += '\n';
    text += isPlaceholder ? placeholder(part) : textPart;
    previousWasPlaceholder = isPlaceholder;
  }
  if (readable < length && text.length <= maxBytes) text += `\n[${length - readable} more content parts]`;
  return text;
}

/** The text of a text part, else `undefined`. */
function partText(part: unknown): string | undefined {
  if (part === null || typeof part !== 'object') return stringOf(part);
  const { type, text } = part as { type?: unknown; text?: unknown };
  return (type === 'text' || type === undefined) && typeof text === 'string' ? text : undefined;
}

function placeholder(part: unknown): string {
  const binary = part instanceof ArrayBuffer || ArrayBuffer.isView(part);
  return binary ? `[binary: ${formatBytes(part.byteLength)}]` : contentPartPlaceholder(part);
}

function setToolCalls(message: TurnMessage, value: unknown, options: NormalizeMessageOptions): void {
  if (!Array.isArray(value) || value.length === 0) return;
  const calls: TurnToolCall[] = [];
  const readable = Math.min(value.length >>> 0, MAX_TOOL_CALLS);
  for (let index = 0; index < readable; index++) {
    const item = value[index];
    if (item === null || typeof item !== 'object') continue;
    const call = item as Partial<Record<keyof TurnToolCall, unknown>>;
    calls.push({
      id: boundId(stringOf(call.id)),
      name: shortText(stringOf(call.name)),
      args: options.captureContent ? safeJson(call.args, options.maxMessageBytes) : null,
    });
  }
  if (calls.length > 0) message.toolCalls = calls;
}

function setToolResult(message: TurnMessage, value: unknown, options: NormalizeMessageOptions): void {
  if (value === null || typeof value !== 'object') return;
  const raw = value as Partial<Record<keyof TurnToolResult, unknown>>;
  const result: TurnToolResult = {
    toolCallId: boundId(stringOf(raw.toolCallId)),
    output: options.captureContent ? safeJson(raw.output, options.maxMessageBytes) : null,
  };
  if (typeof raw.name === 'string') result.name = shortText(raw.name);
  if (typeof raw.isError === 'boolean') result.isError = raw.isError;
  message.toolResult = result;
}
