import { getChatTrailContext } from '../context/chat-trail-context';
import { warnIgnoredRetries } from '../destinations/warn-ignored-retries';
import { APIConnectionError, type ChatTrailError } from '../errors';
import { unrefTimer } from '../internal/unref-timer';
import { boundId } from '../normalize/bound-id';
import { truncateUtf8 } from '../normalize/truncate-utf8';
import { wellFormed } from '../normalize/well-formed';
import { optionChecker } from '../options/option-checker';
import { warnOnce } from '../options/warn-once';
import type {
  ChatTrail,
  ChatTrailDrop,
  ChatTrailFeedback,
  ChatTrailStats,
  DropCounts,
  DropReason,
  FlushOptions,
  FlushReport,
} from '../spec/chat-trail';
import type { ChatTrailDestination, DeliveryItem } from '../spec/chat-trail-destination';
import type { Turn, TurnSource } from '../spec/turn';
import { HistoryCache, type RecordedHistory } from '../thread/history-cache';
import { looksLikeNewMessages } from '../thread/looks-like-new-messages';
import type { TurnShare } from '../thread/turn-share';
import { ChatTrailConnectionError } from './chat-trail-connection-error';
import { ChatTrailDeliveryError } from './chat-trail-delivery-error';
import { CHAT_TRAIL_DEFAULTS, type ChatTrailOptions } from './chat-trail-options';
import { checkRedactedTurn } from './check-redacted-turn';
import { DeliveryLane, emptyDropCounts, type LaneHost, type QueuedItem } from './delivery-lane';
import { destinationsFromEnv } from './destinations-from-env';
import { estimateEarlierBytes, estimateQueuedTurnBytes, estimateTurnBytes } from './estimate-turn-bytes';
import { findWaitUntil, type WaitUntil } from './find-wait-until';
import { isThreadSampled } from './is-thread-sampled';
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

const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;
/** Distinct failures kept for flush reports, and distinct keys remembered for "report once". */
const MAX_REMEMBERED = 100;
const FEEDBACK_BYTES = 256;
/** UTF-8 bytes kept of a feedback attribute's name and of the user's email, name and username. */
const FEEDBACK_FIELD_BYTES = 1024;
// Histories kept for reuse: enough for the threads active at once on a busy server; most of it is shared
// with turns still queued anyway. The byte bound is what limits memory (each entry's estimate includes its
// overhead); 1,000 threads thrashed with 2,000 chats in turn, and every turn of every thread was then
// normalised, hashed and serialised from scratch (and a trimmed history lost its alignment).
const HISTORY_CACHE_THREADS = 10_000;
// An edit of the first message also carries nothing of the previous turn; three in a row rarely are edits.
const UNLINKED_TURNS_BEFORE_WARNING = 3;
const HISTORY_CACHE_BYTES = 8 * 1024 * 1024;

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

interface TimedError {
  at: number;
  message: string;
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
  /** Last recorded history per thread, so resent messages are not normalised again (none with `redact`). */
  readonly #history: HistoryCache | undefined;
  readonly #onError: (error: ChatTrailError) => void;
  readonly #onDrop: ChatTrailOptions['onDrop'];
  readonly #waitUntil: WaitUntil | undefined;
  readonly #debugEnabled: boolean;
  readonly #abort = new AbortController();
  readonly #counts = { recorded: 0, sampledOut: 0, redactedOut: 0, truncatedMessages: 0 };
  readonly #dropped: DropCounts = emptyDropCounts();
  readonly #feedback = { recorded: 0, dropped: 0 };
  readonly #reported = new Set<string>();
  readonly #errors: TimedError[] = [];
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
    this.#history = this.#normalize.captureContent
      ? new HistoryCache(HISTORY_CACHE_THREADS, HISTORY_CACHE_BYTES)
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
        } else this.#remember(`${lane.name}: ${messageOf(error)}`);
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
      // A redact function may rewrite the messages it is given, and a resent history shares its copies with
      // the cache (and the queue): such turns never use the cache when there is one. A turn of new messages
      // shares none, so it does, and redact gets a clone of it (see below).
      const mode = turnMessagesMode(turn, context, this.#normalize);
      const reuse: HistoryReuse | undefined =
        this.#history === undefined || (this.#redact !== undefined && mode !== 'new')
          ? undefined
          : { previous: this.#history.get(threadId) };
      let copy = normalizeTurn(turn, this.#normalize, context, reuse, mode);
      if (copy === undefined) {
        this.#dropBeforeQueue('invalid_turn');
        return;
      }
      if (copy.metadata !== undefined) this.#noteLeftOutMessages(copy.metadata);
      // Measured once: the cache and the queues bound the same copy, unless redact makes another.
      let bytes: number | undefined;
      // Of `bytes`, what the thread's previous turn holds too (the copies the cache lent this one).
      let shared = 0;
      const next = reuse?.next;
      if (next !== undefined) {
        const previous = reuse!.previous;
        const measured = estimateQueuedTurnBytes(copy, previous?.messages ?? [], previous?.messageBytes);
        ({ bytes, shared } = measured);
        next.bytes = bytes;
        next.messageBytes = measured.messageBytes;
        if (reuse!.previous !== undefined && next.newMessages !== true) {
          this.#noteUnlinkedTurn(reuse!.previous, next);
        }
        // Until redact has run, nothing of this turn may reach a destination as an earlier message.
        if (this.#redact !== undefined) next.redacted = null;
        this.#history!.set(threadId, next);
      }
      let positions = next?.positions;
      let earlier = next?.earlier;
      if (this.#redact !== undefined) {
        const redacted = this.#applyRedact(next === undefined ? copy : structuredClone(copy));
        if (redacted === undefined) return;
        shared = 0; // redact works on a clone: it shares nothing with the previous turn
        if (next !== undefined) {
          bytes = estimateTurnBytes(redacted);
          // Positions and earlier messages hold per index only if redact kept every message in its place.
          if (redacted.messages.length === next.messages.length) next.redacted = redacted.messages;
          else positions = earlier = undefined;
        }
        copy = redacted;
      }
      const item: DeliveryItem =
        positions === undefined
          ? { type: 'turn', turn: copy }
          : earlier === undefined
            ? { type: 'turn', turn: copy, positions }
            : { type: 'turn', turn: copy, positions, earlier };
      bytes ??= estimateTurnBytes(copy);
      if (item.earlier !== undefined) {
        // The previous turn's messages this one carries for the destinations: queued as long as it is.
        const held = estimateEarlierBytes(item.earlier.messages);
        bytes += held.bytes;
        shared += held.shared;
      }
      this.#enqueue(this.#lanes, item, bytes, shared, reuse?.previous?.shares, next);
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
      const item = this.#normalizeFeedback(feedback);
      if (item === undefined) {
        this.#feedback.dropped++;
        this.#debug('feedback ignored: it needs a threadId and a type of "positive" or "negative"');
        return;
      }
      if (this.#feedbackLanes.length === 0) {
        this.#feedback.dropped++;
        if (this.#once('feedback:no-destination')) {
          this.#debug('feedback is sent to Melodi only, and this trail has no Melodi destination; ignored');
        }
        return;
      }
      this.#enqueue(this.#feedbackLanes, item, FEEDBACK_BYTES + (item.feedback.text?.length ?? 0));
    } catch (error) {
      this.#internalError('feedback', error);
    }
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
          this.#handOver(lane.name, 'shutdown', lane.pendingItems());
      }
      this.#debug(
        `shut down: ${report.ok ? 'everything delivered' : `${report.pendingTurns} pending turn(s) lost`}`,
      );
      return report;
    });
    return this.#shutdown;
  }

  stats(): ChatTrailStats {
    const destinations: ChatTrailStats['destinations'] = {};
    const dropped: DropCounts = { ...this.#dropped };
    const stats: ChatTrailStats = {
      ...this.#counts,
      sent: 0,
      sentMessages: 0,
      requests: 0,
      retried: 0,
      ambiguous: 0,
      dropped,
      queuedTurns: 0,
      queuedBytes: 0,
      feedback: { recorded: this.#feedback.recorded, sent: 0, dropped: this.#feedback.dropped },
      destinations,
    };
    for (const lane of this.#lanes) {
      const snapshot = lane.snapshot();
      destinations[lane.name] = snapshot;
      stats.sent += snapshot.sent;
      stats.sentMessages += snapshot.sentMessages;
      stats.requests += snapshot.requests;
      stats.retried += snapshot.retried;
      stats.ambiguous += snapshot.ambiguous;
      stats.queuedTurns += snapshot.queuedTurns;
      stats.queuedBytes += snapshot.queuedBytes;
      stats.feedback.sent += snapshot.feedback.sent;
      stats.feedback.dropped += snapshot.feedback.dropped;
      for (const reason of Object.keys(dropped) as DropReason[]) dropped[reason] += snapshot.dropped[reason];
    }
    return stats;
  }

  /** Runs the app's redact on the private copy; `undefined` means the turn is not to be queued. */
  #applyRedact(copy: Turn): Turn | undefined {
    let result: unknown;
    try {
      result = this.#redact!(copy);
    } catch (error) {
      this.#dropBeforeQueue('redact_error');
      this.#reportOnce(
        `redact_error:${messageOf(error)}`,
        new ChatTrailDeliveryError(`redact threw, so the turn was dropped unsent: ${messageOf(error)}`, {
          reason: 'redact_error',
          count: 1,
          cause: error,
        }),
      );
      return undefined;
    }
    if (result === null) {
      this.#counts.redactedOut++;
      return undefined;
    }
    const turn = result as Partial<Turn> | undefined;
    if (
      turn === undefined ||
      typeof turn !== 'object' ||
      typeof turn.threadId !== 'string' ||
      !Array.isArray(turn.messages)
    ) {
      this.#dropBeforeQueue('redact_error');
      this.#reportOnce(
        'redact_error:shape',
        new ChatTrailDeliveryError(
          'redact must return the turn (changed or not) or null to skip it; it returned something else, so the turn was dropped unsent',
          { reason: 'redact_error', count: 1 },
        ),
      );
      return undefined;
    }
    const problem = checkRedactedTurn(turn as Turn);
    if (problem !== undefined) {
      this.#dropBeforeQueue('redact_error');
      this.#reportOnce(
        `redact_error:${problem}`,
        new ChatTrailDeliveryError(
          `redact returned a turn that cannot be sent (${problem}), so the turn was dropped unsent`,
          { reason: 'redact_error', count: 1 },
        ),
      );
      return undefined;
    }
    return turn as Turn;
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

  /**
   * `shared`, `before`: see `DeliveryLane.enqueue`; `before` as the thread's previous turn's `history` got
   * it, and this turn's `history` gets what the lanes return, for the next.
   */
  #enqueue(
    lanes: readonly DeliveryLane[],
    item: DeliveryItem,
    bytes: number,
    shared = 0,
    before?: readonly (TurnShare | undefined)[],
    history?: RecordedHistory,
  ): void {
    let full = false;
    const shares = history === undefined ? undefined : new Array<TurnShare | undefined>(lanes.length);
    for (let i = 0; i < lanes.length; i++) {
      const lane = lanes[i]!;
      const share = lane.enqueue(item, bytes, shared, before?.[i]);
      if (shares !== undefined) shares[i] = share;
      if (lane.queueLength >= this.#flushAt) full = true;
    }
    if (history !== undefined) history.shares = shares;
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
    const droppedBefore = this.#deliveryDrops();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = started + timeoutMs;
    try {
      // Raced with a timer so a hanging backend cannot hold the caller past timeoutMs.
      await Promise.race([
        Promise.all(this.#lanes.map((lane) => lane.drain(deadline))),
        new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
    } catch (error) {
      this.#internalError('flush', error);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
    const pendingTurns = this.#lanes.reduce((sum, lane) => sum + lane.pending, 0);
    const droppedTurns = this.#deliveryDrops() - droppedBefore;
    const errors = [...new Set(this.#errors.filter((e) => e.at >= started).map((e) => e.message))];
    const report: FlushReport = { ok: pendingTurns === 0 && droppedTurns === 0, pendingTurns };
    if (droppedTurns > 0) report.droppedTurns = droppedTurns;
    if (errors.length > 0) report.errors = errors;
    this.#debug(
      `flush: ${report.ok ? 'done' : `${pendingTurns} pending, ${droppedTurns} dropped`} in ${Date.now() - started} ms`,
    );
    return report;
  }

  #deliveryDrops(): number {
    let total = 0;
    for (const lane of this.#lanes) {
      const { dropped, feedback } = lane.snapshot();
      total +=
        dropped.queue_full +
        dropped.permanent_error +
        dropped.too_large +
        dropped.internal_error +
        dropped.retries_exhausted;
      total += feedback.dropped;
    }
    return total;
  }

  #laneDropped(lane: DeliveryLane, reason: DropReason, items: readonly QueuedItem[], error: unknown): void {
    if (this.#onDrop !== undefined) {
      this.#handOver(
        lane.name,
        reason,
        items.map((queued) => queued.item),
        error,
      );
    }
    const status = statusOf(error);
    if (error !== undefined) this.#remember(`${lane.name}: ${messageOf(error)}`);
    if (this.#debugEnabled) {
      this.#debug(
        `${lane.name}: dropped ${describeItems(items)} (${reason}${status === undefined ? '' : ` ${status}`})`,
      );
    }
    // Once per (destination, reason, status): a revoked key must not flood the app's error tracker.
    if (!this.#once(`${reason}:${lane.name}:${status ?? ''}`)) return;
    const what = describeItems(items);
    const message =
      reason === 'queue_full'
        ? `${lane.name} destination: queue full, dropping the oldest queued turns to make room (is the backend reachable? see maxQueueTurns / maxQueueBytes)`
        : reason === 'retries_exhausted'
          ? `${lane.name} destination gave up on ${what} after ${this.#maxAttempts} failed attempts while it accepted others (retries_exhausted${status === undefined ? '' : `, HTTP ${status}`}; see maxAttempts): ${messageOf(error)}`
          : `${lane.name} destination dropped ${what} (${reason}${status === undefined ? '' : `, HTTP ${status}`}): ${messageOf(error)}`;
    this.#emitError(
      new ChatTrailDeliveryError(message, {
        reason,
        destination: lane.name,
        status,
        count: items.length,
        cause: error,
      }),
    );
  }

  /** A batch failed transiently and went back to the queue. */
  #laneFailed(lane: DeliveryLane, error: unknown): void {
    if (error instanceof APIConnectionError) this.#unreachable(lane, error);
    else this.#remember(`${lane.name}: ${messageOf(error)}`);
  }

  /**
   * A destination got no response: reported once per destination and cause (code and host), not per
   * retry, and as soon as the first attempt fails (the client's retries of a hung request take several
   * timeouts). Every occurrence goes to the flush reports.
   */
  #unreachable(lane: DeliveryLane, error: APIConnectionError, consequence?: string): void {
    const message = `${lane.name}: ${error.summary}${consequence === undefined ? '' : `; ${consequence}`}`;
    this.#remember(message);
    const kind = consequence === undefined ? 'connection' : 'not-resent';
    if (!this.#once(`${kind}:${lane.name}:${error.code ?? error.name}:${error.host ?? ''}`)) return;
    this.#debug(consequence === undefined ? `${message} (turns stay queued and are retried)` : message);
    this.#emitError(
      new ChatTrailConnectionError(message, {
        destination: lane.name,
        ...(error.code === undefined ? {} : { code: error.code }),
        ...(error.host === undefined ? {} : { host: error.host }),
        cause: error,
      }),
    );
  }

  /** Gives dropped items to `onDrop`; nothing it does (or throws) reaches the trail. */
  #handOver(destination: string, reason: DropReason, items: readonly DeliveryItem[], error?: unknown): void {
    const drop: ChatTrailDrop = { destination, reason, turns: [], feedback: [] };
    for (const item of items) {
      if (item.type === 'turn') drop.turns.push(item.turn);
      else drop.feedback.push(item.feedback);
    }
    if (error !== undefined) drop.error = error;
    try {
      this.#onDrop!(drop);
    } catch (hookError) {
      this.#debug(`onDrop threw (${messageOf(hookError)}); ignored`);
    }
  }

  #dropBeforeQueue(reason: DropReason): void {
    this.#dropped[reason]++;
  }

  #internalError(where: string, error: unknown): void {
    try {
      if (where === 'record') this.#dropped.internal_error++;
      if (where === 'feedback') this.#feedback.dropped++;
      this.#reportOnce(
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

  #reportOnce(key: string, error: ChatTrailError): void {
    this.#remember(error.message);
    if (this.#once(key)) this.#emitError(error);
  }

  #emitError(error: ChatTrailError): void {
    try {
      this.#onError(error);
    } catch {
      // An observer must not change what the trail does.
    }
  }

  /** True the first time `key` is seen (bounded, so a stream of distinct failures cannot grow memory). */
  #once(key: string): boolean {
    if (this.#reported.has(key)) return false;
    if (this.#reported.size >= MAX_REMEMBERED) return false;
    this.#reported.add(key);
    return true;
  }

  #remember(message: string): void {
    this.#errors.push({ at: Date.now(), message });
    if (this.#errors.length > MAX_REMEMBERED) this.#errors.splice(0, this.#errors.length - MAX_REMEMBERED);
  }

  #normalizeFeedback(input: ChatTrailFeedback): Extract<DeliveryItem, { type: 'feedback' }> | undefined {
    if (input === null || typeof input !== 'object') return undefined;
    // Ids bounded as normalizeTurn bounds them, so feedback reaches the thread its turns went to.
    const threadId = typeof input.threadId === 'string' && input.threadId !== '' ? input.threadId : undefined;
    if (threadId === undefined || (input.type !== 'positive' && input.type !== 'negative')) return undefined;
    const feedback: ChatTrailFeedback = { threadId: boundId(threadId), type: input.type };
    if (typeof input.messageId === 'string' && input.messageId !== '') {
      feedback.messageId = boundId(input.messageId);
    }
    const maxBytes = this.#normalize.maxMessageBytes;
    if (typeof input.text === 'string' && this.#normalize.captureContent) {
      feedback.text = wellFormed(truncateUtf8(input.text, maxBytes));
    }
    if (input.attributes !== null && typeof input.attributes === 'object') {
      const attributes: Record<string, string> = {};
      for (const [key, value] of Object.entries(input.attributes)) {
        if (key !== '__proto__' && (typeof value === 'string' || typeof value === 'number')) {
          attributes[wellFormed(truncateUtf8(key, FEEDBACK_FIELD_BYTES))] = wellFormed(
            truncateUtf8(String(value), maxBytes),
          );
        }
      }
      feedback.attributes = attributes;
    }
    const user = input.user;
    if (user !== null && typeof user === 'object' && typeof user.id === 'string' && user.id !== '') {
      feedback.user = { id: boundId(user.id) };
      if (typeof user.email === 'string')
        feedback.user.email = wellFormed(truncateUtf8(user.email, FEEDBACK_FIELD_BYTES));
      if (typeof user.name === 'string')
        feedback.user.name = wellFormed(truncateUtf8(user.name, FEEDBACK_FIELD_BYTES));
      if (typeof user.username === 'string') {
        feedback.user.username = wellFormed(truncateUtf8(user.username, FEEDBACK_FIELD_BYTES));
      }
    }
    return { type: 'feedback', feedback };
  }

  /**
   * Counts a thread's consecutive turns that carry none of the previous turn's messages, and warns once
   * per trail when a thread has several: the app most likely sends only the new messages, and then a
   * repeated text is taken for one already sent unless the trail has `turnMessages: 'new'`.
   */
  #noteUnlinkedTurn(previous: RecordedHistory, next: RecordedHistory): void {
    if (!looksLikeNewMessages(previous, next)) return; // left unset (0): no property added on the hot path
    next.unlinkedTurns = (previous.unlinkedTurns ?? 0) + 1;
    if (next.unlinkedTurns < UNLINKED_TURNS_BEFORE_WARNING || !this.#once('warning:unlinked-turns')) return;
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

function describeItems(items: readonly QueuedItem[]): string {
  const turns = items.filter((queued) => queued.item.type === 'turn').length;
  const feedback = items.length - turns;
  const parts: string[] = [];
  if (turns > 0) parts.push(`${turns} turn${turns === 1 ? '' : 's'}`);
  if (feedback > 0) parts.push(`${feedback} feedback item${feedback === 1 ? '' : 's'}`);
  return parts.join(' and ') || 'nothing';
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
