import { ChatTrailError } from '../errors';
import type { RequestOptions } from '../http/http-options';
import { isAmbiguousError } from '../http/is-ambiguous-error';
import type { JsonText } from '../http/json-text';
import type { Transport } from '../http/transport';
import { runWithConcurrency } from '../internal/run-with-concurrency';
import { SerialByKey } from '../internal/serial-by-key';
import { MelodiClient } from '../melodi/melodi-client';
import type { MelodiFeedbackCreate } from '../melodi/melodi-models';
import { optionChecker } from '../options/option-checker';
import type { ChatTrailFeedback } from '../spec/chat-trail';
import type {
  ChatTrailDestination,
  DeliveryItem,
  DeliveryOutcome,
  DestinationSendContext,
} from '../spec/chat-trail-destination';
import { classifyDeliveryError } from './classify-delivery-error';
import { keepSpec } from './destination-spec';
import { groupByThread, type ThreadGroup, wholeTurns } from './group-by-thread';
import { MelodiSharedThreads } from './melodi-shared-threads';
import { MelodiThreadMemory } from './melodi-thread-memory';
import { melodiThreadJson, toMelodiUser } from './to-melodi-thread';
import { warnIgnoredRetries } from './warn-ignored-retries';

/** Options of {@link melodi}. */
export interface MelodiDestinationOptions {
  /** Default: `MELODI_API_KEY`. Ignored when `client` is given. */
  apiKey?: string;
  /** The project threads and feedback go to. Default: the client's, else `MELODI_PROJECT_ID`. Required. */
  projectId?: number;
  /** Default: `MELODI_BASE_URL`, else `https://app.melodi.fyi/api/external`. Ignored when `client` is given. */
  baseUrl?: string;
  /**
   * A client to share (its own timeout applies unless given here; its retries do not: inside a trail each
   * request is sent once per attempt). Default: a new one.
   */
  client?: MelodiClient;
  /**
   * The `fetch` its client uses. Default: the global `fetch`, looked up per request. Ignored when `client`
   * is given.
   */
  fetch?: typeof fetch;
  /**
   * Sends its client's requests instead of `fetch` (not together with it). On Node, `undiciTransport()`
   * from `@chattrail/core/node` costs the trail less CPU per request. Ignored when `client` is given.
   */
  transport?: Transport;
  /** Per-attempt timeout. Default: the trail's `timeoutMs` (10 s). */
  timeoutMs?: number;
  /**
   * @deprecated Ignored: each request is sent once per attempt, and the trail retries a failed batch
   * (`maxAttempts`, with backoff). A value other than 0 warns once.
   */
  maxRetries?: number;
  /** Threads upserted in parallel within one batch. Default 8. */
  concurrency?: number;
  /**
   * @deprecated Has no effect: each `PUT /threads` carries the whole thread from the trail's log, whatever
   * history the app sends (a trimmed window included). Kept so that existing code still compiles.
   */
  maxKeptMessages?: number;
  /** Name in stats, logs and errors. Default `'melodi'`. */
  name?: string;
}

/**
 * The Melodi destination. Each batch is grouped by thread and each thread is upserted with one
 * `PUT /threads` carrying the full thread as known (see `melodiThreadJson`): the thread's last body (see
 * `MelodiThreadMemory`) with the turns' messages merged in, so a PUT never leaves out a message an earlier
 * one stored, whether Melodi replaces or merges. Several turns of a thread in one flush cost one request,
 * and resending is idempotent thanks to the stable message `externalId`s. At most one PUT per thread is in
 * flight: a thread's next PUT is built only once the one before has settled, so it carries what that one
 * carried, and a slow older body can never land after a newer one.
 *
 * Feedback items are sent after the thread upserts of the same batch (`POST /feedback` needs the thread
 * to exist); feedback for a thread whose upsert is being retried waits with it.
 *
 * A 413 cannot be split: the upsert is "the full thread object", so sending half of it could replace the
 * thread with that half. Such a thread's turns are counted as `dropped.too_large`.
 *
 * Delivery is at-least-once: a request whose outcome is unknown (sent, then the connection died or timed
 * out) is counted in `stats().ambiguous` and sent again, which an upsert by `externalId` makes harmless.
 * Feedback (`POST /feedback`) is resent the same way, so a vote may in rare cases be recorded twice.
 */
export class MelodiDestination implements ChatTrailDestination {
  readonly name: string;
  readonly acceptsFeedback = true;
  readonly projectId: number;
  readonly #client: MelodiClient;
  readonly #ownClient: boolean;
  readonly #options: MelodiDestinationOptions;
  readonly #concurrency: number;
  readonly #memory = new MelodiThreadMemory();
  /** One PUT per thread at a time, whoever calls `send` (a destination shared by two trails included). */
  readonly #putting = new SerialByKey();
  readonly #shared = new MelodiSharedThreads();

  /** @throws {ChatTrailError} when no API key or project id is given or found in the environment. */
  constructor(options: MelodiDestinationOptions = {}) {
    const check = optionChecker('melodi()');
    this.#options = options;
    this.name = check.string('name', options.name) ?? 'melodi';
    check.positiveNumber('timeoutMs', options.timeoutMs, 1);
    warnIgnoredRetries('melodi()', options.maxRetries);
    this.#ownClient = options.client === undefined;
    // No retries of its own: inside a trail the lane retries a failed batch (see #requestOptions).
    this.#client =
      options.client ??
      new MelodiClient({
        apiKey: options.apiKey,
        fetch: check.fn('fetch', options.fetch),
        transport: check.fn('transport', options.transport),
        projectId: options.projectId,
        baseUrl: options.baseUrl,
        timeoutMs: options.timeoutMs,
        maxRetries: 0,
      });
    const projectId = options.projectId ?? this.#client.projectId;
    if (projectId === undefined || !Number.isInteger(projectId) || projectId <= 0) {
      throw new ChatTrailError(
        `melodi(): a positive integer projectId is required. Pass { projectId } or set MELODI_PROJECT_ID (got ${String(projectId)}).`,
      );
    }
    this.projectId = projectId;
    this.#concurrency = check.positiveInteger('concurrency', options.concurrency, 8);
    // Deprecated, no effect (the whole thread comes from the trail's log); still checked like any option.
    check.nonNegativeInteger('maxKeptMessages', options.maxKeptMessages, 0);
  }

  async send(items: readonly DeliveryItem[], context: DestinationSendContext): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = new Array(items.length);
    const threadOutcomes = new Map<string, DeliveryOutcome>();
    const groups = groupByThread(items);
    // With a shared store, each thread's body comes from it (one round trip; see MelodiSharedThreads).
    const shared =
      context.store === undefined
        ? undefined
        : await this.#shared.bodies(groups, context.store, this.projectId).catch(() => undefined);
    await runWithConcurrency(groups, this.#concurrency, async (group) => {
      const outcome = await this.#upsert(group, context, shared?.get(group.threadId));
      threadOutcomes.set(group.threadId, outcome);
      group.indexes.forEach((index, i) => {
        outcomes[index] = i === 0 || !('messages' in outcome) ? outcome : { ...outcome, messages: 0 };
      });
    });
    const feedback: number[] = [];
    items.forEach((item, index) => {
      if (item.type === 'feedback') feedback.push(index);
    });
    await runWithConcurrency(feedback, this.#concurrency, async (index) => {
      const item = items[index] as Extract<DeliveryItem, { type: 'feedback' }>;
      const thread = threadOutcomes.get(item.feedback.threadId);
      // Sending feedback for a thread whose upsert did not land would only earn a 404.
      outcomes[index] =
        thread === undefined || thread.status === 'sent'
          ? await this.#sendFeedback(item.feedback, context)
          : withoutMessages(thread);
    });
    return outcomes;
  }

  #upsert(group: ThreadGroup, context: DestinationSendContext, shared?: JsonText): Promise<DeliveryOutcome> {
    return this.#putting.run(group.threadId, async () => {
      let thread: ReturnType<typeof melodiThreadJson>;
      try {
        if (shared !== undefined) {
          context.onRequest();
          await this.#client.threads.upsertJson(shared, this.#requestOptions(context));
          return { status: 'sent', messages: group.turns.reduce((n, turn) => n + turn.messages.length, 0) };
        }
        // The whole thread: its last body, then each turn's new messages after the thread before them.
        thread = melodiThreadJson(wholeTurns(group), this.projectId, this.#memory.get(group.threadId));
        context.onRequest();
        await this.#client.threads.upsertJson(thread.body, this.#requestOptions(context));
      } catch (error) {
        // Resent with the batch's retry all the same: an upsert of the whole thread is idempotent.
        if (isAmbiguousError(error)) context.onAmbiguous();
        const outcome = classifyDeliveryError(error);
        // A body that failed may have landed, or its turns are given up on: the next one carries its
        // messages all the same. Not one too large, which would make every later one too large as well.
        const tooLarge = outcome.status === 'dropped' && outcome.reason === 'too_large';
        if (thread! !== undefined && !tooLarge) this.#memory.set(group.threadId, thread.keep());
        return outcome;
      }
      this.#memory.set(group.threadId, thread.keep());
      return { status: 'sent', messages: thread.messages };
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

  #requestOptions(context: DestinationSendContext): RequestOptions {
    // Sent once per attempt of the batch, a shared client too: the trail's lane is the one retry layer.
    const options: RequestOptions = { signal: context.signal, discardResponse: true, maxRetries: 0 };
    const timeoutMs = this.#options.timeoutMs ?? (this.#ownClient ? context.timeoutMs : undefined);
    if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
    return options;
  }
}

/** The thread's outcome for the feedback that waited on it (its messages were counted with the thread). */
function withoutMessages(outcome: DeliveryOutcome): DeliveryOutcome {
  return outcome.status === 'dropped' ? { ...outcome, messages: 0 } : outcome;
}

/**
 * Creates the Melodi destination for `createChatTrail({ destinations: [...] })`.
 *
 * @example
 * createChatTrail({ destinations: [melodi({ apiKey: process.env.MELODI_API_KEY, projectId: 123 })] });
 *
 * @throws {ChatTrailError} when no API key or project id is given or found in the environment.
 */
export function melodi(options: MelodiDestinationOptions = {}): MelodiDestination {
  const destination = new MelodiDestination(options);
  keepSpec(destination, 'melodi', options);
  return destination;
}
