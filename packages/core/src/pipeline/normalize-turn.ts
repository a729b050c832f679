import type { ChatTrailContext } from '../context/chat-trail-context';
import { boundId, isLongId, longIdPrefix } from '../normalize/bound-id';
import { flatString } from '../normalize/flat-string';
import { truncateUtf8 } from '../normalize/truncate-utf8';
import { wellFormed } from '../normalize/well-formed';
import type {
  JsonObject,
  Turn,
  TurnMessage,
  TurnMessagesMode,
  TurnModel,
  TurnSource,
  TurnStatus,
  TurnUsage,
  TurnUser,
} from '../spec/turn';
import { alignHistory } from '../thread/align-history';
import { numberNewMessages } from '../thread/number-new-messages';
import { type RecordedHistory, Reuse, reuseAt } from '../thread/recorded-history';
import { CHAT_TRAIL_DEFAULTS } from './chat-trail-options';
import { normalizeMessage } from './normalize-message';
import { dateTime, finiteNumber, nonEmptyString, safeObject, shortText } from './normalize-values';

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
  /**
   * Messages kept per turn, the newest (default {@link CHAT_TRAIL_DEFAULTS}`.maxMessagesPerTurn`): the rest
   * are left out unread, and their number is put in the turn's metadata.
   */
  maxMessagesPerTurn?: number;
}

/** Turn metadata keys the trail adds (`chattrail_` keys are the trail's own). */
export const TRUNCATED_MESSAGES_KEY = 'chattrail_truncated_messages';
export const SKIPPED_MESSAGES_KEY = 'chattrail_skipped_messages';
export const THREAD_ID_PREFIX_KEY = 'chattrail_thread_id_prefix';
export const USER_ID_PREFIX_KEY = 'chattrail_user_id_prefix';

const STATUSES = new Set<unknown>(['ok', 'error', 'aborted']);
const MODES = new Set<unknown>(['history', 'new']);
const SOURCES = new Set<unknown>(['ai-sdk', 'langchain', 'express', 'manual']);
// A user's segments are bounded: none of the lists a turn holds is ever walked to the end of a huge or
// sparse array (`length = 5e7` costs nothing to set and seconds to iterate).
const MAX_SEGMENTS = 100;
const NO_MESSAGES: readonly unknown[] = [];

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
 * Bounded before anything proportional to the input is done: at most `maxMessagesPerTurn` messages (the
 * newest; holes skipped), ids of at most 256 bytes (`boundId`), names of at most 1 KiB, and every string
 * well-formed (lone surrogates become U+FFFD). What was left out or shortened is said in `chattrail_` keys
 * of the turn's metadata.
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
  const givenThreadId = nonEmptyString(raw.threadId) ?? nonEmptyString(context?.threadId);
  if (givenThreadId === undefined) return undefined;
  const threadId = boundId(givenThreadId);

  // Bounded before anything is read: see messagesToKeep.
  const given = Array.isArray(raw.messages) ? raw.messages : NO_MESSAGES;
  const rawMessages = messagesToKeep(
    given,
    options.maxMessagesPerTurn ?? CHAT_TRAIL_DEFAULTS.maxMessagesPerTurn,
  );
  const cut = keptFrom;
  const skipped = skippedMessages;
  const givenId = nonEmptyString(raw.id);
  const id =
    givenId === undefined
      ? flatString(`turn_${Date.now().toString(36)}_${(++turnSequence).toString(36)}`)
      : flatString(boundId(givenId));
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
        reuse.next = {
          messages,
          reuse: Reuse.never,
          positions: numbered?.positions,
          newMessages: true,
        };
      }
    }
  }
  if (reuse?.next !== undefined && status !== 'ok') reuse.next.failed = true;

  const startedAt = dateTime(raw.startedAt);
  const endedAt = dateTime(raw.endedAt);
  const now = startedAt === undefined || endedAt === undefined ? new Date().toISOString() : '';
  const source = SOURCES.has(raw.source) ? (raw.source as TurnSource) : 'manual';
  const givenUser = raw.user ?? context?.user;
  const user = normalizeUser(givenUser);
  const model = normalizeModel(raw.model);
  const usage = normalizeUsage(raw.usage);
  // The usual turn in one literal: its fields all in the object, without a second array for those added
  // after it (a queued turn is held until it is sent).
  const turn: Turn =
    user !== undefined && model !== undefined && usage !== undefined
      ? {
          id,
          threadId,
          messages,
          startedAt: startedAt ?? now,
          endedAt: endedAt ?? now,
          status,
          source,
          user,
          model,
          usage,
          turnMessages: mode,
        }
      : {
          id,
          threadId,
          messages,
          startedAt: startedAt ?? now,
          endedAt: endedAt ?? now,
          status,
          source,
          turnMessages: mode,
        };
  if (turn.user === undefined && user !== undefined) turn.user = user;
  if (turn.model === undefined && model !== undefined) turn.model = model;
  if (turn.usage === undefined && usage !== undefined) turn.usage = usage;
  const timeToFirstTokenMs = finiteNumber(raw.timeToFirstTokenMs);
  if (timeToFirstTokenMs !== undefined) turn.timeToFirstTokenMs = timeToFirstTokenMs;
  const error = normalizeError(raw.error, options.maxMessageBytes);
  if (error !== undefined) turn.error = error;
  let metadata = safeObject(raw.metadata ?? context?.metadata, options.maxMessageBytes);
  // What the trail left out or shortened, said where a reader of the thread sees it.
  if (
    cut > 0 ||
    skipped > 0 ||
    threadId !== givenThreadId ||
    (user !== undefined && user.id.length > SHORTENED_MIN_LENGTH)
  ) {
    const notes = trailNotes(cut, skipped, givenThreadId, threadId, givenUser, user);
    if (notes !== undefined) metadata = metadata === undefined ? notes : Object.assign(metadata, notes);
  }
  if (metadata !== undefined) turn.metadata = metadata;
  return turn;
}

// A short id from boundId is longer than this; most ids are not, and need no second look.
const SHORTENED_MIN_LENGTH = 17;

/** The `chattrail_` metadata of a turn: messages left out, and the prefixes of ids that were hashed. */
function trailNotes(
  cut: number,
  skipped: number,
  givenThreadId: string,
  threadId: string,
  givenUser: unknown,
  user: TurnUser | undefined,
): JsonObject | undefined {
  let notes: JsonObject | undefined;
  if (cut > 0) notes = { [TRUNCATED_MESSAGES_KEY]: cut };
  if (skipped > 0) notes = { ...notes, [SKIPPED_MESSAGES_KEY]: skipped };
  if (threadId !== givenThreadId && isLongId(givenThreadId)) {
    notes = { ...notes, [THREAD_ID_PREFIX_KEY]: longIdPrefix(givenThreadId) };
  }
  if (user !== undefined && user.id.length > SHORTENED_MIN_LENGTH) {
    const givenUserId = (givenUser as { id?: unknown }).id;
    if (typeof givenUserId === 'string' && isLongId(givenUserId)) {
      notes = { ...notes, [USER_ID_PREFIX_KEY]: longIdPrefix(givenUserId) };
    }
  }
  return notes;
}

// What messagesToKeep left out, read by normalizeTurn right after the call (module state rather than a
// result object: record() is the hot path and this is set once per turn; synchronous, never re-entered).
let keptFrom = 0;
let skippedMessages = 0;

/**
 * The messages a turn keeps: the newest `max` slots of `given` (the conversation's end, and the answer,
 * matter most; older ones were sent with earlier turns of a resent history), without holes or
 * `null`/`undefined` entries. Only those slots are read: a sparse array with `length = 5e7` costs `max`
 * reads, not fifty million (which blocked the host for seconds, and `new Array(5e7)` of copies ran it out
 * of memory). Returns `given` itself when it is within bounds and has no gaps, the usual case; sets
 * {@link keptFrom} (slots left out before the window) and {@link skippedMessages} (gaps within it).
 */
function messagesToKeep(given: readonly unknown[], max: number): readonly unknown[] {
  // A proxy may report any length: only an array index is taken as one.
  const length = given.length >>> 0;
  keptFrom = 0;
  skippedMessages = 0;
  if (length === given.length && length <= max) {
    let gap = false;
    for (let i = 0; i < length; i++) {
      const message = given[i];
      if (message === undefined || message === null) {
        gap = true;
        break;
      }
    }
    if (!gap) return given;
  }
  const start = length > max ? length - max : 0;
  const kept: unknown[] = [];
  for (let i = start; i < length; i++) {
    const message = given[i];
    if (message === undefined || message === null) skippedMessages++;
    else kept.push(message);
  }
  keptFrom = start;
  return kept;
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
      const how = reuseAt(previous!, position);
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
  let uniform = n > 0;
  for (let position = 1; position < n && uniform; position++) uniform = reuse[position] === reuse[0];
  return { messages, reuse: uniform ? reuse[0]! : reuse, positions: aligned?.positions };
}

function normalizeUser(value: unknown): TurnUser | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const raw = value as Partial<Record<keyof TurnUser, unknown>>;
  const id = nonEmptyString(raw.id) ?? (typeof raw.id === 'number' ? String(raw.id) : undefined);
  if (id === undefined) return undefined;
  const user: TurnUser = { id: boundId(id) };
  if (typeof raw.email === 'string') user.email = shortText(raw.email);
  if (typeof raw.name === 'string') user.name = shortText(raw.name);
  if (typeof raw.username === 'string') user.username = shortText(raw.username);
  if (raw.segments !== null && typeof raw.segments === 'object') {
    const segments: Record<string, string> = {};
    const given = raw.segments as Record<string, unknown>;
    let read = 0;
    // for...in stops early; Object.entries would first copy every entry of a huge object.
    for (const key in given) {
      if (read++ >= MAX_SEGMENTS) break;
      if (!Object.hasOwn(given, key)) continue;
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
      const segment = given[key];
      if (typeof segment === 'string') segments[shortText(key)] = shortText(segment);
      else if (typeof segment === 'number' || typeof segment === 'boolean') {
        segments[shortText(key)] = String(segment);
      }
    }
    user.segments = segments;
  }
  return user;
}

function normalizeModel(value: unknown): TurnModel | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const raw = value as Partial<Record<keyof TurnModel, unknown>>;
  const model: TurnModel = {};
  if (typeof raw.provider === 'string') model.provider = shortText(raw.provider);
  if (typeof raw.id === 'string') model.id = shortText(raw.id);
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
  if (typeof value !== 'object') {
    return { name: 'Error', message: wellFormed(truncateUtf8(String(value), maxBytes)) };
  }
  const raw = value as { name?: unknown; message?: unknown };
  return {
    name: typeof raw.name === 'string' ? shortText(raw.name) : 'Error',
    message: wellFormed(truncateUtf8(typeof raw.message === 'string' ? raw.message : '', maxBytes)),
  };
}
