import type { ChatTrailContext } from '../context/chat-trail-context';
import { contentPartPlaceholder } from '../normalize/content-part-placeholder';
import { formatBytes } from '../normalize/format-bytes';
import { jsonByteLength } from '../normalize/json-byte-length';
import { toJsonSafe } from '../normalize/to-json-safe';
import { truncateUtf8 } from '../normalize/truncate-utf8';
import { turnMessageId } from '../turn/message-id';
import type {
  JsonObject,
  JsonValue,
  Turn,
  TurnMessage,
  TurnMessageRole,
  TurnMessagesMode,
  TurnModel,
  TurnSource,
  TurnStatus,
  TurnToolCall,
  TurnToolResult,
  TurnUsage,
  TurnUser,
} from '../turn/turn';
import { alignHistory } from './align-history';
import { type RecordedHistory, Reuse } from './history-cache';
import { numberNewMessages } from './number-new-messages';

/**
 * Reuse of the thread's previous copies (see {@link RecordedHistory}): `previous` is read, `next` is set
 * to this turn's history for the caller to cache.
 */
export interface HistoryReuse {
  previous: RecordedHistory | undefined;
  next?: RecordedHistory;
}

/** Settings of {@link normalizeTurn}. */
export interface NormalizeTurnOptions {
  /** UTF-8 bytes kept per message text, tool arguments, tool output and metadata object. */
  maxMessageBytes: number;
  /** False: texts become `''`, tool arguments and outputs `null`; roles, tool names, usage, timings stay. */
  captureContent: boolean;
  /**
   * What a turn's messages are: `'history'` (default), the history resent with every turn, or `'new'`,
   * only the new messages after the system prompt (see `numberNewMessages`).
   */
  turnMessages?: TurnMessagesMode;
}

const STATUSES = new Set<unknown>(['ok', 'error', 'aborted']);
const MODES = new Set<unknown>(['history', 'new']);
const SOURCES = new Set<unknown>(['ai-sdk', 'langchain', 'express', 'manual']);
// Dates that pydantic and every JS runtime read the same way; anything else parseable is rewritten as ISO.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
// Nested values are bounded per payload, so a tool output of a million rows cannot be walked to the end.
const PAYLOAD_MAX_NODES = 5_000;

let turnSequence = 0;

/**
 * Makes a fresh, private, JSON-safe copy of a turn as an adapter (or app) handed it over, or returns
 * `undefined` when it is not a turn (not an object, or no thread id anywhere).
 *
 * What `record()` guarantees downstream, whatever it was given: every string is a string; message texts
 * are UTF-8-safely truncated to `maxMessageBytes` with a marker; non-text content parts (and raw bytes)
 * became placeholders; tool arguments, outputs and metadata went through `toJsonSafe` (circular refs,
 * BigInt, Dates, functions, `__proto__` keys) and are each bounded by `maxMessageBytes`; every message has
 * an id (`turnMessageId` of the normalised content when missing). A thread id or user missing from the
 * turn is taken from the `withChatTrail` context. The input is never modified and no object of it is
 * reused, so a later change by the app cannot alter what is sent, and `redact` cannot alter the app's.
 *
 * Written for the hot path: one pass, no serialisation of the whole turn, short strings never scanned.
 */
export function normalizeTurn(
  input: unknown,
  options: NormalizeTurnOptions,
  context?: Readonly<ChatTrailContext>,
  reuse?: HistoryReuse,
  mode: TurnMessagesMode = turnMessagesMode(input, context, options),
): Turn | undefined {
  if (input === null || typeof input !== 'object') return undefined;
  const raw = input as Partial<Record<keyof Turn, unknown>>;
  const threadId = nonEmptyString(raw.threadId) ?? context?.threadId;
  if (threadId === undefined || threadId === '') return undefined;

  const rawMessages = Array.isArray(raw.messages) ? raw.messages : [];
  const id = nonEmptyString(raw.id) ?? `turn_${Date.now().toString(36)}_${(++turnSequence).toString(36)}`;
  const status = STATUSES.has(raw.status) ? (raw.status as TurnStatus) : 'ok';
  // Sized up front and filled by index: pushing 100 messages grew the array four times (half the work of
  // a resent history's record(), and garbage).
  const messages: TurnMessage[] = new Array(rawMessages.length);
  if (mode === 'history' && reuse !== undefined) {
    reuse.next = normalizeHistory(rawMessages, threadId, options, reuse.previous, messages);
  } else {
    // Turns of new messages reuse no copy: the previous turn's messages are never theirs (a tool loop's
    // next step and a retry aside, which numberNewMessages recognises by their text).
    for (let position = 0; position < rawMessages.length; position++) {
      messages[position] = normalizeMessage(rawMessages[position], position, threadId, options);
    }
    if (mode === 'new') {
      const numbered = numberNewMessages(threadId, id, rawMessages, messages, reuse?.previous);
      if (reuse !== undefined) {
        const never = new Array<number>(messages.length).fill(Reuse.never);
        reuse.next = {
          messages,
          reuse: never,
          positions: numbered?.positions,
          earlier: numbered?.earlier,
          newMessages: true,
          bytes: 0,
        };
      }
    }
  }
  if (reuse?.next !== undefined && status !== 'ok') reuse.next.failed = true;

  const startedAt = dateTime(raw.startedAt);
  const endedAt = dateTime(raw.endedAt);
  const now = startedAt === undefined || endedAt === undefined ? new Date().toISOString() : '';
  const turn: Turn = {
    id,
    threadId,
    messages,
    startedAt: startedAt ?? now,
    endedAt: endedAt ?? now,
    status,
    source: SOURCES.has(raw.source) ? (raw.source as TurnSource) : 'manual',
  };
  const user = normalizeUser(raw.user ?? context?.user);
  if (user !== undefined) turn.user = user;
  const model = normalizeModel(raw.model);
  if (model !== undefined) turn.model = model;
  const usage = normalizeUsage(raw.usage);
  if (usage !== undefined) turn.usage = usage;
  const timeToFirstTokenMs = finiteNumber(raw.timeToFirstTokenMs);
  if (timeToFirstTokenMs !== undefined) turn.timeToFirstTokenMs = timeToFirstTokenMs;
  const error = normalizeError(raw.error, options.maxMessageBytes);
  if (error !== undefined) turn.error = error;
  const metadata = safeObject(raw.metadata ?? context?.metadata, options.maxMessageBytes);
  if (metadata !== undefined) turn.metadata = metadata;
  return turn;
}

/** What a turn's messages are: the turn's own `turnMessages`, else the context's, else the trail's. */
export function turnMessagesMode(
  turn: unknown,
  context: Readonly<ChatTrailContext> | undefined,
  options: NormalizeTurnOptions,
): TurnMessagesMode {
  const own =
    turn !== null && typeof turn === 'object' ? (turn as { turnMessages?: unknown }).turnMessages : undefined;
  if (MODES.has(own)) return own as TurnMessagesMode;
  if (MODES.has(context?.turnMessages)) return context!.turnMessages!;
  return options.turnMessages ?? 'history';
}

/**
 * Normalises `rawMessages` into `messages`, reusing the previous turn's copy of every plain text message
 * whose role, id and text are the very same as at that position last time, then lines the turn up with
 * the previous one when the app sent a window of the history (`alignHistory`); returns this turn's history.
 */
function normalizeHistory(
  rawMessages: readonly unknown[],
  threadId: string,
  options: NormalizeTurnOptions,
  previous: RecordedHistory | undefined,
  messages: TurnMessage[],
): RecordedHistory {
  const n = rawMessages.length;
  const reuse: number[] = new Array(n);
  const known = previous === undefined ? 0 : Math.min(n, previous.messages.length);
  for (let position = 0; position < n; position++) {
    const input = rawMessages[position];
    const raw = (input !== null && typeof input === 'object' ? input : undefined) as
      | Partial<Record<keyof TurnMessage, unknown>>
      | undefined;
    // Only plain text messages are compared: anything else may hide a change in a nested object.
    if (
      raw === undefined ||
      typeof raw.content !== 'string' ||
      raw.toolCalls !== undefined ||
      raw.toolResult !== undefined ||
      raw.metadata !== undefined ||
      raw.createdAt !== undefined ||
      raw.senderId !== undefined
    ) {
      reuse[position] = Reuse.never;
      messages[position] = normalizeMessage(input, position, threadId, options);
      continue;
    }
    const ownId = nonEmptyString(raw.id);
    const role = nonEmptyString(raw.role) ?? 'user';
    if (position < known) {
      const how = previous!.reuse[position];
      const copy = previous!.messages[position]!;
      if (
        how !== Reuse.never &&
        copy.content === raw.content &&
        copy.role === role &&
        (how === Reuse.givenId ? copy.id === ownId : ownId === undefined)
      ) {
        reuse[position] = how!;
        messages[position] = copy;
        continue;
      }
    }
    const message = normalizeMessage(raw, position, threadId, options);
    messages[position] = message;
    // A copy stands for the raw message only if it kept its text as it was (not cut, not blanked).
    reuse[position] =
      message.content !== raw.content ? Reuse.never : ownId === undefined ? Reuse.derivedId : Reuse.givenId;
  }
  const aligned =
    previous === undefined ? undefined : alignHistory(threadId, rawMessages, messages, reuse, previous);
  return { messages, reuse, positions: aligned?.positions, earlier: aligned?.earlier, bytes: 0 };
}

function normalizeMessage(
  input: unknown,
  position: number,
  threadId: string,
  options: NormalizeTurnOptions,
): TurnMessage {
  const raw = (input !== null && typeof input === 'object' ? input : { content: input }) as Partial<
    Record<keyof TurnMessage, unknown>
  >;
  const { captureContent, maxMessageBytes } = options;
  const content = captureContent ? truncateUtf8(contentText(raw.content), maxMessageBytes) : '';
  const role = (nonEmptyString(raw.role) ?? 'user') as TurnMessageRole;
  // Only the fields that are present: queued copies are retained until sent, and every field of every
  // retained message is paid for again by each garbage collection that moves it.
  const message: TurnMessage = { id: nonEmptyString(raw.id) ?? '', role, content };
  if (raw.toolCalls !== undefined) {
    const toolCalls = normalizeToolCalls(raw.toolCalls, options);
    if (toolCalls !== undefined) message.toolCalls = toolCalls;
  }
  if (raw.toolResult !== undefined) {
    const toolResult = normalizeToolResult(raw.toolResult, options);
    if (toolResult !== undefined) message.toolResult = toolResult;
  }
  if (raw.createdAt !== undefined) {
    const createdAt = dateTime(raw.createdAt);
    if (createdAt !== undefined) message.createdAt = createdAt;
  }
  if (raw.senderId !== undefined) {
    const senderId = nonEmptyString(raw.senderId);
    if (senderId !== undefined) message.senderId = senderId;
  }
  if (raw.metadata !== undefined) {
    const metadata = safeObject(raw.metadata, maxMessageBytes);
    if (metadata !== undefined) message.metadata = metadata;
  }
  // Without content capture the id is derived from the blanked message: no hash of the text leaves the process.
  if (message.id === '') message.id = turnMessageId(threadId, position, message);
  return message;
}

/** Message content as text: strings as they are, content-part arrays joined, parts and bytes as placeholders. */
function contentText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) {
    let text = '';
    let previousWasPlaceholder = false;
    for (const part of value) {
      const textPart = partText(part);
      const isPlaceholder = textPart === undefined;
      const piece = isPlaceholder ? placeholder(part) : textPart;
      // Placeholders sit on their own line; adjacent text parts are joined as the model saw them.
      if (text !== '' && (isPlaceholder || previousWasPlaceholder) && !text.endsWith('\n')) text += '\n';
      text += piece;
      previousWasPlaceholder = isPlaceholder;
    }
    return text;
  }
  if (typeof value === 'object') return partText(value) ?? placeholder(value);
  return String(value);
}

/** The text of a text part, else `undefined`. */
function partText(part: unknown): string | undefined {
  if (typeof part === 'string') return part;
  if (part === null || typeof part !== 'object')
    return part === undefined || part === null ? '' : String(part);
  const record = part as { type?: unknown; text?: unknown };
  if ((record.type === 'text' || record.type === undefined) && typeof record.text === 'string')
    return record.text;
  return undefined;
}

function placeholder(part: unknown): string {
  if (part instanceof ArrayBuffer) return `[binary: ${formatBytes(part.byteLength)}]`;
  if (ArrayBuffer.isView(part)) return `[binary: ${formatBytes(part.byteLength)}]`;
  return contentPartPlaceholder(part);
}

function normalizeToolCalls(value: unknown, options: NormalizeTurnOptions): TurnToolCall[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const calls: TurnToolCall[] = [];
  for (const item of value) {
    if (item === null || typeof item !== 'object') continue;
    const call = item as Partial<Record<keyof TurnToolCall, unknown>>;
    calls.push({
      id: stringOf(call.id),
      name: stringOf(call.name),
      args: options.captureContent ? safeJson(call.args, options.maxMessageBytes) : null,
    });
  }
  return calls.length > 0 ? calls : undefined;
}

function normalizeToolResult(value: unknown, options: NormalizeTurnOptions): TurnToolResult | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const raw = value as Partial<Record<keyof TurnToolResult, unknown>>;
  const result: TurnToolResult = {
    toolCallId: stringOf(raw.toolCallId),
    output: options.captureContent ? safeJson(raw.output, options.maxMessageBytes) : null,
  };
  if (typeof raw.name === 'string') result.name = raw.name;
  if (typeof raw.isError === 'boolean') result.isError = raw.isError;
  return result;
}

function normalizeUser(value: unknown): TurnUser | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const raw = value as Partial<Record<keyof TurnUser, unknown>>;
  const id = nonEmptyString(raw.id) ?? (typeof raw.id === 'number' ? String(raw.id) : undefined);
  if (id === undefined) return undefined;
  const user: TurnUser = { id };
  if (typeof raw.email === 'string') user.email = raw.email;
  if (typeof raw.name === 'string') user.name = raw.name;
  if (typeof raw.username === 'string') user.username = raw.username;
  if (raw.segments !== null && typeof raw.segments === 'object') {
    const segments: Record<string, string> = {};
    for (const [key, segment] of Object.entries(raw.segments as Record<string, unknown>)) {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
      if (typeof segment === 'string') segments[key] = segment;
      else if (typeof segment === 'number' || typeof segment === 'boolean') segments[key] = String(segment);
    }
    user.segments = segments;
  }
  return user;
}

function normalizeModel(value: unknown): TurnModel | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const raw = value as Partial<Record<keyof TurnModel, unknown>>;
  const model: TurnModel = {};
  if (typeof raw.provider === 'string') model.provider = raw.provider;
  if (typeof raw.id === 'string') model.id = raw.id;
  return model;
}

function normalizeUsage(value: unknown): TurnUsage | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const raw = value as Partial<Record<keyof TurnUsage, unknown>>;
  const usage: TurnUsage = {};
  // Absent means "not reported": a field that is not a finite number is left out rather than zeroed.
  const input = finiteNumber(raw.inputTokens);
  if (input !== undefined) usage.inputTokens = input;
  const output = finiteNumber(raw.outputTokens);
  if (output !== undefined) usage.outputTokens = output;
  const total = finiteNumber(raw.totalTokens);
  if (total !== undefined) usage.totalTokens = total;
  const reasoning = finiteNumber(raw.reasoningTokens);
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  const cached = finiteNumber(raw.cachedInputTokens);
  if (cached !== undefined) usage.cachedInputTokens = cached;
  return usage;
}

function normalizeError(value: unknown, maxBytes: number): Turn['error'] {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') return { name: 'Error', message: truncateUtf8(String(value), maxBytes) };
  const raw = value as { name?: unknown; message?: unknown };
  return {
    name: typeof raw.name === 'string' ? raw.name : 'Error',
    message: truncateUtf8(typeof raw.message === 'string' ? raw.message : '', maxBytes),
  };
}

/** Any value made JSON-safe and bounded to about `maxBytes` of JSON; an oversized one becomes truncated JSON text. */
function safeJson(value: unknown, maxBytes: number): JsonValue {
  switch (typeof value) {
    case 'string':
      return truncateUtf8(value, maxBytes);
    case 'boolean':
      return value;
    case 'undefined':
      return null;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
  }
  const safe = toJsonSafe(value, { maxStringBytes: maxBytes, maxNodes: PAYLOAD_MAX_NODES });
  if (safe !== null && typeof safe === 'object' && jsonByteLength(safe) > maxBytes) {
    return truncateUtf8(JSON.stringify(safe), maxBytes);
  }
  return safe;
}

/** Metadata: a JSON-safe object bounded like {@link safeJson}; anything that is not an object is left out. */
function safeObject(value: unknown, maxBytes: number): JsonObject | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const safe = safeJson(value, maxBytes);
  if (typeof safe === 'string') return { _truncated: safe };
  return safe !== null && typeof safe === 'object' && !Array.isArray(safe) ? safe : undefined;
}

/** ISO 8601 as given when it is strict ISO; other parseable dates (and epoch numbers, Dates) rewritten as ISO. */
function dateTime(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (ISO_DATE_TIME.test(value)) return value;
    const time = Date.parse(value);
    return Number.isNaN(time) ? undefined : new Date(time).toISOString();
  }
  if (value instanceof Date || typeof value === 'number') {
    const time = value instanceof Date ? value.getTime() : value;
    return Number.isFinite(time) && Math.abs(time) <= 8.64e15 ? new Date(time).toISOString() : undefined;
  }
  return undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
