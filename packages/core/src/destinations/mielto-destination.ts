import { NotFoundError, PayloadTooLargeError } from '../errors';
import type { RequestOptions } from '../http/http-options';
import { isAmbiguousError } from '../http/is-ambiguous-error';
import { LruMap } from '../internal/lru-map';
import { messageOf } from '../internal/message-of';
import { runWithConcurrency } from '../internal/run-with-concurrency';
import { MieltoClient } from '../mielto/mielto-client';
import type { MessageCreateRequest } from '../mielto/mielto-models';
import { optionChecker } from '../options/option-checker';
import type {
  ChatTrailDestination,
  DeliveryItem,
  DeliveryOutcome,
  DestinationSendContext,
} from '../spec/chat-trail-destination';
import { loggedHistoryEnd } from '../thread/logged-history-end';
import { turnOutputStart } from '../thread/turn-output-start';
import { classifyDeliveryError } from './classify-delivery-error';
import { InMemoryConversationStore } from './conversation-store';
import { keepSpec } from './destination-spec';
import { groupByThread, type ThreadGroup, wholeTurns } from './group-by-thread';
import { mergeThreadMessages, type ThreadMessage } from './merge-thread-messages';
import { type LookAhead, MieltoConversationResolver } from './mielto-conversation-resolver';
import type { MieltoDestinationOptions } from './mielto-destination-options';
import { primeFromStore, settleShared } from './mielto-shared-state';
import { toMieltoMessage } from './to-mielto-message';
import { warnIgnoredRetries } from './warn-ignored-retries';

export type { MieltoDestinationOptions } from './mielto-destination-options';

/** What the destination remembers about a thread it has written to. */
export interface ThreadCursor {
  conversationId: string;
  /** Ids of the messages already in the conversation (sent, or assumed logged by an earlier process). */
  sent: Set<string>;
  /** How many of `sent` count towards `maxTrackedMessages` (settled after each write of the thread). */
  counted: number;
  /**
   * The conversation is new: the thread's messages before the turns' new ones go to it too (the turns'
   * `thread`), until one write of the thread went through.
   */
  whole: boolean;
}

/** Every turn's outcome until its thread says otherwise: one object for all (a batch may hold thousands). */
const SENT: DeliveryOutcome = Object.freeze({ status: 'sent' });
const STOPPING: DeliveryOutcome = Object.freeze({
  status: 'retry',
  error: new Error('not started: the trail is shutting down'),
});

/** Counts what one thread's run of requests achieved, so a failure half-way still reports the rest. */
interface ThreadProgress {
  written: number;
  tooLarge: number;
  /** The thread's conversation is known: a 404 from here on is an append's (the conversation is gone). */
  resolved: boolean;
}

/**
 * The Mielto destination. Each batch is grouped by thread; per thread it finds or creates the Mielto
 * conversation, then appends only the messages that conversation does not have yet, in order, in one
 * `POST /messages` (or ordered chunks of `maxMessagesPerRequest`).
 *
 * - **Conversations.** threadId → conversation id through the `conversationStore`. On a miss it looks for
 *   an existing conversation whose `meta_data.thread_id` is the thread (so a restarted process continues
 *   the same conversation), else creates one with the user id, a title from the first user message and
 *   `meta_data: { thread_id, source: 'chattrail', ... }`. Creation is single-flight per thread; lookups
 *   run ahead of the appends (see `concurrency`).
 * - **Each message once.** A per-thread cursor of sent message ids (bounded LRU). When the cursor is
 *   unknown but the conversation already existed, the history up to the latest assistant message before
 *   the last user message is taken as logged by an earlier turn, and only what follows is sent.
 * - **413.** A chunk the server finds too large is split in halves and each half sent in order; a single
 *   message that is still too large is skipped and its turns counted as `dropped.too_large`.
 * - **Unknown outcomes.** A POST that was sent and then lost its answer (reset, timeout, a 2xx with a
 *   broken body) is never resent by the client; it is counted in `stats().ambiguous`. A creation is
 *   followed by a lookup of the thread, never by a second creation; messages follow `delivery`.
 */
export class MieltoDestination implements ChatTrailDestination {
  readonly name: string;
  readonly acceptsFeedback = false;
  readonly #client: MieltoClient;
  readonly #ownClient: boolean;
  readonly #options: MieltoDestinationOptions;
  readonly #conversations: MieltoConversationResolver;
  readonly #cursors: LruMap<string, ThreadCursor>;
  readonly #maxTrackedMessages: number;
  /** Sum of `counted` over the cursors kept. */
  #trackedMessages = 0;
  readonly #agentId: string;
  readonly #maxPerRequest: number;
  readonly #concurrency: number;
  readonly #atLeastOnce: boolean;

  /** @throws {ChatTrailError} when no API key is given or found in `MIELTO_API_KEY`, or an option is malformed. */
  constructor(options: MieltoDestinationOptions = {}) {
    const check = optionChecker('mielto()');
    this.#options = options;
    this.name = check.string('name', options.name) ?? 'mielto';
    check.positiveNumber('timeoutMs', options.timeoutMs, 1);
    warnIgnoredRetries('mielto()', options.maxRetries);
    this.#ownClient = options.client === undefined;
    // No retries of its own: inside a trail the lane retries a failed batch (see #requestOptions).
    this.#client =
      options.client ??
      new MieltoClient({
        apiKey: options.apiKey,
        fetch: check.fn('fetch', options.fetch),
        transport: check.fn('transport', options.transport),
        baseUrl: options.baseUrl,
        workspaceId: options.workspaceId,
        timeoutMs: options.timeoutMs,
        maxRetries: 0,
      });
    const store = options.conversationStore;
    if (store !== undefined && (typeof store?.get !== 'function' || typeof store.set !== 'function')) {
      check.fail('conversationStore', 'an object with get() and set()', store);
    }
    // A long-running server writing long threads would otherwise keep every id it ever sent for up to
    // maxTrackedThreads threads; a forgotten cursor costs a store lookup, never a duplicate (see #cursorFor).
    this.#cursors = new LruMap(
      check.positiveInteger('maxTrackedThreads', options.maxTrackedThreads, 10_000),
      (_threadId, cursor) => {
        this.#trackedMessages -= cursor.counted;
      },
    );
    this.#maxTrackedMessages = check.positiveInteger(
      'maxTrackedMessages',
      options.maxTrackedMessages,
      250_000,
    );
    this.#agentId = check.string('agentId', options.agentId) ?? 'assistant';
    this.#maxPerRequest = check.positiveInteger('maxMessagesPerRequest', options.maxMessagesPerRequest, 100);
    this.#concurrency = check.positiveInteger('concurrency', options.concurrency, 8);
    this.#atLeastOnce =
      check.oneOf('delivery', options.delivery, ['at-most-once', 'at-least-once'], 'at-most-once') ===
      'at-least-once';
    check.boolean('enableMemories', options.enableMemories, false);
    this.#conversations = new MieltoConversationResolver({
      name: this.name,
      client: this.#client,
      store: store ?? new InMemoryConversationStore(),
      agentId: this.#agentId,
      lookupPages: check.nonNegativeInteger('lookupPages', options.lookupPages, 3),
      requestOptions: (context) => this.#requestOptions(context),
    });
  }

  async send(items: readonly DeliveryItem[], context: DestinationSendContext): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = items.map((item) =>
      item.type === 'turn'
        ? SENT
        : { status: 'dropped', reason: 'internal_error', error: new Error('Mielto takes no feedback') },
    );
    const known: ThreadGroup[] = [];
    const unknown: ThreadGroup[] = [];
    const groups = groupByThread(items);
    const { store } = context;
    // With a shared store, every thread is primed from it first (one round trip; see primeFromStore).
    const shared =
      store === undefined
        ? undefined
        : await primeFromStore(groups, store, this.#cursors, this.#conversations, this.#concurrency, context);
    for (const group of groups) {
      const settled = shared?.outcomes.has(group.threadId) === true;
      (settled || this.#cursors.peek(group.threadId) !== undefined ? known : unknown).push(group);
    }
    // Threads without a cursor are looked up ahead, beside the appends: a new thread would otherwise hold
    // a slot through its lookup as well as its creation.
    const ahead: LookAhead = new Map();
    const lookingAhead = runWithConcurrency(unknown, this.#concurrency, async (group) => {
      // A failure is the thread's own append's to report.
      await this.#conversations.found(group, ahead, context).catch(() => undefined);
    });
    const sendGroup = async (group: ThreadGroup): Promise<void> => {
      const outcome = shared?.outcomes.get(group.threadId) ?? (await this.#sendThread(group, context, ahead));
      this.#settleTrackedMessages(group.threadId);
      // Messages are credited to the thread's first turn only, so sentMessages counts each message once.
      group.indexes.forEach((index, i) => {
        outcomes[index] = i === 0 || !('messages' in outcome) ? outcome : { ...outcome, messages: 0 };
      });
    };
    // Known and new threads have slots of their own: a new thread costs two round trips in its slot
    // (create, then append) where a known one costs one, and in one pool the known threads queued behind
    // every creation.
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
    const progress: ThreadProgress = { written: 0, tooLarge: 0, resolved: false };
    try {
      try {
        await this.#appendPending(group, progress, context, ahead);
      } catch (error) {
        // The conversation was deleted at Mielto (or the stored mapping is stale): forget it and write the
        // thread as known into a new conversation, once. A second 404 is an error like any other.
        // A 404 of the lookup or the creation itself is an error like any other (a wrong base URL, say).
        if (!(error instanceof NotFoundError) || !progress.resolved || progress.written > 0) throw error;
        const stale = this.#cursors.get(group.threadId)?.conversationId;
        context.debug(
          `${this.name}: conversation ${stale} of thread ${group.threadId} is gone (404); starting a new one`,
        );
        this.#forgetCursor(group.threadId);
        await this.#conversations.storeDelete(group.threadId, context);
        await this.#appendPending(group, progress, context, ahead, true);
      }
      if (progress.tooLarge > 0) {
        return {
          status: 'dropped',
          reason: 'too_large',
          messages: progress.written,
          error: new Error(
            `${progress.tooLarge} message(s) of thread ${group.threadId} exceeded the body limit`,
          ),
        };
      }
      return { status: 'sent', messages: progress.written };
    } catch (error) {
      return classifyDeliveryError(error, progress.written);
    }
  }

  /** Appends, in order and in chunks, the messages of the group's turns its conversation lacks. */
  async #appendPending(
    group: ThreadGroup,
    progress: ThreadProgress,
    context: DestinationSendContext,
    ahead: LookAhead,
    fresh = false,
  ): Promise<void> {
    const cursor = await this.#cursorFor(group, context, ahead, fresh);
    progress.resolved = true;
    const pending = mergeThreadMessages(
      cursor.whole ? wholeTurns(group) : group.turns,
      (turn) => turnOutputStart(turn.messages),
      (message) => cursor.sent.has(message.id),
      cursor.whole ? undefined : group.starts,
    );
    for (let start = 0; start < pending.length; start += this.#maxPerRequest) {
      await this.#append(cursor, pending.slice(start, start + this.#maxPerRequest), progress, context);
    }
    cursor.whole = false;
  }

  /**
   * The thread's cursor, finding (and if need be creating) its conversation on first sight. `fresh`:
   * the known conversation is gone, so neither the store nor a lookup is asked — a new one is created and
   * the whole thread as the turns carry it is sent to it. `ahead`: the batch's lookups (see `MieltoConversationResolver.found`).
   */
  async #cursorFor(
    group: ThreadGroup,
    context: DestinationSendContext,
    ahead: LookAhead,
    fresh = false,
  ): Promise<ThreadCursor> {
    const known = this.#cursors.get(group.threadId);
    if (known !== undefined) return known;
    const first = group.turns[0]!;
    const ref = fresh
      ? await this.#conversations.createConversation(first, context)
      : ((await this.#conversations.found(group, ahead, context)) ??
        (await this.#conversations.createOnce(first, context)));
    const cursor: ThreadCursor = {
      conversationId: ref.conversationId,
      sent: new Set(),
      counted: 0,
      whole: ref.created,
    };
    if (!ref.created) {
      // A turn that carries the whole history: what an earlier turn must have logged is assumed logged. A
      // turn of new messages says itself what came before it (its `start`).
      const logged = loggedHistoryEnd(first.messages);
      for (let i = 0; i < logged; i++) cursor.sent.add(first.messages[i]!.id);
      const before = logged + (group.threads[0] === undefined ? 0 : group.starts[0]!);
      if (before > 0)
        context.debug(`${this.name}: thread ${group.threadId} continues; ${before} messages assumed logged`);
    }
    this.#cursors.set(group.threadId, cursor);
    return cursor;
  }

  /** Counts the ids the thread's cursor gained, then forgets the least recently written cursors over the bound. */
  #settleTrackedMessages(threadId: string): void {
    const cursor = this.#cursors.peek(threadId);
    if (cursor === undefined) return;
    this.#trackedMessages += cursor.sent.size - cursor.counted;
    cursor.counted = cursor.sent.size;
    while (this.#trackedMessages > this.#maxTrackedMessages && this.#cursors.evictOldest() !== undefined) {}
  }

  #forgetCursor(threadId: string): void {
    const cursor = this.#cursors.peek(threadId);
    if (cursor === undefined) return;
    this.#trackedMessages -= cursor.counted;
    this.#cursors.delete(threadId);
  }

  /** Appends one chunk in order; on 413 splits it in halves, skipping single messages that still fail. */
  async #append(
    cursor: ThreadCursor,
    chunk: ThreadMessage[],
    progress: ThreadProgress,
    context: DestinationSendContext,
  ): Promise<void> {
    const content: MessageCreateRequest[] = chunk.map((entry) =>
      toMieltoMessage(entry, { agentId: this.#agentId }),
    );
    try {
      context.onRequest();
      await this.#client.messages.create(
        {
          conversation_id: cursor.conversationId,
          content,
          enable_memories: this.#options.enableMemories ?? false,
        },
        // What Mielto stored is never read back: only the status matters.
        { ...this.#postOptions(context), discardResponse: true },
      );
    } catch (error) {
      if (isAmbiguousError(error)) {
        context.onAmbiguous(error, !this.#atLeastOnce);
        if (this.#atLeastOnce) throw error;
        // At most once: the server may have stored them, and a second copy cannot be told apart in the
        // conversation (Mielto takes no idempotency key and offers no way to read messages back).
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
      await this.#append(cursor, chunk.slice(0, half), progress, context);
      await this.#append(cursor, chunk.slice(half), progress, context);
      return;
    }
    for (const entry of chunk) cursor.sent.add(entry.message.id);
    progress.written += chunk.length;
  }

  /** A POST must not be resent by the client when its outcome is unknown: the destination decides. */
  #postOptions(context: DestinationSendContext): RequestOptions {
    return { ...this.#requestOptions(context), retryAmbiguous: false };
  }

  #requestOptions(context: DestinationSendContext): RequestOptions {
    // Sent once per attempt of the batch, a shared client too: the trail's lane is the one retry layer.
    const options: RequestOptions = { signal: context.signal, maxRetries: 0 };
    // A shared client keeps its own timeout unless this destination was given one.
    const timeoutMs = this.#options.timeoutMs ?? (this.#ownClient ? context.timeoutMs : undefined);
    if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
    return options;
  }
}

/**
 * Creates the Mielto destination for `createChatTrail({ destinations: [...] })`.
 *
 * @example
 * createChatTrail({ destinations: [mielto({ apiKey: process.env.MIELTO_API_KEY, agentId: 'support-bot' })] });
 *
 * @throws {ChatTrailError} when no API key is given or found in `MIELTO_API_KEY`, or an option is malformed.
 */
export function mielto(options: MieltoDestinationOptions = {}): MieltoDestination {
  const destination = new MieltoDestination(options);
  keepSpec(destination, 'mielto', options);
  return destination;
}
