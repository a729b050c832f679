import { getChatTrailContext } from '../context/chat-trail-context';
import { warnIgnoredRetries } from '../destinations/warn-ignored-retries';
import { APIConnectionError, type ChatTrailError } from '../errors';
import { unrefTimer } from '../internal/unref-timer';
import { boundId } from '../normalize/bound-id';
import { optionChecker } from '../options/option-checker';
import { warnOnce } from '../options/warn-once';
import type {
  ChatTrail,
  ChatTrailFeedback,
  ChatTrailStats,
  DropCounts,
  DropReason,
  FlushOptions,
  FlushReport,
} from '../spec/chat-trail';
import type { ChatTrailDestination, DeliveryItem } from '../spec/chat-trail-destination';
import type { Turn, TurnSource } from '../spec/turn';
import { looksLikeNewMessages } from '../thread/looks-like-new-messages';
import type { RecordedHistory } from '../thread/recorded-history';
import { ThreadLog } from '../thread/thread-log';
import { applyRedact } from './apply-redact';
import { ChatTrailDeliveryError } from './chat-trail-delivery-error';
import { CHAT_TRAIL_DEFAULTS, type ChatTrailOptions } from './chat-trail-options';
import { DeliveryLane, emptyDropCounts, type LaneHost, type QueuedItem } from './delivery-lane';
import { destinationsFromEnv } from './destinations-from-env';
import { estimateMessagesBytes, estimateTurnBytes, estimateTurnHeadBytes } from './estimate-turn-bytes';
import { findWaitUntil, type WaitUntil } from './find-wait-until';
import { flushLanes } from './flush-lanes';
import { isThreadSampled } from './is-thread-sampled';
import { describeItems, handOverDrop, laneDropError, unreachableError } from './lane-reports';
import { normalizeFeedback } from './normalize-feedback';
import {
  type HistoryReuse,
  type NormalizeTurnOptions,
  normalizeTurn,
  SKIPPED_MESSAGES_KEY,
  TRUNCATED_MESSAGES_KEY,
  turnMessagesMode,
} from './normalize-turn';
import { parseEnvFlag, readTrailEnv } from './read-trail-env';
import { statusOf } from './status-of';
import { sumStats } from './sum-stats';
import { TrailErrors } from './trail-errors';

const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;
const FEEDBACK_BYTES = 256;
// The thread log: enough threads for those active at once on a busy server. The byte bound is what limits
// memory; a thread that falls out costs one full normalisation, and its next turn is queued whole.
const LOG_THREADS = 10_000;
const LOG_BYTES = 16 * 1024 * 1024;
const LOG_THREAD_BYTES = 2 * 1024 * 1024;
// An edit of the first message also carries nothing of the previous turn; three in a row rarely are edits.
const UNLINKED_TURNS_BEFORE_WARNING = 3;

/**
 * Creates a trail: `record(turn)` queues turns synchronously, and each destination delivers them in the
 * background, in batches, with retries and bounded memory.
 *
 * @example
 * const trail = createChatTrail({
 *   destinations: [mielto({ apiKey: process.env.MIELTO_API_KEY }), melodi({ apiKey, projectId: 123 })],
 * });
 * trail.record(turn);
 * await trail.shutdown(); // before the process exits
 *
 * @throws {ChatTrailError} for a bad option, naming it and its value (`createChatTrail: flushAt must be a
 * positive integer, got -1`): a configuration mistake surfaces when the app starts. Never for the
 * environment: with no destination at all (none given, none in the environment) it warns once and
 * returns a trail that records nothing, and a malformed variable (`CHATTRAIL_SAMPLE_RATE=abc`) warns
 * once and its default applies. Once created, nothing it does throws into the app.
 */
export function createChatTrail(options: ChatTrailOptions = {}): ChatTrail {
  return new ChatTrailImpl(options);
}

class ChatTrailImpl implements ChatTrail {
  readonly #lanes: DeliveryLane[] = [];
  readonly #feedbackLanes: DeliveryLane[] = [];
  readonly #inactive: boolean;
  readonly #sampleRate: number;
  readonly #flushAt: number;
  readonly #flushIntervalMs: number;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #normalize: NormalizeTurnOptions;
  readonly #redact: ChatTrailOptions['redact'];
  /** Per thread, its messages and last history: what is new in a turn, and what it resends (see ThreadLog). */
  readonly #log: ThreadLog | undefined;
  readonly #onError: (error: ChatTrailError) => void;
  readonly #onDrop: ChatTrailOptions['onDrop'];
  readonly #waitUntil: WaitUntil | undefined;
  readonly #debugEnabled: boolean;
  readonly #abort = new AbortController();
  readonly #counts = { recorded: 0, sampledOut: 0, redactedOut: 0, truncatedMessages: 0 };
  readonly #dropped: DropCounts = emptyDropCounts();
  readonly #feedback = { recorded: 0, dropped: 0 };
  /** `onError` is read when an error comes: it is set in the constructor, after this. */
  readonly #errors = new TrailErrors((error) => this.#onError(error));
  #closed = false;
  #shutdown: Promise<FlushReport> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #kickScheduled = false;
  #serverlessScheduled = false;

  constructor(options: ChatTrailOptions) {
    if (options === null || typeof options !== 'object') check.fail('options', 'an object', options);
    const env = options.env;
    if (env !== undefined && (env === null || typeof env !== 'object')) check.fail('env', 'an object', env);
    const read = (name: string) => readTrailEnv(env, name);
    this.#debugEnabled = check.boolean(
      'debug',
      options.debug,
      parseEnvFlag(read('CHATTRAIL_DEBUG')) ?? false,
    );
    const disabled = check.boolean(
      'disabled',
      options.disabled,
      parseEnvFlag(read('CHATTRAIL_DISABLED')) ?? false,
    );
    this.#sampleRate = check.rate(
      'sampleRate',
      options.sampleRate,
      envSampleRate(read('CHATTRAIL_SAMPLE_RATE')),
    );
    this.#flushAt = check.positiveInteger('flushAt', options.flushAt, CHAT_TRAIL_DEFAULTS.flushAt);
    this.#flushIntervalMs = check.positiveNumber(
      'flushIntervalMs',
      options.flushIntervalMs,
      CHAT_TRAIL_DEFAULTS.flushIntervalMs,
    );
    this.#timeoutMs = check.positiveNumber('timeoutMs', options.timeoutMs, CHAT_TRAIL_DEFAULTS.timeoutMs);
    warnIgnoredRetries('createChatTrail', options.maxRetries);
    this.#maxAttempts = check.positiveInteger(
      'maxAttempts',
      options.maxAttempts,
      CHAT_TRAIL_DEFAULTS.maxAttempts,
    );
    this.#normalize = {
      maxMessageBytes: check.positiveInteger(
        'maxMessageBytes',
        options.maxMessageBytes,
        CHAT_TRAIL_DEFAULTS.maxMessageBytes,
      ),
      captureContent: check.boolean('captureContent', options.captureContent, true),
      turnMessages: check.oneOf('turnMessages', options.turnMessages, ['history', 'new'], 'history'),
      maxMessagesPerTurn: check.positiveInteger(
        'maxMessagesPerTurn',
        options.maxMessagesPerTurn,
        CHAT_TRAIL_DEFAULTS.maxMessagesPerTurn,
      ),
    };
    check.fn('redact', options.redact);
    check.fn('onError', options.onError);
    check.fn('onDrop', options.onDrop);
    check.fn('waitUntil', options.waitUntil);
    check.fn('fetch', options.fetch);
    const limits = queueLimits(options);
    const backoff = options.backoff;
    if (backoff !== undefined && (backoff === null || typeof backoff !== 'object')) {
      check.fail('backoff', 'an object', backoff);
    }
    const backoffInitialMs = check.positiveNumber(
      'backoff.initialMs',
      backoff?.initialMs,
      CHAT_TRAIL_DEFAULTS.backoffInitialMs,
    );
    const backoffMaxMs = check.positiveNumber(
      'backoff.maxMs',
      backoff?.maxMs,
      CHAT_TRAIL_DEFAULTS.backoffMaxMs,
    );
    const given = options.destinations;
    if (given !== undefined && !Array.isArray(given)) check.fail('destinations', 'an array', given);
    given?.forEach((destination, i) => {
      if (!isDestination(destination)) {
        check.fail(`destinations[${i}]`, 'a destination (an object with a name and send())', destination);
      }
    });
    this.#redact = options.redact;
    // Without content capture no copy keeps its text, so none could be matched to a resent message. With a
    // redact function only turns of new messages use it (see record()).
    this.#log = this.#normalize.captureContent
      ? new ThreadLog(LOG_THREADS, LOG_BYTES, LOG_THREAD_BYTES)
      : undefined;
    this.#waitUntil = options.waitUntil;
    this.#onDrop = options.onDrop;
    this.#onError = options.onError ?? ((error) => console.warn(`[chattrail] ${error.message}`));

    let destinations: ChatTrailDestination[] = [];
    if (!disabled) {
      if (given !== undefined) {
        destinations = given;
      } else {
        const fromEnv = destinationsFromEnv(env, { timeoutMs: this.#timeoutMs, fetch: options.fetch });
        destinations = fromEnv.destinations;
        for (const problem of fromEnv.problems) console.warn(`[chattrail] ${problem}`);
      }
      if (destinations.length === 0) {
        console.warn(
          '[chattrail] no destination configured: set MIELTO_API_KEY, or MELODI_API_KEY and MELODI_PROJECT_ID (or pass destinations to createChatTrail); turns will not be recorded.',
        );
      }
    }
    this.#inactive = disabled || destinations.length === 0;

    const host: LaneHost = {
      ...limits,
      flushAt: this.#flushAt,
      timeoutMs: this.#timeoutMs,
      maxAttempts: this.#maxAttempts,
      backoffInitialMs,
      backoffMaxMs,
      signal: this.#abort.signal,
      debug: (message) => this.#debug(message),
      waiting: () => this.#armTimer(),
      dropped: (lane, reason, items, error) => this.#laneDropped(lane, reason, items, error),
      failed: (lane, error) => this.#laneFailed(lane, error),
      retrying: (lane, error) => {
        if (error instanceof APIConnectionError) this.#unreachable(lane, error);
      },
      notResent: (lane, error) => {
        if (error instanceof APIConnectionError) {
          this.#unreachable(
            lane,
            error,
            'what it carried may not be stored and is not sent again (at-most-once)',
          );
        } else this.#errors.remember(`${lane.name}: ${messageOf(error)}`);
      },
    };
    const names = new Set<string>();
    for (const destination of destinations) {
      const lane = new DeliveryLane(uniquelyNamed(destination, names), host);
      this.#lanes.push(lane);
      if (destination.acceptsFeedback === true) this.#feedbackLanes.push(lane);
    }
    this.#debug(
      this.#inactive
        ? `trail created, ${disabled ? 'disabled' : 'without destinations'}: recording nothing`
        : `trail created: ${this.#lanes.map((lane) => lane.name).join(', ')}; sampleRate ${this.#sampleRate}, flushAt ${this.#flushAt}, flushIntervalMs ${this.#flushIntervalMs}, minBatchIntervalMs ${host.minBatchIntervalMs}`,
    );
  }

  record(turn: Turn): void {
    try {
      const context = getChatTrailContext();
      // Before anything else, sampled out or not: the Express adapter reads this to skip its own turn.
      const capture = context?.capture;
      if (capture !== undefined) capture.sources.push(sourceOf(turn));
      if (this.#inactive) return;
      this.#counts.recorded++;
      if (this.#closed) {
        this.#dropBeforeQueue('shutdown');
        return;
      }
      const rawThreadId = (turn as Partial<Turn> | null | undefined)?.threadId;
      const givenThreadId =
        typeof rawThreadId === 'string' && rawThreadId !== '' ? rawThreadId : context?.threadId;
      if (typeof givenThreadId !== 'string' || givenThreadId === '') {
        this.#dropBeforeQueue('invalid_turn');
        return;
      }
      // As normalizeTurn will send it: a thread id too long to send is hashed, and sampled and cached by that.
      const threadId = boundId(givenThreadId);
      if (this.#sampleRate < 1 && !isThreadSampled(threadId, this.#sampleRate)) {
        this.#counts.sampledOut++;
        return;
      }
      // Turns that resend their history are worked out against the thread's log, except under a redact
      // function (a clone of the whole history per turn, for redact to rewrite, would cost more than it
      // saves): those are queued whole. Turns of new messages always are.
      const mode = turnMessagesMode(turn, context, this.#normalize);
      const log = this.#redact !== undefined && mode !== 'new' ? undefined : this.#log;
      const record = log?.get(threadId);
      const reuse: HistoryReuse | undefined = log === undefined ? undefined : { previous: record?.history };
      let copy = normalizeTurn(turn, this.#normalize, context, reuse, mode);
      if (copy === undefined) {
        this.#dropBeforeQueue('invalid_turn');
        return;
      }
      if (copy.metadata !== undefined) this.#noteLeftOutMessages(copy.metadata);
      const next = reuse?.next;
      if (next !== undefined && reuse!.previous !== undefined && next.newMessages !== true) {
        this.#noteUnlinkedTurn(reuse!.previous, next);
      }
      if (this.#redact !== undefined) {
        // The log's copies are the history's own: redact gets a clone, and the log takes what it returns.
        const redacted = this.#applyRedact(next === undefined ? copy : structuredClone(copy));
        if (
          next !== undefined &&
          (redacted === undefined || redacted.messages.length !== next.messages.length)
        ) {
          // Skipped, or reshaped so that its messages no longer line up with the history: not logged.
          log!.keepHistory(threadId, record, next);
          if (redacted !== undefined)
            this.#enqueue(this.#lanes, { type: 'turn', turn: redacted }, estimateTurnBytes(redacted));
          return;
        }
        if (redacted === undefined) return;
        copy = redacted;
      }
      if (next !== undefined) {
        const { messages } = copy;
        let newBytes = 0;
        const measure = (from: number): number => {
          newBytes = estimateMessagesBytes(messages, from);
          return newBytes;
        };
        const logged = log!.update(threadId, record, next, measure, messages);
        if (logged !== undefined) {
          // The lanes queue what is new; the thread's earlier messages stay in the log.
          if (logged.index > 0) copy.messages = messages.slice(logged.index);
          const item: DeliveryItem =
            logged.start === 0
              ? { type: 'turn', turn: copy }
              : { type: 'turn', turn: copy, thread: logged.log, start: logged.start };
          this.#enqueue(this.#lanes, item, estimateTurnHeadBytes(copy) + newBytes);
          return;
        }
      }
      this.#enqueue(this.#lanes, { type: 'turn', turn: copy }, estimateTurnBytes(copy));
    } catch (error) {
      this.#internalError('record', error);
    }
  }

  feedback(feedback: ChatTrailFeedback): void {
    try {
      if (this.#inactive) return;
      this.#feedback.recorded++;
      if (this.#closed) {
        this.#feedback.dropped++;
        return;
      }
      const item = normalizeFeedback(feedback, this.#normalize);
      if (item === undefined) {
        this.#feedback.dropped++;
        this.#debug('feedback ignored: it needs a threadId and a type of "positive" or "negative"');
        return;
      }
      if (this.#feedbackLanes.length === 0) {
        this.#feedback.dropped++;
        if (this.#errors.once('feedback:no-destination')) {
          this.#debug('feedback is sent to Melodi only, and this trail has no Melodi destination; ignored');
        }
        return;
      }
      this.#enqueue(this.#feedbackLanes, item, FEEDBACK_BYTES + (item.feedback.text?.length ?? 0));
    } catch (error) {
      this.#internalError('feedback', error);
    }
  }

  stats(): ChatTrailStats {
    return sumStats(this.#counts, this.#dropped, this.#feedback, this.#lanes);
  }

  flush(options: FlushOptions = {}): Promise<FlushReport> {
    return this.#flush(flushTimeout(options));
  }

  shutdown(options: FlushOptions = {}): Promise<FlushReport> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#shutdown = this.#flush(flushTimeout(options)).then((report) => {
      // Whatever is still in flight is abandoned: its requests are aborted, its turns reported as pending.
      this.#abort.abort();
      for (const lane of this.#lanes) {
        lane.stop();
        if (this.#onDrop !== undefined && lane.pending > 0)
          handOverDrop(this.#onDrop, lane.name, 'shutdown', lane.pendingItems(), undefined, (message) =>
            this.#debug(message),
          );
      }
      this.#debug(
        `shut down: ${report.ok ? 'everything delivered' : `${report.pendingTurns} pending turn(s) lost`}`,
      );
      return report;
    });
    return this.#shutdown;
  }

  /** Runs the app's redact on the private copy; `undefined` means the turn is not to be queued. */
  #applyRedact(copy: Turn): Turn | undefined {
    const result = applyRedact(this.#redact!, copy);
    if (result === null) {
      this.#counts.redactedOut++;
      return undefined;
    }
    if (result instanceof ChatTrailDeliveryError) {
      this.#dropBeforeQueue('redact_error');
      this.#errors.reportOnce(`redact_error:${result.message}`, result);
      return undefined;
    }
    return result;
  }

  /** Counts the messages normalizeTurn left out of a turn (past maxMessagesPerTurn, or holes). */
  #noteLeftOutMessages(metadata: Readonly<Record<string, unknown>>): void {
    const truncated = metadata[TRUNCATED_MESSAGES_KEY];
    const skipped = metadata[SKIPPED_MESSAGES_KEY];
    if (truncated === undefined && skipped === undefined) return;
    const count =
      (typeof truncated === 'number' ? truncated : 0) + (typeof skipped === 'number' ? skipped : 0);
    this.#counts.truncatedMessages += count;
    this.#debug(
      `a turn had more messages than maxMessagesPerTurn (${this.#normalize.maxMessagesPerTurn}) or empty slots: ${count} left out, the newest kept (see ${TRUNCATED_MESSAGES_KEY} in its metadata)`,
    );
  }

  #enqueue(lanes: readonly DeliveryLane[], item: DeliveryItem, bytes: number): void {
    let full = false;
    for (const lane of lanes) {
      lane.enqueue(item, bytes);
      if (lane.queueLength >= this.#flushAt) full = true;
    }
    const waitUntil = this.#waitUntil ?? findWaitUntil();
    if (waitUntil !== undefined) this.#scheduleServerlessFlush(waitUntil);
    else if (full) this.#scheduleKick();
    else this.#armTimer();
  }

  /** A queue reached `flushAt`: start sending right after the current synchronous work, never inside record(). */
  #scheduleKick(): void {
    if (this.#kickScheduled) return;
    this.#kickScheduled = true;
    queueMicrotask(() => {
      this.#kickScheduled = false;
      this.#kickAll();
    });
  }

  #armTimer(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = unrefTimer(
      setTimeout(() => {
        this.#timer = undefined;
        this.#kickAll();
      }, this.#flushIntervalMs),
    );
  }

  #kickAll(): void {
    for (const lane of this.#lanes) lane.kick();
  }

  /**
   * Serverless: the invocation may be frozen as soon as the response is sent, so timers cannot be trusted.
   * Deliver right away and hand the delivery to the platform's `waitUntil`, once per synchronous run of
   * records.
   */
  #scheduleServerlessFlush(waitUntil: WaitUntil): void {
    if (this.#serverlessScheduled) return;
    this.#serverlessScheduled = true;
    const delivery = new Promise<void>((resolve) => {
      queueMicrotask(() => {
        this.#serverlessScheduled = false;
        const deadline = Date.now() + this.#timeoutMs;
        resolve(Promise.all(this.#lanes.map((lane) => lane.drain(deadline))).then(noop, noop));
      });
    });
    try {
      waitUntil(delivery);
    } catch (error) {
      this.#debug(`waitUntil threw (${messageOf(error)}); delivering without it`);
    }
  }

  async #flush(timeoutMs: number): Promise<FlushReport> {
    const started = Date.now();
    const report = await flushLanes(this.#lanes, timeoutMs, this.#errors, (error) =>
      this.#internalError('flush', error),
    );
    this.#debug(
      `flush: ${report.ok ? 'done' : `${report.pendingTurns} pending, ${report.droppedTurns ?? 0} dropped`} in ${Date.now() - started} ms`,
    );
    return report;
  }

  #laneDropped(lane: DeliveryLane, reason: DropReason, items: readonly QueuedItem[], error: unknown): void {
    if (this.#onDrop !== undefined) {
      const dropped = items.map((queued) => queued.item);
      handOverDrop(this.#onDrop, lane.name, reason, dropped, error, (message) => this.#debug(message));
    }
    const status = statusOf(error);
    if (error !== undefined) this.#errors.remember(`${lane.name}: ${messageOf(error)}`);
    if (this.#debugEnabled) {
      this.#debug(
        `${lane.name}: dropped ${describeItems(items)} (${reason}${status === undefined ? '' : ` ${status}`})`,
      );
    }
    // Once per (destination, reason, status): a revoked key must not flood the app's error tracker.
    if (!this.#errors.once(`${reason}:${lane.name}:${status ?? ''}`)) return;
    this.#errors.emit(laneDropError(lane.name, reason, items, error, this.#maxAttempts));
  }

  /** A batch failed transiently and went back to the queue. */
  #laneFailed(lane: DeliveryLane, error: unknown): void {
    if (error instanceof APIConnectionError) this.#unreachable(lane, error);
    else this.#errors.remember(`${lane.name}: ${messageOf(error)}`);
  }

  /**
   * A destination got no response: reported once per destination and cause (code and host), not per
   * retry, and as soon as the first attempt fails (the client's retries of a hung request take several
   * timeouts). Every occurrence goes to the flush reports.
   */
  #unreachable(lane: DeliveryLane, error: APIConnectionError, consequence?: string): void {
    const report = unreachableError(lane.name, error, consequence);
    this.#errors.remember(report.message);
    const kind = consequence === undefined ? 'connection' : 'not-resent';
    if (!this.#errors.once(`${kind}:${lane.name}:${error.code ?? error.name}:${error.host ?? ''}`)) return;
    this.#debug(
      consequence === undefined ? `${report.message} (turns stay queued and are retried)` : report.message,
    );
    this.#errors.emit(report);
  }

  #dropBeforeQueue(reason: DropReason): void {
    this.#dropped[reason]++;
  }

  #internalError(where: string, error: unknown): void {
    try {
      if (where === 'record') this.#dropped.internal_error++;
      if (where === 'feedback') this.#feedback.dropped++;
      this.#errors.reportOnce(
        `internal_error:${where}:${messageOf(error)}`,
        new ChatTrailDeliveryError(`internal error in ${where}(): ${messageOf(error)}`, {
          reason: 'internal_error',
          count: 1,
          cause: error,
        }),
      );
    } catch {
      // Recording must never throw, not even while reporting that it failed.
    }
  }

  /**
   * Counts a thread's consecutive turns that carry none of the previous turn's messages, and warns once
   * per trail when a thread has several: the app most likely sends only the new messages, and then a
   * repeated text is taken for one already sent unless the trail has `turnMessages: 'new'`.
   */
  #noteUnlinkedTurn(previous: RecordedHistory, next: RecordedHistory): void {
    if (!looksLikeNewMessages(previous, next)) return; // left unset (0): no property added on the hot path
    next.unlinkedTurns = (previous.unlinkedTurns ?? 0) + 1;
    if (next.unlinkedTurns < UNLINKED_TURNS_BEFORE_WARNING || !this.#errors.once('warning:unlinked-turns'))
      return;
    console.warn(
      `[chattrail] ${next.unlinkedTurns} turns in a row of one thread carried none of the previous turn's messages. If the app keeps the history itself and sends only the new messages, create the trail with { turnMessages: 'new' }: otherwise a repeated text (a second "yes") is taken for one already sent.`,
    );
  }

  #debug(message: string): void {
    if (this.#debugEnabled) console.debug(`[chattrail] ${message}`);
  }
}

function isDestination(value: unknown): value is ChatTrailDestination {
  const destination = value as Partial<ChatTrailDestination> | null | undefined;
  return typeof destination?.send === 'function' && typeof destination.name === 'string';
}

/** Two destinations of one kind (two Mielto workspaces) get `mielto`, `mielto-2`, ... in stats and logs. */
function uniquelyNamed(destination: ChatTrailDestination, names: Set<string>): ChatTrailDestination {
  let name = destination.name || 'destination';
  for (let n = 2; names.has(name); n++) name = `${destination.name}-${n}`;
  names.add(name);
  if (name === destination.name) return destination;
  return {
    name,
    acceptsFeedback: destination.acceptsFeedback,
    send: (items, context) => destination.send(items, context),
  };
}

const SOURCES = new Set<unknown>(['ai-sdk', 'langchain', 'express', 'manual']);

function sourceOf(turn: unknown): TurnSource {
  const source = (turn as { source?: unknown } | null | undefined)?.source;
  return SOURCES.has(source) ? (source as TurnSource) : 'manual';
}

function flushTimeout(options: FlushOptions | undefined): number {
  const timeoutMs = options?.timeoutMs;
  return typeof timeoutMs === 'number' && timeoutMs >= 0 && Number.isFinite(timeoutMs)
    ? timeoutMs
    : DEFAULT_FLUSH_TIMEOUT_MS;
}

function messageOf(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'unknown error';
  }
}

const check = optionChecker('createChatTrail');

/**
 * `CHATTRAIL_SAMPLE_RATE`, else 1. Unlike an option, a bad value does not throw: a variable set wrong in
 * one environment must not crash the app (the same goes for the destinations' variables). It warns once
 * and the default applies.
 */
function envSampleRate(value: string | undefined): number {
  if (value === undefined) return CHAT_TRAIL_DEFAULTS.sampleRate;
  const rate = /^\d*\.?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (rate >= 0 && rate <= 1) return rate;
  warnOnce(
    `env:CHATTRAIL_SAMPLE_RATE:${value}`,
    `CHATTRAIL_SAMPLE_RATE must be a number from 0 to 1, got ${JSON.stringify(value)}; every thread is recorded (sampleRate 1).`,
  );
  return CHAT_TRAIL_DEFAULTS.sampleRate;
}

/** The queue's bounds. A batch larger than half the queue would leave no room to queue behind it while it hangs. */
function queueLimits(
  options: ChatTrailOptions,
): Pick<LaneHost, 'maxQueueTurns' | 'maxQueueBytes' | 'maxBatchTurns' | 'minBatchIntervalMs'> {
  const maxQueueTurns = check.positiveInteger(
    'maxQueueTurns',
    options.maxQueueTurns,
    CHAT_TRAIL_DEFAULTS.maxQueueTurns,
  );
  const half = Math.ceil(maxQueueTurns / 2);
  const maxBatchTurns = check.positiveInteger(
    'maxBatchTurns',
    options.maxBatchTurns,
    Math.min(CHAT_TRAIL_DEFAULTS.maxBatchTurns, half),
  );
  if (maxBatchTurns > half) {
    check.fail('maxBatchTurns', `at most half of maxQueueTurns (${half})`, maxBatchTurns);
  }
  return {
    maxQueueTurns,
    maxQueueBytes: check.positiveNumber(
      'maxQueueBytes',
      options.maxQueueBytes,
      CHAT_TRAIL_DEFAULTS.maxQueueBytes,
    ),
    maxBatchTurns,
    minBatchIntervalMs: check.nonNegativeNumber(
      'minBatchIntervalMs',
      options.minBatchIntervalMs,
      CHAT_TRAIL_DEFAULTS.minBatchIntervalMs,
    ),
  };
}

function noop(): void {}
