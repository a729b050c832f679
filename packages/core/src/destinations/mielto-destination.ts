import { NotFoundError, PayloadTooLargeError } from '../errors';
import type { RequestOptions } from '../http/http-options';
import { isAmbiguousError } from '../http/is-ambiguous-error';
import { LruMap } from '../internal/lru-map';
import { messageOf } from '../internal/message-of';
import { runWithConcurrency } from '../internal/run-with-concurrency';
import { MieltoClient } from '../mielto/mielto-client';
import type {
  ChatTrailDestination,
  DeliveryItem,
  DeliveryOutcome,
  DestinationSendContext,
} from '../spec/chat-trail-destination';
import { loggedHistoryEnd } from '../thread/logged-history-end';
import { classifyDeliveryError } from './classify-delivery-error';
import { type ClientDestinationOptions, clientDestination } from './client-destination-options';
import { type ConversationStore, InMemoryConversationStore } from './conversation-store';
import { groupByThread, type ThreadGroup, wholeTurns } from './group-by-thread';
import { mergeThreadMessages, type ThreadMessage } from './merge-thread-messages';
import { type LookAhead, MieltoConversationResolver } from './mielto-conversation-resolver';
import { primeFromStore, settleShared } from './mielto-shared-state';
import { toMieltoMessage } from './to-mielto-message';

/** Options of {@link mielto}. */
export interface MieltoDestinationOptions extends ClientDestinationOptions<MieltoClient> {
  /** Default: `MIELTO_API_KEY`. Ignored when `client` is given. */
  apiKey?: string;
  /** Default: `MIELTO_BASE_URL`, else `https://api.mielto.com/api/v1`. Ignored when `client` is given. */
  baseUrl?: string;
  /** Sent as `X-Workspace-Id`; only for keys with several workspaces. Ignored when `client` is given. */
  workspaceId?: string;
  /** `sender_id` of assistant, tool and system messages. Default `'assistant'`. */
  agentId?: string;
  /** Whether Mielto extracts memories from the messages (`enable_memories`). Default false. */
  enableMemories?: boolean;
  /** Where thread → conversation ids are kept. Default: an in-memory LRU of 10,000 threads. */
  conversationStore?: ConversationStore;
  /** Messages per `POST /messages`; a thread with more new messages is sent in ordered chunks. Default 100. */
  maxMessagesPerRequest?: number;
  /** Pages of 1,000 conversations searched by `meta_data.thread_id` before creating one. 0: off. Default 3. */
  lookupPages?: number;
  /** Threads whose sent-message cursor is kept (LRU). Default 10,000. */
  maxTrackedThreads?: number;
  /** Message ids kept across all cursors (~40 bytes each), oldest threads first out. Default 250,000. */
  maxTrackedMessages?: number;
  /** Threads written in parallel per batch (new threads get as many slots again). Default 8. */
  concurrency?: number;
  /**
   * A `POST /messages` whose outcome is unknown (counted in `stats().ambiguous`): `'at-most-once'` (default)
   * takes it as stored, so it may be lost; `'at-least-once'` resends it, so it may be stored twice
   * (de-duplicate by `meta_data.chattrail_message_id`). A conversation is never created twice.
   */
  delivery?: 'at-most-once' | 'at-least-once';
  /** Name in stats, logs and errors. Default `'mielto'`. */
  name?: string;
}

/** What the destination remembers about a thread it has written to. */
export interface ThreadCursor {
  conversationId: string;
  /** Ids of the messages already in the conversation (sent, or assumed logged by an earlier process). */
  sent: Set<string>;
  /** The conversation is new: the turns' earlier thread goes to it too, until one write went through. */
  whole: boolean;
}

const DELIVERY = ['at-most-once', 'at-least-once'] as const;
// One object for every turn (a batch may hold thousands).
const SENT: DeliveryOutcome = Object.freeze({ status: 'sent' });
const STOPPING: DeliveryOutcome = Object.freeze({
  status: 'retry',
  error: new Error('not started: the trail is shutting down'),
});

/** What one thread's requests achieved, so a failure half-way still reports the rest. */
interface ThreadProgress {
  context: DestinationSendContext;
  written: number;
  tooLarge: number;
  /** The conversation is known: a 404 from here on means it is gone. */
  resolved: boolean;
}

/**
 * The Mielto destination: per thread of a batch, finds or creates its conversation and appends in order the
 * messages it lacks. A chunk answered 413 is halved; a single message still too large is `too_large`.
 */
export class MieltoDestination implements ChatTrailDestination {
  readonly name: string;
  readonly acceptsFeedback = false;
  readonly #client: MieltoClient;
  readonly #conversations: MieltoConversationResolver;
  /** Weighed by `sent` after each write of the thread (see `maxTrackedMessages`). */
  readonly #cursors: LruMap<string, ThreadCursor>;
  readonly #agentId: string;
  readonly #enableMemories: boolean;
  readonly #maxPerRequest: number;
  readonly #concurrency: number;
  readonly #atLeastOnce: boolean;
  readonly #requestOptions: (context: DestinationSendContext) => RequestOptions;

  /** @throws {ChatTrailError} when no API key is given or found in `MIELTO_API_KEY`, or an option is malformed. */
  constructor(options: MieltoDestinationOptions = {}) {
    const { apiKey, baseUrl, workspaceId } = options;
    const { check, name, client, requestOptions } = clientDestination(
      this,
      'mielto',
      options,
      (http) => new MieltoClient({ ...http, apiKey, baseUrl, workspaceId }),
    );
    this.name = name;
    this.#client = client;
    this.#requestOptions = requestOptions;
    const store = options.conversationStore;
    if (store !== undefined && (typeof store?.get !== 'function' || typeof store.set !== 'function')) {
      check.fail('conversationStore', 'an object with get() and set()', store);
    }
    // Bounded: a forgotten cursor costs a store lookup, never a duplicate (see #cursorFor).
    const maxThreads = check.positiveInteger('maxTrackedThreads', options.maxTrackedThreads, 10_000);
    const max = check.positiveInteger('maxTrackedMessages', options.maxTrackedMessages, 250_000);
    this.#cursors = new LruMap(maxThreads, undefined, { of: (cursor) => cursor.sent.size, max });
    this.#agentId = check.string('agentId', options.agentId) ?? 'assistant';
    this.#maxPerRequest = check.positiveInteger('maxMessagesPerRequest', options.maxMessagesPerRequest, 100);
    this.#concurrency = check.positiveInteger('concurrency', options.concurrency, 8);
    this.#atLeastOnce =
      check.oneOf('delivery', options.delivery, DELIVERY, 'at-most-once') === 'at-least-once';
    this.#enableMemories = check.boolean('enableMemories', options.enableMemories, false);
    this.#conversations = new MieltoConversationResolver({
      name: this.name,
      client: this.#client,
      store: store ?? new InMemoryConversationStore(),
      agentId: this.#agentId,
      lookupPages: check.nonNegativeInteger('lookupPages', options.lookupPages, 3),
      requestOptions: this.#requestOptions,
    });
  }

  async send(items: readonly DeliveryItem[], context: DestinationSendContext): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = items.map((item) =>
      item.type === 'turn'
        ? SENT
        : { status: 'dropped', reason: 'internal_error', error: new Error('Mielto takes no feedback') },
    );
    const groups = groupByThread(items);
    const { store } = context;
    const shared =
      store === undefined
        ? undefined
        : await primeFromStore(groups, store, this.#cursors, this.#conversations, this.#concurrency, context);
    const isKnown = ({ threadId }: ThreadGroup) =>
      shared?.outcomes.has(threadId) === true || this.#cursors.peek(threadId) !== undefined;
    const known = groups.filter(isKnown);
    const unknown = groups.filter((group) => !isKnown(group));
    // Threads without a cursor are looked up ahead, so a new thread does not hold a slot through its lookup.
    const ahead: LookAhead = new Map();
    const lookingAhead = runWithConcurrency(unknown, this.#concurrency, async (group) => {
      // A failure is the thread's own append's to report.
      await this.#conversations.found(group, ahead, context).catch(() => undefined);
    });
    const sendGroup = async (group: ThreadGroup): Promise<void> => {
      const outcome = shared?.outcomes.get(group.threadId) ?? (await this.#sendThread(group, context, ahead));
      const cursor = this.#cursors.peek(group.threadId);
      if (cursor !== undefined) this.#cursors.set(group.threadId, cursor);
      group.settle(outcomes, outcome);
    };
    // Known and new threads have slots of their own: in one pool the known queued behind every creation.
    await Promise.all([
      runWithConcurrency(known, this.#concurrency, sendGroup),
      runWithConcurrency(unknown, this.#concurrency, sendGroup),
    ]);
    await lookingAhead;
    if (shared !== undefined) await settleShared(shared, store!, this.#cursors);
    return outcomes;
  }

  /** Never rejects: every failure becomes the thread's outcome. */
  async #sendThread(
    group: ThreadGroup,
    context: DestinationSendContext,
    ahead: LookAhead,
  ): Promise<DeliveryOutcome> {
    // Shutting down: a thread not started waits in the queue (or the spool); one started finishes if it can.
    if (context.stopping?.aborted === true) return STOPPING;
    const progress: ThreadProgress = { context, written: 0, tooLarge: 0, resolved: false };
    try {
      try {
        await this.#appendPending(group, progress, ahead);
      } catch (error) {
        // The conversation was deleted at Mielto (or the mapping is stale): write the thread into a new one,
        // once. A 404 of the lookup or the creation (a wrong base URL, say) is an error like any other.
        if (!(error instanceof NotFoundError) || !progress.resolved || progress.written > 0) throw error;
        const stale = this.#cursors.get(group.threadId);
        context.debug(
          `${this.name}: conversation ${stale?.conversationId} of thread ${group.threadId} is gone (404); starting a new one`,
        );
        this.#cursors.delete(group.threadId);
        await this.#conversations.storeDelete(group.threadId, context);
        await this.#appendPending(group, progress, ahead, true);
      }
      const { tooLarge, written: messages } = progress;
      if (tooLarge === 0) return { status: 'sent', messages };
      const error = new Error(`${tooLarge} message(s) of thread ${group.threadId} exceeded the body limit`);
      return { status: 'dropped', reason: 'too_large', messages, error };
    } catch (error) {
      return classifyDeliveryError(error, progress.written);
    }
  }

  /** Appends, in order and in chunks, the messages of the group's turns its conversation lacks. */
  async #appendPending(group: ThreadGroup, progress: ThreadProgress, ahead: LookAhead, fresh = false) {
    const cursor = await this.#cursorFor(group, progress.context, ahead, fresh);
    progress.resolved = true;
    const pending = mergeThreadMessages(
      cursor.whole ? wholeTurns(group) : group.turns,
      (message) => cursor.sent.has(message.id),
      cursor.whole ? undefined : group.starts,
    );
    for (let start = 0; start < pending.length; start += this.#maxPerRequest) {
      await this.#append(cursor, pending.slice(start, start + this.#maxPerRequest), progress);
    }
    cursor.whole = false;
  }

  /** The thread's cursor; `fresh`: its conversation is gone, so a new one is created without asking around. */
  async #cursorFor(group: ThreadGroup, context: DestinationSendContext, ahead: LookAhead, fresh: boolean) {
    const known = this.#cursors.get(group.threadId);
    if (known !== undefined) return known;
    const first = group.turns[0]!;
    const { conversationId, created } = fresh
      ? await this.#conversations.createConversation(first, context)
      : ((await this.#conversations.found(group, ahead, context)) ??
        (await this.#conversations.createOnce(first, context)));
    const cursor: ThreadCursor = { conversationId, sent: new Set(), whole: created };
    // Weighed empty: its ids count once the thread is written.
    this.#cursors.set(group.threadId, cursor);
    if (!created) {
      // What an earlier turn must have logged is assumed logged; a turn of new messages says so by its `start`.
      const logged = loggedHistoryEnd(first.messages);
      for (let i = 0; i < logged; i++) cursor.sent.add(first.messages[i]!.id);
      const before = logged + group.starts[0]!;
      if (before > 0)
        context.debug(`${this.name}: thread ${group.threadId} continues; ${before} messages assumed logged`);
    }
    return cursor;
  }

  /** Appends one chunk in order; on 413 splits it in halves, skipping single messages that still fail. */
  async #append(cursor: ThreadCursor, chunk: ThreadMessage[], progress: ThreadProgress): Promise<void> {
    const { context } = progress;
    try {
      context.onRequest();
      await this.#client.messages.create(
        {
          conversation_id: cursor.conversationId,
          content: chunk.map((entry) => toMieltoMessage(entry, this.#agentId)),
          enable_memories: this.#enableMemories,
        },
        // The client must not resend a POST whose outcome is unknown, and only the status matters.
        { ...this.#requestOptions(context), retryAmbiguous: false, discardResponse: true },
      );
    } catch (error) {
      if (isAmbiguousError(error)) {
        context.onAmbiguous(error, !this.#atLeastOnce);
        if (this.#atLeastOnce) throw error;
        // At most once: a second copy could not be told apart (Mielto takes no idempotency key).
        for (const entry of chunk) cursor.sent.add(entry.message.id);
        context.debug(
          `${this.name}: ${chunk.length} message(s) of conversation ${cursor.conversationId} may not be stored (${messageOf(error)}); not sent again (at-most-once)`,
        );
        return;
      }
      if (!(error instanceof PayloadTooLargeError)) throw error;
      if (chunk.length === 1) {
        // Marked as handled: resending it with every later turn would fail the same way forever.
        cursor.sent.add(chunk[0]!.message.id);
        progress.tooLarge++;
        context.debug(`${this.name}: message ${chunk[0]!.message.id} is too large even alone; skipped`);
        return;
      }
      const half = Math.ceil(chunk.length / 2);
      context.debug(`${this.name}: 413 for ${chunk.length} messages; splitting`);
      await this.#append(cursor, chunk.slice(0, half), progress);
      await this.#append(cursor, chunk.slice(half), progress);
      return;
    }
    for (const entry of chunk) cursor.sent.add(entry.message.id);
    progress.written += chunk.length;
  }
}

/**
 * Creates the Mielto destination for `createChatTrail({ destinations: [...] })`.
 * @example
 * createChatTrail({ destinations: [mielto({ apiKey: process.env.MIELTO_API_KEY, agentId: 'support-bot' })] });
 * @throws {ChatTrailError} when no API key is given or found in `MIELTO_API_KEY`, or an option is malformed.
 */
export function mielto(options: MieltoDestinationOptions = {}): MieltoDestination {
  return new MieltoDestination(options);
}
