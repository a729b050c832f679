import { getChatTrailContext } from '../context/chat-trail-context';
import type { ChatTrailError } from '../errors';
import { messageOf } from '../internal/message-of';
import { boundId } from '../normalize/bound-id';
import type {
  ChatTrail,
  ChatTrailFeedback,
  ChatTrailStats,
  DropCounts,
  DropReason,
  FlushOptions,
  FlushReport,
} from '../spec/chat-trail';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import type { Turn } from '../spec/turn';
import type { Spool } from '../spool/spool';
import { looksLikeNewMessages } from '../thread/looks-like-new-messages';
import type { RecordedHistory } from '../thread/recorded-history';
import { ThreadLog } from '../thread/thread-log';
import { TurnDelta, turnHead } from '../thread/turn-delta';
import { applyRedact } from './apply-redact';
import { CapturesInProgress, flushAfterCaptures } from './captures-in-progress';
import { ChatTrailDeliveryError } from './chat-trail-delivery-error';
import { CHAT_TRAIL_DEFAULTS, type ChatTrailOptions } from './chat-trail-options';
import { DeliveryLane } from './delivery-lane';
import { estimateMessagesBytes, estimateTurnBytes, estimateTurnHeadBytes } from './estimate-turn-bytes';
import { flushLanes, flushTimeout } from './flush-lanes';
import { GuardedStore } from './guarded-store';
import { isThreadSampled } from './is-thread-sampled';
import { emptyDropCounts, type LaneHost } from './lane-host';
import { LaneReporter } from './lane-reporter';
import { handOverDrop } from './lane-reports';
import { LaneScheduler } from './lane-scheduler';
import { normalizeFeedback } from './normalize-feedback';
import {
  type HistoryReuse,
  type NormalizeTurnOptions,
  normalizeTurn,
  SKIPPED_MESSAGES_KEY,
  TRUNCATED_MESSAGES_KEY,
  turnMessagesMode,
} from './normalize-turn';
import { onBeforeExit } from './on-before-exit';
import { onExitSignal } from './on-exit-signal';
import { QueuedBytes } from './queued-bytes';
import { sourceOf } from './source-of';
import { startWorkerDelivery } from './start-worker-delivery';
import { stopLanes } from './stop-lanes';
import { sumStats } from './sum-stats';
import { trailDestinations } from './trail-destinations';
import { TrailErrors } from './trail-errors';
import type { TrailLane } from './trail-lane';
import { readTrailSettings } from './trail-settings';
import { startTrailSpool } from './trail-spool';

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
  readonly #lanes: TrailLane[] = [];
  readonly #feedbackLanes: TrailLane[] = [];
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
  readonly #debugEnabled: boolean;
  readonly #abort = new AbortController();
  readonly #queued = new QueuedBytes();
  readonly #counts = { recorded: 0, sampledOut: 0, redactedOut: 0, truncatedMessages: 0 };
  readonly #dropped: DropCounts = emptyDropCounts();
  readonly #feedback = { recorded: 0, dropped: 0 };
  readonly #captures = new CapturesInProgress();
  /** `onError` is read when an error comes: it is set in the constructor, after this. */
  readonly #errors = new TrailErrors((error) => this.#onError(error));
  #closed = false;
  #shutdown: Promise<FlushReport> | undefined;
  readonly #scheduler: LaneScheduler;
  readonly #exitFlushMs: number;
  /** Unregisters the `beforeExit` hook (see #flushBeforeExit). */
  readonly #offBeforeExit: () => void;
  /** Unregisters the SIGTERM/SIGINT hook (`handleSignals`). */
  readonly #offSignals: () => void;
  #exitFlush: 'idle' | 'running' | 'gave-up' = 'idle';
  /** Queued items on disk until acknowledged (`spool`); see Spool. */
  readonly #spool: Spool | undefined;

  constructor(options: ChatTrailOptions) {
    const settings = readTrailSettings(options);
    const { env, disabled, limits, backoffInitialMs, backoffMaxMs, destinations: given } = settings;
    this.#debugEnabled = settings.debug;
    this.#sampleRate = settings.sampleRate;
    this.#flushAt = settings.flushAt;
    this.#flushIntervalMs = settings.flushIntervalMs;
    this.#timeoutMs = settings.timeoutMs;
    this.#maxAttempts = settings.maxAttempts;
    this.#normalize = settings.normalize;
    this.#redact = options.redact;
    // Without content capture no copy keeps its text, so none could be matched to a resent message. With a
    // redact function only turns of new messages use it (see record()).
    this.#log = this.#normalize.captureContent
      ? new ThreadLog(LOG_THREADS, LOG_BYTES, LOG_THREAD_BYTES)
      : undefined;
    this.#onDrop = options.onDrop;
    this.#onError = options.onError ?? ((error) => console.warn(`[chattrail] ${error.message}`));

    const destinations = trailDestinations(disabled, given, env, this.#timeoutMs, options);
    this.#inactive = disabled || destinations.length === 0;
    this.#scheduler = new LaneScheduler(
      this.#lanes,
      settings.flushIntervalMs,
      this.#timeoutMs,
      options.waitUntil,
      (message) => this.#debug(message),
    );

    const reporter = new LaneReporter(
      this.#errors,
      this.#onDrop,
      this.#maxAttempts,
      this.#debugEnabled,
      (m) => this.#debug(m),
    );
    const host: LaneHost = {
      ...limits,
      flushAt: this.#flushAt,
      timeoutMs: this.#timeoutMs,
      maxAttempts: this.#maxAttempts,
      backoffInitialMs,
      backoffMaxMs,
      signal: this.#abort.signal,
      queued: this.#queued,
      debug: (message) => this.#debug(message),
      waiting: () => this.#scheduler.armTimer(),
      dropped: (lane, reason, items, error) => reporter.dropped(lane, reason, items, error),
      failed: (lane, error) => reporter.failed(lane, error),
      retrying: (lane, error) => reporter.retrying(lane, error),
      notResent: (lane, error) => reporter.notResent(lane, error),
      settled: (lane, items, outcomes) => this.#spool?.ack(this.#lanes.indexOf(lane), items, outcomes),
      ...(options.store === undefined
        ? {}
        : { store: new GuardedStore(options.store, this.#errors, (m) => this.#debug(m)) }),
    };
    // The seam: the lanes run in a worker thread (Node), else on this thread.
    const inWorker = startWorkerDelivery(settings, destinations, host, reporter);
    for (const [index, destination] of destinations.entries()) {
      const lane = inWorker?.[index] ?? new DeliveryLane(destination, host);
      this.#lanes.push(lane);
      if (destination.acceptsFeedback === true) this.#feedbackLanes.push(lane);
    }
    const spooled = this.#inactive ? undefined : startTrailSpool(options, this.#lanes, this.#errors);
    this.#spool = spooled?.spool;
    if (spooled?.replayed === true) this.#scheduler.queued(true);
    this.#exitFlushMs = settings.exitFlushMs;
    this.#offBeforeExit =
      this.#inactive || this.#exitFlushMs === 0 ? () => {} : onBeforeExit(() => this.#flushBeforeExit());
    this.#offSignals =
      this.#inactive || !settings.handleSignals ? () => {} : onExitSignal(() => this.#shutDownOnSignal());
    this.#debug(
      this.#inactive
        ? `trail created, ${disabled ? 'disabled' : 'without destinations'}: recording nothing`
        : `trail created: ${this.#lanes.map((lane) => lane.name).join(', ')}; sampleRate ${this.#sampleRate}, flushAt ${this.#flushAt}, flushIntervalMs ${this.#flushIntervalMs}, minBatchIntervalMs ${host.minBatchIntervalMs}${inWorker === undefined ? '' : '; delivering from a worker thread'}`,
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
          if (redacted !== undefined) this.#enqueueWhole(redacted);
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
        const head = turnHead(record?.head, copy);
        const logged = log!.update(threadId, record, next, measure, messages);
        if (logged !== undefined) {
          // The lanes queue what is new; the thread's earlier messages stay in the log.
          logged.record.head = head;
          const bytes = estimateTurnHeadBytes(copy) + newBytes;
          const item = TurnDelta.of(copy, head, bytes, logged.log, logged.start, logged.index);
          this.#enqueue(this.#lanes, item, bytes);
          return;
        }
      }
      this.#enqueueWhole(copy);
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
    return sumStats(
      this.#counts,
      this.#dropped,
      this.#feedback,
      this.#lanes,
      this.#queued.bytes,
      this.#spool,
    );
  }

  beginCapture(): () => void {
    // After shutdown() nothing waits for a capture: its turn counts as dropped.shutdown.
    return this.#inactive || this.#shutdown !== undefined ? noCapture : this.#captures.begin();
  }

  flush(options: FlushOptions = {}): Promise<FlushReport> {
    return flushAfterCaptures(
      this.#captures,
      flushTimeout(options),
      (ms) => this.#flush(ms),
      (m) => this.#debug(m),
    );
  }

  shutdown(options: FlushOptions = {}): Promise<FlushReport> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    const timeoutMs = flushTimeout(options);
    // The captures in progress record their turns first; the trail closes once they have ended.
    const flushed = flushAfterCaptures(
      this.#captures,
      timeoutMs,
      (ms) => {
        this.#closed = true;
        this.#scheduler.stop();
        this.#offBeforeExit();
        this.#offSignals();
        return this.#flush(ms);
      },
      (m) => this.#debug(m),
    );
    this.#shutdown = flushed.then(async (report) => {
      await this.#abandon(timeoutMs);
      this.#debug(
        `shut down: ${report.ok ? 'everything delivered' : `${report.pendingTurns} pending turn(s) lost`}`,
      );
      return report;
    });
    return this.#shutdown;
  }

  /**
   * Whatever is still in flight is abandoned: its requests are aborted, its turns handed to onDrop. With a
   * spool, first a grace (at most 1 s, at most the timeout; see stopLanes) so that what was delivered is
   * acknowledged on disk, not sent again by the next start.
   */
  async #abandon(timeoutMs: number): Promise<void> {
    await stopLanes(this.#lanes, this.#abort, this.#spool === undefined ? 0 : Math.min(timeoutMs, 1_000));
    this.#spool?.close(); // acknowledged: written and fsynced; what is pending stays, for the next start
    for (const lane of this.#lanes) {
      if (this.#onDrop !== undefined && lane.pending > 0)
        handOverDrop(this.#onDrop, lane.name, 'shutdown', lane.pendingItems(), undefined, (message) =>
          this.#debug(message),
        );
    }
  }

  /**
   * The event loop emptied with deliveries pending: the app ended without `flush()`. One flush, bounded by
   * `exitFlushMs` (its timer and requests keep the process alive that long, no longer). If it gives up,
   * what is left is reported once on stderr, counts only, and the process is let go: `beforeExit` comes
   * again once the flush settles, and finds nothing more to do.
   */
  #flushBeforeExit(): void {
    if (this.#closed || this.#exitFlush !== 'idle') return;
    if (!this.#lanes.some((lane) => lane.pending > 0)) return;
    this.#exitFlush = 'running';
    this.#debug(`the process is exiting with deliveries pending: flushing for up to ${this.#exitFlushMs} ms`);
    void this.#flush(this.#exitFlushMs).then((report) => {
      if (report.ok) {
        this.#exitFlush = 'idle';
        return;
      }
      this.#exitFlush = 'gave-up';
      // The process is ending: requests still in flight would hold it up to their own timeout. The trail
      // is shut down as shutdown() would after its timeout (later records count as dropped.shutdown).
      this.#closed = true;
      this.#scheduler.stop();
      this.#offBeforeExit();
      this.#reportLost(report, 'the process is exiting without flush()', this.#exitFlushMs);
      void this.#abandon(this.#exitFlushMs);
    });
  }

  /** SIGTERM or SIGINT under `handleSignals`: shut down within `exitFlushMs`, and say what was lost. */
  async #shutDownOnSignal(): Promise<void> {
    const timeoutMs = this.#exitFlushMs > 0 ? this.#exitFlushMs : CHAT_TRAIL_DEFAULTS.exitFlushMs;
    const report = await this.shutdown({ timeoutMs });
    if (!report.ok) this.#reportLost(report, 'the process got a signal to end', timeoutMs);
  }

  /** Once, on stderr, counts only: what an exit could not deliver. Never throws. */
  #reportLost(report: FlushReport, why: string, waitedMs: number): void {
    try {
      const pending = this.#lanes
        .filter((lane) => lane.pending > 0)
        .map((lane) => `${lane.name} ${lane.pending}`);
      const left = [
        pending.length > 0 ? `${report.pendingTurns} turn deliveries pending (${pending.join(', ')})` : '',
        report.droppedTurns !== undefined ? `${report.droppedTurns} dropped` : '',
      ].filter((part) => part !== '');
      console.error(
        `[chattrail] ${why}: after ${waitedMs} ms (exitFlushMs), ${left.join(', ')}; ${this.#spool?.stats().state === 'on' ? `these stay in the spool (${this.#spool.dir}) for the next start` : 'these are lost'}.`,
      );
    } catch {
      // Reporting must never throw into the host.
    }
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

  /** A turn queued with all its messages (not lined up with its thread's log). */
  #enqueueWhole(turn: Turn): void {
    const bytes = estimateTurnBytes(turn);
    this.#enqueue(this.#lanes, TurnDelta.of(turn, turnHead(undefined, turn), bytes), bytes);
  }

  #enqueue(lanes: readonly TrailLane[], item: DeliveryItem, bytes: number): void {
    this.#spool?.append(item); // first: a lane may settle it at once (too_large)
    let full = false;
    for (const lane of lanes) {
      lane.enqueue(item, bytes);
      if (lane.queueLength >= this.#flushAt) full = true;
    }
    this.#scheduler.queued(full);
  }

  async #flush(timeoutMs: number): Promise<FlushReport> {
    const started = Date.now();
    this.#spool?.sync();
    const report = await flushLanes(this.#lanes, timeoutMs, this.#errors, (error) =>
      this.#internalError('flush', error),
    );
    this.#debug(
      `flush: ${report.ok ? 'done' : `${report.pendingTurns} pending, ${report.droppedTurns ?? 0} dropped`} in ${Date.now() - started} ms`,
    );
    return report;
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

function noCapture(): void {}
