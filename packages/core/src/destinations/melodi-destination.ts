import { ChatTrailError } from '../errors';
import type { RequestOptions } from '../http/http-options';
import { isAmbiguousError } from '../http/is-ambiguous-error';
import type { JsonText } from '../http/json-text';
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
import type { ClientDestinationOptions } from './client-destination-options';
import { keepSpec } from './destination-spec';
import { groupByThread, type ThreadGroup, wholeTurns } from './group-by-thread';
import { MelodiSharedThreads } from './melodi-shared-threads';
import { MelodiThreadMemory } from './melodi-thread-memory';
import { melodiThreadJson, toMelodiUser } from './to-melodi-thread';
import { warnIgnoredRetries } from './warn-ignored-retries';

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
 * The Melodi destination: one idempotent `PUT /threads` per thread per batch, carrying the full thread as
 * known (see `melodiThreadJson`). One PUT per thread in flight, so an older body never lands after a newer.
 * Feedback follows its thread's upsert (it needs the thread). A 413 cannot be split (half a thread would
 * replace it): `dropped.too_large`. At-least-once: an ambiguous request is resent, so a vote may rarely
 * count twice.
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
  /** Per thread, whoever calls `send` (a destination shared by two trails included). */
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
    check.nonNegativeInteger('maxKeptMessages', options.maxKeptMessages, 0);
  }

  async send(items: readonly DeliveryItem[], context: DestinationSendContext): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = new Array(items.length);
    const threadOutcomes = new Map<string, DeliveryOutcome>();
    const groups = groupByThread(items);
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
        thread = melodiThreadJson(wholeTurns(group), this.projectId, this.#memory.get(group.threadId));
        context.onRequest();
        await this.#client.threads.upsertJson(thread.body, this.#requestOptions(context));
      } catch (error) {
        // Resent with the batch's retry all the same: the upsert is idempotent.
        if (isAmbiguousError(error)) context.onAmbiguous();
        const outcome = classifyDeliveryError(error);
        // A failed body may have landed: the next carries its messages too (not a too large one).
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
    // Once per attempt, a shared client too: the trail's lane is the one retry layer.
    const options: RequestOptions = { signal: context.signal, discardResponse: true, maxRetries: 0 };
    const timeoutMs = this.#options.timeoutMs ?? (this.#ownClient ? context.timeoutMs : undefined);
    if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
    return options;
  }
}

/** The thread's outcome for its feedback (the messages were counted with the thread). */
function withoutMessages(outcome: DeliveryOutcome): DeliveryOutcome {
  return outcome.status === 'dropped' ? { ...outcome, messages: 0 } : outcome;
}

/**
 * The Melodi destination for `createChatTrail({ destinations: [...] })`.
 * @example
 * createChatTrail({ destinations: [melodi({ apiKey: process.env.MELODI_API_KEY, projectId: 123 })] });
 * @throws {ChatTrailError} when no API key or project id is given or found in the environment.
 */
export function melodi(options: MelodiDestinationOptions = {}): MelodiDestination {
  const destination = new MelodiDestination(options);
  keepSpec(destination, 'melodi', options);
  return destination;
}
