import { JsonText } from '../http/json-text';
import type { MelodiExternalUser, MelodiMessage, MelodiThreadUpsertParams } from '../melodi/melodi-models';
import type { JsonObject, JsonValue, Turn, TurnMessage, TurnUser } from '../spec/turn';
import { mergeThreadMessages, sharedPrefix } from './merge-thread-messages';
import { latencyMs } from './to-mielto-message';

/** The `PUT /threads` body of a thread's turns: the union of their messages, idempotent by `externalId`. */
export function toMelodiThread(turns: readonly Turn[]): MelodiThreadUpsertParams {
  const built = rebuilt(turns, failureMarks(turns));
  return {
    ...threadHead(turns, built.userMessages),
    messages: built.json.map((json) => JSON.parse(json) as MelodiMessage),
  };
}

/** The next body: `built` (the last) with the turns' messages it lacks added; `keep()` it for the next. */
export function melodiThreadJson(turns: readonly Turn[], projectId: number, built?: BuiltThread) {
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

function messageJson(message: TurnMessage, position: number, mark: JsonObject | undefined): string {
  return JSON.stringify(toMelodiMessage(message, position, mark));
}

/** What a thread's last body held. Arrays, not a WeakMap keyed by message (GC pauses, BENCHMARKS.md). */
export interface BuiltThread {
  /** Each at its index as thread position. */
  readonly messages: TurnMessage[];
  readonly json: string[];
  chars: number;
  /** Made on first use. */
  ids?: Map<string, number>;
  userMessages: number;
  /** Kept for when a message is written again. */
  marks?: Map<string, JsonObject>;
}

/** The messages `turns` add to a {@link BuiltThread}, with their JSON. */
type Extension = Pick<BuiltThread, 'messages' | 'json' | 'chars' | 'userMessages'>;
type Marks = Map<string, JsonObject> | undefined;
type ThreadHead = Omit<MelodiThreadUpsertParams, 'messages'>;

/** What `turns` add to `built`, or undefined unless they continue it (the same message objects first). */
function extensionOf(turns: readonly Turn[], built: BuiltThread, marks: Marks): Extension | undefined {
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
  const json = added.map((message, i) => messageJson(message, known + i, marks?.get(message.id)));
  return { messages: added, json, ...tally(added, json) };
}

/** `built` with `extension` appended, in place. */
function extend(built: BuiltThread, extension: Extension, marks: Marks): BuiltThread {
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

/** A new {@link BuiltThread}: `built`'s messages (JSON reused) with the turns' merged in, by id. */
function rebuilt(turns: readonly Turn[], marks: Marks, built?: BuiltThread): BuiltThread {
  const merged = mergeThreadMessages(turns);
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
  const next: BuiltThread = { messages, json, ids, ...tally(messages, json) };
  if (kept !== undefined) next.marks = kept;
  return next;
}

function tally(messages: readonly TurnMessage[], json: readonly string[]) {
  let chars = 0;
  let userMessages = 0;
  for (let i = 0; i < messages.length; i++) {
    chars += json[i]!.length;
    if (messages[i]!.role === 'user') userMessages++;
  }
  return { chars, userMessages };
}

/** Per message id, the `status` and `error` a failed turn puts on its last message (metadata moves on). */
function failureMarks(turns: readonly Turn[]): Marks {
  let marks: Marks;
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

export function threadBody(head: ThreadHead, projectId: number, ...parts: (readonly string[])[]): JsonText {
  // `head` always has externalId, so the splice stays valid JSON.
  const rest = JSON.stringify({ ...head, projectId });
  return new JsonText(`${rest.slice(0, -1)},"messages":[${parts.flat().join(',')}]}`);
}

/** The body but its messages: the latest turn's metadata and user. */
export function threadHead(turns: readonly Turn[], userMessages: number): ThreadHead {
  const latest = turns[turns.length - 1]!;
  const head: ThreadHead = { externalId: latest.threadId, metadata: threadMetadata(latest, userMessages) };
  const user = turns.findLast((turn) => turn.user !== undefined)?.user;
  if (user !== undefined) head.externalUser = toMelodiUser(user);
  return head;
}

/** Text → `markdown`; tool calls → `jsonContent`, with `markdown` when there is text (the seed's example). */
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
  // Literals with keys in one order, not spreads: a spread made each a slow dictionary object.
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
    // Flattened to what Melodi filters by; the keys above win, so a filter means the same for every thread.
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
