import type { ChatTrailContext } from '../context/chat-trail-context';
import { boundId, isLongId, longIdPrefix } from '../normalize/bound-id';
import { contentPartPlaceholder } from '../normalize/content-part-placeholder';
import { flatString } from '../normalize/flat-string';
import { formatBytes } from '../normalize/format-bytes';
import { turnMessageId } from '../normalize/message-id';
import { truncateUtf8 } from '../normalize/truncate-utf8';
import { wellFormed } from '../normalize/well-formed';
import type {
  Turn,
  TurnMessage,
  TurnMessageRole,
  TurnMessagesMode,
  TurnModel,
  TurnToolCall,
  TurnToolResult,
  TurnUsage,
} from '../spec/turn';
import { alignHistory, numberNewMessages } from '../thread/align-history';
import { type RecordedHistory, Reuse, reuseAt } from '../thread/recorded-history';
import { CHAT_TRAIL_DEFAULTS } from './chat-trail-options';
import {
  dateTime,
  finiteNumber,
  isObject,
  nonEmptyString,
  safeJson,
  safeObject,
  shortText,
  stringOf,
  turnUser,
} from './normalize-values';
import { sourceOf } from './source-of';

/** The thread's previous copies (`previous`, read) and this turn's (`next`, set for the caller to cache). */
export type HistoryReuse = { previous: RecordedHistory | undefined; next?: RecordedHistory };

/** Settings of {@link normalizeTurn} (the trail's options of the same names). */
export interface NormalizeTurnOptions {
  maxMessageBytes: number;
  captureContent: boolean;
  turnMessages?: TurnMessagesMode;
  maxMessagesPerTurn?: number;
}

/** Turn metadata keys the trail adds (`chattrail_` keys are the trail's own). */
export const TRUNCATED_MESSAGES_KEY = 'chattrail_truncated_messages';
export const SKIPPED_MESSAGES_KEY = 'chattrail_skipped_messages';

const STATUSES = new Set<unknown>(['ok', 'error', 'aborted']);
const MODES = new Set<unknown>(['history', 'new']);
// None of a user's lists is walked to the end of a huge or sparse object or array.
const MAX_SEGMENTS = 100;
const MAX_TOOL_CALLS = 1_000;
const MAX_CONTENT_PARTS = 10_000;
// The usual roles skip the well-formedness check (one per role of every new message).
const ROLES = new Set<unknown>(['user', 'assistant', 'system', 'tool']);
const NO_MESSAGES: readonly unknown[] = [];
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

let turnSequence = 0;

/** A fresh, private, bounded copy of a turn, sharing no object with it; `undefined` without a thread. */
export function normalizeTurn(
  input: unknown,
  options: NormalizeTurnOptions,
  context?: Readonly<ChatTrailContext>,
  reuse?: HistoryReuse,
  mode: TurnMessagesMode = turnMessagesMode(input, context, options),
): Turn | undefined {
  if (!isObject(input)) return undefined;
  const raw = input as Partial<Record<keyof Turn, unknown>>;
  const givenThreadId = nonEmptyString(raw.threadId) ?? nonEmptyString(context?.threadId);
  if (givenThreadId === undefined) return undefined;
  const threadId = boundId(givenThreadId);
  const max = options.maxMessagesPerTurn ?? CHAT_TRAIL_DEFAULTS.maxMessagesPerTurn;
  // The newest `max` slots without holes or nulls, so a sparse array of `length = 5e7` costs `max` reads.
  let rawMessages = Array.isArray(raw.messages) ? raw.messages : NO_MESSAGES;
  // A proxy may report any length: only an array index is taken as one.
  const length = rawMessages.length >>> 0;
  let whole = length === rawMessages.length && length <= max;
  for (let i = 0; whole && i < length; i++) whole = rawMessages[i] !== undefined && rawMessages[i] !== null;
  const cut = whole || length <= max ? 0 : length - max;
  let skipped = 0;
  if (!whole) {
    const kept: unknown[] = [];
    for (let i = cut; i < length; i++) {
      const message = rawMessages[i];
      if (message === undefined || message === null) skipped++;
      else kept.push(message);
    }
    rawMessages = kept;
  }
  const givenId = nonEmptyString(raw.id);
  const id = flatString(
    givenId === undefined
      ? `turn_${Date.now().toString(36)}_${(++turnSequence).toString(36)}`
      : boundId(givenId),
  );
  const status = STATUSES.has(raw.status) ? (raw.status as Turn['status']) : 'ok';
  // Sized up front and filled by index: pushing grows the array several times over.
  const messages: TurnMessage[] = new Array(rawMessages.length);
  if (mode === 'history' && reuse !== undefined) {
    reuse.next = normalizeHistory(rawMessages, threadId, options, reuse.previous, messages);
  } else {
    // New messages reuse no copy: the previous turn's messages are never theirs.
    for (let position = 0; position < rawMessages.length; position++) {
      messages[position] = normalizeMessage(rawMessages[position], position, threadId, options);
    }
    if (mode === 'new') {
      const numbered = numberNewMessages(threadId, id, rawMessages, messages, reuse?.previous);
      if (reuse !== undefined) {
        reuse.next = { messages, reuse: Reuse.never, positions: numbered?.positions, newMessages: true };
      }
    }
  }
  if (reuse?.next !== undefined && status !== 'ok') reuse.next.failed = true;
  const givenStart = dateTime(raw.startedAt);
  const startedAt = givenStart ?? new Date().toISOString();
  const endedAt = dateTime(raw.endedAt) ?? (givenStart === undefined ? startedAt : new Date().toISOString());
  const source = sourceOf(raw);
  const givenUser = raw.user ?? context?.user;
  const user = normalizeUser(givenUser);
  const model = normalizeModel(raw.model);
  // Absent means "not reported": a field that is not a finite number is left out rather than zeroed.
  const usage = normalizeUsage(raw.usage);
  // The usual turn in one literal, all its fields in the object itself (a queued turn is held until sent).
  const turn: Turn =
    user !== undefined && model !== undefined && usage !== undefined
      ? { id, threadId, messages, startedAt, endedAt, status, source, user, model, usage, turnMessages: mode }
      : { id, threadId, messages, startedAt, endedAt, status, source, turnMessages: mode };
  if (turn.user === undefined && user !== undefined) turn.user = user;
  if (turn.model === undefined && model !== undefined) turn.model = model;
  if (turn.usage === undefined && usage !== undefined) turn.usage = usage;
  const timeToFirstTokenMs = finiteNumber(raw.timeToFirstTokenMs);
  if (timeToFirstTokenMs !== undefined) turn.timeToFirstTokenMs = timeToFirstTokenMs;
  const error = normalizeError(raw.error, options.maxMessageBytes);
  if (error !== undefined) turn.error = error;
  let metadata = safeObject(raw.metadata ?? context?.metadata, options.maxMessageBytes);
  // What the trail left out or shortened (`chattrail_` keys), said where a reader of the thread sees it.
  if (cut > 0) metadata = { ...metadata, [TRUNCATED_MESSAGES_KEY]: cut };
  if (skipped > 0) metadata = { ...metadata, [SKIPPED_MESSAGES_KEY]: skipped };
  if (threadId !== givenThreadId && isLongId(givenThreadId)) {
    metadata = { ...metadata, chattrail_thread_id_prefix: longIdPrefix(givenThreadId) };
  }
  const givenUserId = user === undefined ? undefined : (givenUser as { id?: unknown }).id;
  if (typeof givenUserId === 'string' && user!.id !== givenUserId && isLongId(givenUserId)) {
    metadata = { ...metadata, chattrail_user_id_prefix: longIdPrefix(givenUserId) };
  }
  if (metadata !== undefined) turn.metadata = metadata;
  return turn;
}

/** What a turn's messages are: the turn's own `turnMessages`, else the context's, else the trail's. */
export function turnMessagesMode(
  turn: unknown,
  context: Readonly<ChatTrailContext> | undefined,
  options: NormalizeTurnOptions,
): TurnMessagesMode {
  const own = (turn as { turnMessages?: unknown } | null)?.turnMessages;
  if (MODES.has(own)) return own as TurnMessagesMode;
  if (MODES.has(context?.turnMessages)) return context!.turnMessages!;
  return options.turnMessages ?? 'history';
}

/** Normalises `rawMessages` into `messages`, reusing the previous turn's copy of unchanged texts. */
function normalizeHistory(
  rawMessages: readonly unknown[],
  threadId: string,
  options: NormalizeTurnOptions,
  previous: RecordedHistory | undefined,
  messages: TurnMessage[],
): RecordedHistory {
  const n = rawMessages.length;
  const known = previous === undefined ? 0 : Math.min(n, previous.messages.length);
  // One number while all reuse alike (no array per turn); copies of `previous` at its places line up already.
  let uniform: number = Reuse.never;
  let reuse: number[] | undefined;
  let leadingCopies = 0;
  for (let position = 0; position < n; position++) {
    const input = rawMessages[position];
    const raw: Partial<Record<keyof TurnMessage, unknown>> | undefined = isObject(input) ? input : undefined;
    let how: number = Reuse.never;
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
      messages[position] = normalizeMessage(input, position, threadId, options);
    } else {
      const ownId = nonEmptyString(raw.id);
      const copy = position < known ? previous!.messages[position]! : undefined;
      how = copy === undefined ? Reuse.never : reuseAt(previous!, position)!;
      if (
        how !== Reuse.never &&
        copy!.content === raw.content &&
        copy!.role === (nonEmptyString(raw.role) ?? 'user') &&
        (how === Reuse.givenId ? copy!.id === ownId : ownId === undefined)
      ) {
        messages[position] = copy!;
        if (leadingCopies === position) leadingCopies++;
      } else {
        const message = normalizeMessage(raw, position, threadId, options);
        messages[position] = message;
        // A copy stands for the raw message only if it kept its text as it was (not cut, not blanked).
        how = message.content !== raw.content ? Reuse.never : ownId ? Reuse.givenId : Reuse.derivedId;
      }
    }
    if (position === 0) uniform = how;
    else if (reuse === undefined && how !== uniform) reuse = new Array(n).fill(uniform, 0, position);
    if (reuse !== undefined) reuse[position] = how;
  }
  const reused = reuse ?? (n > 0 ? uniform : []);
  const skip = previous === undefined || (leadingCopies === known && previous.positions === undefined);
  const aligned = skip ? undefined : alignHistory(threadId, rawMessages, messages, reused, previous);
  return { messages, reuse: reused, positions: aligned?.positions };
}

function normalizeUser(value: unknown): Turn['user'] {
  if (!isObject(value)) return undefined;
  const raw = value as Record<string, unknown>;
  const id = nonEmptyString(raw.id) ?? (typeof raw.id === 'number' ? String(raw.id) : undefined);
  if (id === undefined) return undefined;
  const user = turnUser(id, raw);
  if (isObject(raw.segments)) {
    const segments: Record<string, string> = {};
    const given = raw.segments as Record<string, unknown>;
    let read = 0;
    // for...in stops early; Object.entries would first copy every entry of a huge object.
    for (const key in given) {
      if (read++ >= MAX_SEGMENTS) break;
      if (!Object.hasOwn(given, key) || FORBIDDEN_KEYS.has(key)) continue;
      const segment = given[key];
      if (typeof segment === 'string' || typeof segment === 'number' || typeof segment === 'boolean') {
        segments[shortText(key)] = typeof segment === 'string' ? shortText(segment) : String(segment);
      }
    }
    user.segments = segments;
  }
  return user;
}

function normalizeError(value: unknown, maxBytes: number): Turn['error'] {
  if (value === undefined || value === null) return undefined;
  const raw = (typeof value === 'object' ? value : { message: String(value) }) as Record<string, unknown>;
  return {
    name: typeof raw.name === 'string' ? shortText(raw.name) : 'Error',
    message: wellFormed(truncateUtf8(typeof raw.message === 'string' ? raw.message : '', maxBytes)),
  };
}

/** A private, bounded copy of one message, with an id (`turnMessageId` of the copy when it has none). */
function normalizeMessage(input: unknown, position: number, threadId: string, options: NormalizeTurnOptions) {
  const raw: Partial<Record<keyof TurnMessage, unknown>> = isObject(input) ? input : { content: input };
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

function partText(part: unknown): string | undefined {
  if (part === null || typeof part !== 'object') return stringOf(part);
  const { type, text } = part as { type?: unknown; text?: unknown };
  return (type === 'text' || type === undefined) && typeof text === 'string' ? text : undefined;
}

function placeholder(part: unknown): string {
  const binary = part instanceof ArrayBuffer || ArrayBuffer.isView(part);
  return binary ? `[binary: ${formatBytes(part.byteLength)}]` : contentPartPlaceholder(part);
}

function setToolCalls(message: TurnMessage, value: unknown, options: NormalizeTurnOptions): void {
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

function setToolResult(message: TurnMessage, value: unknown, options: NormalizeTurnOptions): void {
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

// Field by field, not by a loop over names: named stores stay monomorphic on record()'s hot path.
function normalizeModel(value: unknown): TurnModel | undefined {
  if (!isObject(value)) return undefined;
  const raw = value as Record<string, unknown>;
  const model: TurnModel = {};
  if (typeof raw.provider === 'string') model.provider = shortText(raw.provider);
  if (typeof raw.id === 'string') model.id = shortText(raw.id);
  return model;
}

function normalizeUsage(value: unknown): TurnUsage | undefined {
  if (!isObject(value)) return undefined;
  const raw = value as Record<string, unknown>;
  const usage: TurnUsage = {};
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
