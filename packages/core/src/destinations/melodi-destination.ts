import { ChatTrailError } from '../errors';
import type { RequestOptions } from '../http/http-options';
import { isAmbiguousError } from '../http/is-ambiguous-error';
import type { JsonText } from '../http/json-text';
import { LruMap } from '../internal/lru-map';
import { runWithConcurrency } from '../internal/run-with-concurrency';
import { SerialByKey } from '../internal/serial-by-key';
import { MelodiClient } from '../melodi/melodi-client';
import type { MelodiFeedbackCreate } from '../melodi/melodi-models';
import type { ChatTrailFeedback } from '../spec/chat-trail';
import type {
  ChatTrailDestination,
  DeliveryItem,
  DeliveryOutcome,
  DestinationSendContext,
} from '../spec/chat-trail-destination';
import type { DestinationStore } from '../spec/chat-trail-store';
import { classifyDeliveryError } from './classify-delivery-error';
import { type ClientDestinationOptions, clientDestination } from './client-destination-options';
import { groupByThread, type ThreadGroup, wholeTurns } from './group-by-thread';
import { mergeThreadMessages } from './merge-thread-messages';
import {
  type BuiltThread,
  melodiThreadJson,
  threadBody,
  threadHead,
  toMelodiMessage,
  toMelodiUser,
} from './to-melodi-thread';

// The memory's bounds are the log's (a thread twice its per-thread bound): what the log keeps is kept.
const MAX_THREADS = 10_000;
const MEMORY_MAX_CHARS = 16 * 1024 * 1024;
const MEMORY_MAX_THREAD_CHARS = 4 * 1024 * 1024;
const SHARED_MAX_CHARS = 8 * 1024 * 1024;

/** Options of {@link melodi}. */
export interface MelodiDestinationOptions extends ClientDestinationOptions<MelodiClient> {
  /** Default: `MELODI_API_KEY`. Ignored when `client` is given. */
  apiKey?: string;
  /** The project threads and feedback go to. Default: the client's, else `MELODI_PROJECT_ID`. Required. */
  projectId?: number;
  /** Default: `MELODI_BASE_URL`, else `https://app.melodi.fyi/api/external`. Ignored when `client` is given. */
  baseUrl?: string;
  /** Threads upserted in parallel within one batch. Default 8. */
  concurrency?: number;
  /** @deprecated No effect: each `PUT /threads` carries the whole thread from the trail's log. */
  maxKeptMessages?: number;
  /** Name in stats, logs and errors. Default `'melodi'`. */
  name?: string;
}

/**
 * The Melodi destination: one idempotent `PUT /threads` per thread per batch with the full thread, one in
 * flight per thread. Feedback follows its thread's upsert. A 413 cannot be split (half a thread would
 * replace it): `dropped.too_large`. At-least-once: an ambiguous request is resent.
 */
export class MelodiDestination implements ChatTrailDestination {
  readonly name: string;
  readonly acceptsFeedback = true;
  readonly projectId: number;
  readonly #client: MelodiClient;
  readonly #requestOptions: (context: DestinationSendContext) => RequestOptions;
  readonly #concurrency: number;
  /** Per thread, the last body that may have landed. */
  readonly #memory = new LruMap<string, BuiltThread>(MAX_THREADS, undefined, {
    of: (built) => built.chars,
    max: MEMORY_MAX_CHARS,
  });
  /** Per thread, whoever calls `send` (a destination shared by two trails included). */
  readonly #putting = new SerialByKey();
  /** With a shared store: per thread, what the store holds (trimmed to SHARED_MAX_CHARS after each batch). */
  readonly #shared = new LruMap<string, SharedThread>(MAX_THREADS, undefined, {
    of: (thread) => thread.chars,
  });

  /** @throws {ChatTrailError} when no API key or project id is given or found in the environment. */
  constructor(options: MelodiDestinationOptions = {}) {
    const { apiKey, projectId: given, baseUrl } = options;
    const { check, name, client, requestOptions } = clientDestination(
      this,
      'melodi',
      options,
      (http) => new MelodiClient({ ...http, apiKey, projectId: given, baseUrl }),
      { discardResponse: true },
    );
    this.name = name;
    this.#client = client;
    this.#requestOptions = requestOptions;
    const projectId = given ?? client.projectId;
    if (projectId === undefined || !Number.isInteger(projectId) || projectId <= 0) {
      throw new ChatTrailError(
        `melodi(): a positive integer projectId is required. Pass { projectId } or set MELODI_PROJECT_ID (got ${String(projectId)}).`,
      );
    }
    this.projectId = projectId;
    this.#concurrency = check.positiveInteger('concurrency', options.concurrency, 8);
    check.nonNegativeInteger('maxKeptMessages', options.maxKeptMessages, 0);
  }

  async send(items: readonly DeliveryItem[], context: DestinationSendContext): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = new Array(items.length);
    const threadOutcomes = new Map<string, DeliveryOutcome>();
    const groups = groupByThread(items);
    const shared =
      context.store === undefined
        ? undefined
        : await sharedBodies(this.#shared, groups, context.store, this.projectId).catch(() => undefined);
    await runWithConcurrency(groups, this.#concurrency, async (group) => {
      const outcome = await this.#upsert(group, context, shared?.get(group.threadId));
      threadOutcomes.set(group.threadId, outcome);
      group.settle(outcomes, outcome);
    });
    await runWithConcurrency(items, this.#concurrency, async (item, index) => {
      if (item.type !== 'feedback') return;
      const thread = threadOutcomes.get(item.feedback.threadId);
      // Feedback for a thread whose upsert did not land would only earn a 404; its messages count there.
      if (thread === undefined || thread.status === 'sent') {
        outcomes[index] = await this.#sendFeedback(item.feedback, context);
      } else outcomes[index] = thread.status === 'dropped' ? { ...thread, messages: 0 } : thread;
    });
    return outcomes;
  }

  #upsert(group: ThreadGroup, context: DestinationSendContext, shared?: JsonText): Promise<DeliveryOutcome> {
    return this.#putting.run(group.threadId, async () => {
      let thread: ReturnType<typeof melodiThreadJson> | undefined;
      let outcome: DeliveryOutcome;
      try {
        if (shared === undefined) {
          thread = melodiThreadJson(wholeTurns(group), this.projectId, this.#memory.get(group.threadId));
        }
        context.onRequest();
        await this.#client.threads.upsertJson(thread?.body ?? shared!, this.#requestOptions(context));
        const messages = thread?.messages ?? group.turns.reduce((n, turn) => n + turn.messages.length, 0);
        outcome = { status: 'sent', messages };
      } catch (error) {
        // Resent with the batch's retry all the same: the upsert is idempotent.
        if (isAmbiguousError(error)) context.onAmbiguous();
        outcome = classifyDeliveryError(error);
      }
      // The next body starts from the last that may have landed, a failed one too (not a too large one).
      if (thread !== undefined && !(outcome.status === 'dropped' && outcome.reason === 'too_large')) {
        const built = thread.keep();
        this.#memory.delete(group.threadId); // set anew: the newest, so not the one evicted for room
        if (built.chars <= MEMORY_MAX_THREAD_CHARS) this.#memory.set(group.threadId, built);
      }
      return outcome;
    });
  }

  async #sendFeedback(
    feedback: ChatTrailFeedback,
    context: DestinationSendContext,
  ): Promise<DeliveryOutcome> {
    const body: MelodiFeedbackCreate = {
      feedbackType: feedback.type === 'positive' ? 'POSITIVE' : 'NEGATIVE',
      externalThreadId: feedback.threadId,
      projectId: this.projectId,
    };
    if (feedback.messageId !== undefined) body.externalMessageId = feedback.messageId;
    if (feedback.text !== undefined) body.feedbackText = feedback.text;
    if (feedback.user !== undefined) body.externalUser = toMelodiUser(feedback.user);
    if (feedback.attributes !== undefined) body.attributes = { ...feedback.attributes };
    try {
      context.onRequest();
      await this.#client.feedback.create(body, this.#requestOptions(context));
      return { status: 'sent' };
    } catch (error) {
      if (isAmbiguousError(error)) context.onAmbiguous();
      return classifyDeliveryError(error);
    }
  }
}

/**
 * The Melodi destination for `createChatTrail({ destinations: [...] })`.
 * @example
 * createChatTrail({ destinations: [melodi({ apiKey: process.env.MELODI_API_KEY, projectId: 123 })] });
 * @throws {ChatTrailError} when no API key or project id is given or found in the environment.
 */
export function melodi(options: MelodiDestinationOptions = {}): MelodiDestination {
  return new MelodiDestination(options);
}

/** Where `toMelodiMessage` puts the thread position. */
const POSITION = /"metadata":\{"position":(\d+)/;

/** A thread as the shared store holds it, in store order. */
interface SharedThread {
  ids: Set<string>;
  lastId?: string;
  json: string[];
  positions: number[];
  /** `positions` only ever grew: store order is thread order. */
  sorted: boolean;
  chars: number;
  users: number;
}

/** Each thread's body, every message any instance stored, in one round trip; undefined: no answer. */
async function sharedBodies(
  threads: LruMap<string, SharedThread>,
  groups: readonly ThreadGroup[],
  store: DestinationStore,
  projectId: number,
): Promise<Map<string, JsonText> | undefined> {
  const known = groups.map((group) => threads.get(group.threadId));
  // The whole thread, not only new messages: what went out while the store was down is not in it yet.
  const entries = groups.map((group, i) =>
    mergeThreadMessages(wholeTurns(group), (message) => known[i]?.ids.has(message.id) === true).map(
      (entry) => ({
        id: entry.message.id,
        body: JSON.stringify(toMelodiMessage(entry.message, entry.position)),
      }),
    ),
  );
  const answer = await store.sync(
    groups.map((group, i) => ({
      threadId: group.threadId,
      entries: entries[i]!,
      from: known[i]?.json.length ?? 0,
      ...(known[i]?.lastId === undefined ? {} : { fromId: known[i]!.lastId }),
    })),
  );
  if (answer === undefined) return undefined;
  const bodies = new Map<string, JsonText>();
  groups.forEach((group, i) => {
    const state = answer.threads[i]!;
    const before = known[i];
    // Grows in place; a store that lost the thread gets what this process knew first, so no PUT drops one.
    const thread: SharedThread =
      before !== undefined && (state.start ?? 0) === before.json.length
        ? before
        : { ids: new Set(), json: [], positions: [], sorted: true, chars: 0, users: 0 };
    const add = (id: string, json: string): void => {
      if (thread.ids.has(id)) return;
      const position = Number(POSITION.exec(json)?.[1] ?? 0);
      if (position < (thread.positions[thread.positions.length - 1] ?? 0)) thread.sorted = false;
      thread.ids.add(id);
      thread.lastId = id;
      thread.json.push(json);
      thread.positions.push(position);
      thread.chars += json.length;
      if (isUserMessage(json)) thread.users++;
    };
    if (before !== undefined && thread !== before) {
      const keep = (state.start ?? 0) > 0 ? before.json.slice(0, state.start) : before.json;
      for (const json of keep) add(idOf(json), json);
    }
    for (const json of state.tail ?? []) add(idOf(json), json);
    for (const [j, entry] of entries[i]!.entries()) if (state.added[j]) add(entry.id, entry.body);
    threads.set(group.threadId, thread);
    // A stable sort: an edit after its original.
    const { json, positions } = thread;
    const ordered = thread.sorted
      ? json
      : positions
          .map((_, j) => j)
          .sort((x, y) => positions[x]! - positions[y]!)
          .map((j) => json[j]!);
    bodies.set(group.threadId, threadBody(threadHead(group.turns, thread.users), projectId, ordered));
  });
  while (threads.weight > SHARED_MAX_CHARS && threads.evictOldest() !== undefined) {}
  return bodies;
}

/** `toMelodiMessage` puts `externalId` first. */
function idOf(json: string): string {
  const end = json.indexOf('","role":"');
  return JSON.parse(json.slice('{"externalId":'.length, end + 1)) as string;
}

/** `role` is the second key. */
function isUserMessage(json: string): boolean {
  return json.startsWith('","role":"user"', json.indexOf('","role":"'));
}
