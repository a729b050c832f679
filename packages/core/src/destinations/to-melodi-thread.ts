import { JsonText } from '../http/json-text';
import type { MelodiExternalUser, MelodiMessage, MelodiThreadUpsertParams } from '../melodi/melodi-models';
import type { JsonObject, JsonValue, Turn, TurnMessage, TurnUser } from '../spec/turn';
import { turnOutputStart } from '../thread/turn-output-start';
import { mergeThreadMessages, sharedPrefix } from './merge-thread-messages';
import { latencyMs } from './to-mielto-message';

/**
 * The `PUT /threads` body for the turns of one thread in a batch, from scratch: the full thread as known
 * (the ordered union by message id of the turns' messages, the latest copy of each winning), each message
 * with our stable id as `externalId` and its index as `position`, so the upsert is idempotent whether
 * Melodi replaces or merges.
 *
 * Thread `metadata` stays flat strings and numbers (what Melodi filters and segments by) and describes the
 * latest turn, except `turns`: the number of user messages in the thread, which is stable across resends
 * and processes. A failed or aborted turn also marks its last message (see {@link failureMarks}), since the
 * next turn overwrites the thread's metadata.
 */
export function toMelodiThread(turns: readonly Turn[]): MelodiThreadUpsertParams {
  const built = rebuilt(turns, failureMarks(turns));
  return {
    ...threadHead(turns, built.userMessages),
    messages: built.json.map((json) => JSON.parse(json) as MelodiMessage),
  };
}

/**
 * The next `PUT /threads` body of a thread, as JSON text: `built` (what the thread's last body held, see
 * {@link BuiltThread}) with the turns' messages it lacks appended, and those it holds in a newer copy
 * updated in place. So a body never leaves out a message an earlier one carried, whether or not the turns
 * resend their history (a turn of only its own question and answer, a regenerated answer, a thread the
 * trail's log let go): under replace semantics that message would be deleted. Without `built`, the body
 * of {@link toMelodiThread}.
 *
 * The thread is resent whole on every turn, and serialising it again each time made a long thread's PUT
 * cost grow with its length: each message's JSON is kept in `built`. When the turns carry `built`'s
 * messages as their first ones (the same objects: the trail's log hands a thread's turns the same objects
 * for their shared history and never changes a message once recorded), only the messages after them are
 * looked at.
 *
 * `keep()`: what the body holds, for the next one (not for a body Melodi found too large); it extends
 * `built` in place when it can. Nothing changes before it, and building throws before anything changes.
 */
export function melodiThreadJson(
  turns: readonly Turn[],
  projectId: number,
  built?: BuiltThread,
): { body: JsonText; messages: number; keep: () => BuiltThread } {
  const marks = failureMarks(turns);
  const extension = built !== undefined ? extensionOf(turns, built, marks) : undefined;
  if (built !== undefined && extension !== undefined) {
    const head = threadHead(turns, built.userMessages + extension.userMessages);
    const body = threadBody(head, projectId, built.json, extension.json);
    const keep = () => extend(built, extension, marks);
    return { body, messages: built.messages.length + extension.messages.length, keep };
  }
  const next = rebuilt(turns, marks, built);
  const body = threadBody(threadHead(turns, next.userMessages), projectId, next.json);
  return { body, messages: next.messages.length, keep: () => next };
}

/** A message's JSON in a body, at its index. */
function messageJson(message: TurnMessage, position: number, mark: JsonObject | undefined): string {
  return JSON.stringify(toMelodiMessage(message, position, mark));
}

/**
 * What a thread's last `PUT /threads` body held, for building the next one from it (see
 * `melodiThreadJson`). Kept in arrays the destination bounds, not in a WeakMap keyed by message: that
 * lengthens every major GC's pause (see BENCHMARKS.md, Melodi upserts).
 */
export interface BuiltThread {
  /** The body's messages, in order, each at its index as thread position. */
  readonly messages: TurnMessage[];
  /** Each message's JSON, as in the body. */
  readonly json: string[];
  /** The total length of `json`. */
  chars: number;
  /** Each message's index by id (ids are distinct); made on first use. */
  ids?: Map<string, number>;
  /** How many are user messages (the thread metadata's `turns`). */
  userMessages: number;
  /** The failure marks of its messages (see {@link failureMarks}), kept when a message is written again. */
  marks?: Map<string, JsonObject>;
}

/** The messages `turns` add to a {@link BuiltThread}, with their JSON. */
interface Extension {
  messages: TurnMessage[];
  json: string[];
  chars: number;
  userMessages: number;
}

/**
 * What `turns` add to `built`, or undefined when they do not continue it: the first turn must start with
 * `built`'s messages (the same objects), each message after them must be new (an id not in the body) at
 * the next index, and no failure mark may fall on a message the body holds. The turns after the first skip
 * what they share with the turn before, as `mergeThreadMessages` does. `built` gains only its id map.
 */
function extensionOf(
  turns: readonly Turn[],
  built: BuiltThread,
  marks: Map<string, JsonObject> | undefined,
): Extension | undefined {
  const prior = built.messages;
  const known = prior.length;
  const first = turns[0]!.messages;
  if (sharedPrefix(first, prior) < known) return undefined;
  const ids = idsOf(built);
  if (marks !== undefined) for (const id of marks.keys()) if (ids.has(id)) return undefined;
  const added: TurnMessage[] = [];
  const addedIds = new Set<string>();
  let previous = first;
  for (let t = 0; t < turns.length; t++) {
    const { messages } = turns[t]!;
    let index = known;
    if (t > 0) {
      index = sharedPrefix(messages, previous);
      previous = messages;
    }
    for (; index < messages.length; index++) {
      const message = messages[index]!;
      if (index !== known + added.length || ids.has(message.id) || addedIds.has(message.id)) return undefined;
      addedIds.add(message.id);
      added.push(message);
    }
  }
  const json = new Array<string>(added.length);
  let chars = 0;
  let userMessages = 0;
  for (let i = 0; i < added.length; i++) {
    json[i] = messageJson(added[i]!, known + i, marks?.get(added[i]!.id));
    chars += json[i]!.length;
    if (added[i]!.role === 'user') userMessages++;
  }
  return { messages: added, json, chars, userMessages };
}

/** `built` with `extension` appended, in place. */
function extend(
  built: BuiltThread,
  extension: Extension,
  marks: Map<string, JsonObject> | undefined,
): BuiltThread {
  const ids = idsOf(built);
  for (let i = 0; i < extension.messages.length; i++) {
    const message = extension.messages[i]!;
    ids.set(message.id, built.messages.length);
    built.messages.push(message);
    built.json.push(extension.json[i]!);
  }
  built.chars += extension.chars;
  built.userMessages += extension.userMessages;
  if (marks !== undefined) built.marks = new Map([...(built.marks ?? []), ...marks]);
  return built;
}

function idsOf(built: BuiltThread): Map<string, number> {
  built.ids ??= new Map(built.messages.map((message, index) => [message.id, index]));
  return built.ids;
}

/**
 * A new {@link BuiltThread}: `built`'s messages (their JSON reused) with the ordered union of the turns'
 * messages (see {@link mergeThreadMessages}) merged in: a known id keeps its index and takes the newer
 * copy, a new one is appended. `built` is left as it was (but for its id map).
 */
function rebuilt(
  turns: readonly Turn[],
  marks: Map<string, JsonObject> | undefined,
  built?: BuiltThread,
): BuiltThread {
  const merged = mergeThreadMessages(turns, (turn) => turnOutputStart(turn.messages));
  const messages = built?.messages.slice() ?? [];
  const json = built?.json.slice() ?? [];
  const ids = new Map(built === undefined ? undefined : idsOf(built));
  let kept = built?.marks;
  if (marks !== undefined) kept = new Map([...(kept ?? []), ...marks]);
  for (const { message } of merged) {
    const index = ids.get(message.id);
    if (index === undefined) {
      ids.set(message.id, messages.length);
      json.push(messageJson(message, messages.length, kept?.get(message.id)));
      messages.push(message);
    } else if (messages[index] !== message || marks?.has(message.id)) {
      json[index] = messageJson(message, index, kept?.get(message.id));
      messages[index] = message;
    }
  }
  let chars = 0;
  let userMessages = 0;
  for (let i = 0; i < messages.length; i++) {
    chars += json[i]!.length;
    if (messages[i]!.role === 'user') userMessages++;
  }
  const next: BuiltThread = { messages, json, chars, ids, userMessages };
  if (kept !== undefined) next.marks = kept;
  return next;
}

/**
 * Per message id, what a failed or aborted turn of `turns` puts on its last message's metadata: `status`
 * and `error: { name, message }` (as redacted), the same as on Mielto's. The thread's metadata says it too,
 * but only until the next turn; the message keeps it. `undefined` when every turn went well.
 */
export function failureMarks(turns: readonly Turn[]): Map<string, JsonObject> | undefined {
  let marks: Map<string, JsonObject> | undefined;
  for (const turn of turns) {
    const last = turn.messages[turn.messages.length - 1];
    if (turn.status === 'ok' || last === undefined) continue;
    const mark: JsonObject = { status: turn.status };
    if (turn.error !== undefined) mark.error = { name: turn.error.name, message: turn.error.message };
    marks ??= new Map();
    marks.set(last.id, mark);
  }
  return marks;
}

/** The body: `head` with `projectId`, then the messages' JSON of each part, in order. */
export function threadBody(
  head: Omit<MelodiThreadUpsertParams, 'messages'>,
  projectId: number,
  ...parts: (readonly string[])[]
): JsonText {
  // `head` always has externalId, so the object text is never `{}` and the splice stays valid JSON.
  const rest = JSON.stringify({ ...head, projectId });
  let messages = '';
  for (const part of parts) {
    if (part.length === 0) continue;
    messages += messages === '' ? part.join(',') : `,${part.join(',')}`;
  }
  return new JsonText(`${rest.slice(0, -1)},"messages":[${messages}]}`);
}

/** Everything of the body but its messages: the latest turn's metadata, the latest user. */
export function threadHead(
  turns: readonly Turn[],
  userMessages: number,
): Omit<MelodiThreadUpsertParams, 'messages'> {
  const latest = turns[turns.length - 1]!;
  const head: Omit<MelodiThreadUpsertParams, 'messages'> = {
    externalId: latest.threadId,
    metadata: threadMetadata(latest, userMessages),
  };
  for (let i = turns.length - 1; i >= 0; i--) {
    const user = turns[i]!.user;
    if (user !== undefined) {
      head.externalUser = toMelodiUser(user);
      break;
    }
  }
  return head;
}

/**
 * Text → `markdown`; a message with text and tool calls → one `markdown` message, the text in `content`
 * (what Melodi shows) and `{ toolCalls: [{ id, name, args }] }` in `jsonContent`, as the seed's example
 * message carries both; tool calls without text → `json` `{ toolCalls }`; a tool result → `json`
 * `{ toolCallId, name, output, isError }`.
 */
export function toMelodiMessage(message: TurnMessage, position: number, mark?: JsonObject): MelodiMessage {
  const metadata: JsonObject = { position };
  if (message.createdAt !== undefined) metadata.createdAt = message.createdAt;
  if (message.senderId !== undefined) metadata.senderId = message.senderId;
  if (message.metadata !== undefined) Object.assign(metadata, message.metadata);
  // After the message's own metadata: a failure mark must not be hidden by an app's `status` key.
  if (mark !== undefined) Object.assign(metadata, mark);
  const externalId = message.id;
  const role = String(message.role);
  const content = typeof message.content === 'string' ? message.content : String(message.content ?? '');
  // Object literals with every key in one order, not spreads of a shared base: a spread made each message
  // a slow dictionary object, which cost more to build and to serialise than the rest of the PUT.
  if (message.toolResult !== undefined) {
    const result = message.toolResult;
    const jsonContent: JsonObject = {
      toolCallId: result.toolCallId,
      output: result.output ?? null,
      isError: result.isError ?? false,
    };
    if (result.name !== undefined) jsonContent.name = result.name;
    return { externalId, role, metadata, type: 'json', jsonContent };
  }
  if (Array.isArray(message.toolCalls) && message.toolCalls.length > 0) {
    const jsonContent: JsonObject = {
      toolCalls: message.toolCalls.map((call) => ({ id: call.id, name: call.name, args: call.args ?? null })),
    };
    if (content !== '') return { externalId, role, metadata, type: 'markdown', content, jsonContent };
    return { externalId, role, metadata, type: 'json', jsonContent };
  }
  return { externalId, role, metadata, type: 'markdown', content };
}

export function toMelodiUser(user: TurnUser): MelodiExternalUser {
  const external: MelodiExternalUser = { externalId: user.id };
  if (user.email !== undefined) external.email = user.email;
  if (user.name !== undefined) external.name = user.name;
  if (user.username !== undefined) external.username = user.username;
  if (user.segments !== undefined) external.segments = { ...user.segments };
  return external;
}

function threadMetadata(turn: Turn, userMessages: number): JsonObject {
  const metadata: JsonObject = { status: turn.status, source: turn.source, turns: userMessages };
  if (turn.model?.id !== undefined) metadata.model = turn.model.id;
  if (turn.model?.provider !== undefined) metadata.provider = turn.model.provider;
  const latency = latencyMs(turn);
  if (latency !== undefined) metadata.latency_ms = latency;
  const usage = turn.usage;
  if (usage?.inputTokens !== undefined) metadata.input_tokens = usage.inputTokens;
  if (usage?.outputTokens !== undefined) metadata.output_tokens = usage.outputTokens;
  if (usage?.totalTokens !== undefined) metadata.total_tokens = usage.totalTokens;
  if (turn.timeToFirstTokenMs !== undefined) metadata.time_to_first_token_ms = turn.timeToFirstTokenMs;
  if (turn.error !== undefined) {
    metadata.error_name = turn.error.name;
    metadata.error_message = turn.error.message;
  }
  if (turn.metadata !== undefined) {
    // The turn's own metadata, flattened to what Melodi filters by: strings and numbers stay, booleans
    // become 'true'/'false', nested values their JSON text; null is left out. The keys above win a clash,
    // so filtering by model or status means the same for every thread.
    for (const [key, value] of Object.entries(turn.metadata)) {
      if (value === null || key === '__proto__' || Object.hasOwn(metadata, key)) continue;
      metadata[key] = flatValue(value);
    }
  }
  return metadata;
}

function flatValue(value: JsonValue): string | number {
  if (typeof value === 'string' || typeof value === 'number') return value;
  return typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}
