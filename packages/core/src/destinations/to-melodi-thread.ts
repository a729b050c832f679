import { JsonText } from '../http/json-text';
import type { MelodiExternalUser, MelodiMessage, MelodiThreadUpsertParams } from '../melodi/melodi-models';
import type { JsonObject, JsonValue, Turn, TurnMessage, TurnUser } from '../spec/turn';
import { turnOutputStart } from '../thread/turn-output-start';
import { mergeThreadMessages, sharedPrefix, type ThreadMessage } from './merge-thread-messages';
import { latencyMs } from './to-mielto-message';

/**
 * The `PUT /threads` body for the turns of one thread in a batch: the full thread as known (the ordered
 * union by message id of the turns' messages, the latest copy of each winning), each message with our
 * stable id as `externalId`, so the upsert is idempotent whether Melodi replaces or merges.
 *
 * Thread `metadata` stays flat strings and numbers (what Melodi filters and segments by) and describes the
 * latest turn, except `turns`: the number of user messages in the thread, which is stable across resends
 * and processes.
 */
export function toMelodiThread(turns: readonly Turn[]): MelodiThreadUpsertParams {
  const { merged, head } = threadParts(turns);
  return { ...head, messages: merged.map((entry) => toMelodiMessage(entry.message, entry.position)) };
}

/**
 * The same body as `{ ...toMelodiThread(turns), projectId }`, as JSON text built from the thread's
 * previous body where it can: the thread is resent whole on every turn, and serialising it again each time
 * made a long thread's PUT cost grow with its length. The trail's thread log hands a thread's turns the
 * same message objects for their shared history and never changes a message once recorded, so the JSON
 * kept for an object at a position stays right.
 *
 * `built`: what the thread's previous body held (see {@link BuiltThread}). When the turns carry it as their
 * first messages (the same objects), only the messages after it are looked at, and `built` is extended in
 * place and returned; otherwise the thread is merged from the turns (reusing `built`'s JSON for each message
 * still at its index) and a new one is returned (none when a message is not at its index: a regenerated
 * answer beside the one it replaced). The body is the same either way, and `built` is left as it was when
 * building throws.
 */
export function melodiThreadJson(
  turns: readonly Turn[],
  projectId: number,
  built?: BuiltThread,
): { body: JsonText; messages: number; built?: BuiltThread } {
  const extension = built !== undefined ? extensionOf(turns, built) : undefined;
  if (built !== undefined && extension !== undefined) {
    // Everything that may throw (a turn's metadata, say) comes before `built` changes.
    const head = threadHead(turns, built.userMessages + extension.userMessages);
    const body = threadBody(head, projectId, built.json, extension.json);
    for (let i = 0; i < extension.messages.length; i++) {
      const message = extension.messages[i]!;
      built.messages.push(message);
      built.json.push(extension.json[i]!);
      built.ids?.add(message.id);
    }
    built.chars += extension.chars;
    built.userMessages += extension.userMessages;
    return { body, messages: built.messages.length, built };
  }
  const { merged, head, userMessages } = threadParts(turns);
  const json: string[] = new Array(merged.length);
  const kept = built?.messages ?? [];
  let indexed = true;
  let chars = 0;
  for (let i = 0; i < merged.length; i++) {
    const { message, position } = merged[i]!;
    const reused = i < kept.length && kept[i] === message && position === i;
    json[i] = reused ? built!.json[i]! : messageJson(message, position);
    chars += json[i]!.length;
    if (position !== i) indexed = false;
  }
  const body = threadBody(head, projectId, json);
  if (!indexed) return { body, messages: merged.length };
  // No id set yet: it is built when a next body extends this one, so a thread whose turns never share
  // message objects (a `redact` copy, `captureContent: false`) costs only the array of its messages.
  const next: BuiltThread = { messages: merged.map((entry) => entry.message), json, chars, userMessages };
  return { body, messages: merged.length, built: next };
}

/** A message's JSON in a body, at its thread position. */
function messageJson(message: TurnMessage, position: number): string {
  return JSON.stringify(toMelodiMessage(message, position));
}

/**
 * What a thread's last `PUT /threads` body held, for building the next one from it (see
 * `melodiThreadJson`): the next turn of the thread carries these same message objects first, so only its
 * new messages need looking at. Only for bodies whose positions are their indexes, so a message's JSON
 * depends on nothing but the message and its index. Kept in arrays the destination bounds, not in a
 * WeakMap keyed by message: that lengthens every major GC's pause (see BENCHMARKS.md, Melodi upserts).
 */
export interface BuiltThread {
  /** The body's messages, in order, each at its index as thread position. */
  readonly messages: TurnMessage[];
  /** Each message's JSON, as in the body. */
  readonly json: string[];
  /** The total length of `json`. */
  chars: number;
  /** The messages' ids, all distinct; made by the first extension. */
  ids?: Set<string>;
  /** How many are user messages (the thread metadata's `turns`). */
  userMessages: number;
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
 * `built`'s messages (the same objects), and each message after them must be new (an id not in the body,
 * which leaves the messages before it as they were) at the next index. The turns after the first skip
 * what they share with the turn before, as `mergeThreadMessages` does. `built` gains only its id set.
 */
function extensionOf(turns: readonly Turn[], built: BuiltThread): Extension | undefined {
  const prior = built.messages;
  const known = prior.length;
  const first = turns[0]!.messages;
  if (sharedPrefix(first, prior) < known) return undefined;
  built.ids ??= new Set(prior.map((message) => message.id));
  const ids = built.ids;
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
    json[i] = messageJson(added[i]!, known + i);
    chars += json[i]!.length;
    if (added[i]!.role === 'user') userMessages++;
  }
  return { messages: added, json, chars, userMessages };
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

/** Everything of the body but the mapped messages (the turns' messages merged, see {@link mergeThreadMessages}). */
function threadParts(turns: readonly Turn[]): {
  merged: ThreadMessage[];
  head: Omit<MelodiThreadUpsertParams, 'messages'>;
  userMessages: number;
} {
  const merged = mergeThreadMessages(turns, (turn) => turnOutputStart(turn.messages));
  let userMessages = 0;
  for (const entry of merged) if (entry.message.role === 'user') userMessages++;
  return { merged, head: threadHead(turns, userMessages), userMessages };
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
export function toMelodiMessage(message: TurnMessage, position: number): MelodiMessage {
  const metadata: JsonObject = { position };
  if (message.createdAt !== undefined) metadata.createdAt = message.createdAt;
  if (message.senderId !== undefined) metadata.senderId = message.senderId;
  if (message.metadata !== undefined) Object.assign(metadata, message.metadata);
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
