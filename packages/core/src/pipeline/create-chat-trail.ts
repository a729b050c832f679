import { getChatTrailContext } from '../context/chat-trail-context';
import { ChatTrailDeliveryError } from '../errors';
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
import { ThreadLog, type ThreadRecord } from '../thread/thread-log';
import { TurnDelta, turnHead } from '../thread/turn-delta';
import { applyRedact } from './apply-redact';
import { CapturesInProgress } from './captures-in-progress';
import type { ChatTrailOptions } from './chat-trail-options';
import { DeliveryLane } from './delivery-lane';
import { estimateMessagesBytes, estimateTurnBytes, estimateTurnHeadBytes } from './estimate-turn-bytes';
import { flushLanes, flushTimeout } from './flush-lanes';
import { GuardedStore } from './guarded-store';
import { isThreadSampled } from './is-thread-sampled';
import { addStats, emptyDropCounts, emptyStats, type LaneHost, QueuedBytes } from './lane-host';
import { handOverDrop, laneReporter } from './lane-reporter';
import { LaneScheduler } from './lane-scheduler';
import { normalizeFeedback } from './normalize-feedback';
import {
  type HistoryReuse,
  normalizeTurn,
  SKIPPED_MESSAGES_KEY,
  TRUNCATED_MESSAGES_KEY,
  turnMessagesMode,
} from './normalize-turn';
import { nonEmptyString } from './normalize-values';
import { sourceOf } from './source-of';
import { startWorkerDelivery } from './start-worker-delivery';
import { stopLanes } from './stop-lanes';
import { trailDestinations } from './trail-destinations';
import { TrailErrors } from './trail-errors';
import { onTrailExit } from './trail-exit';
import type { TrailLane } from './trail-lane';
import { readTrailSettings, type TrailSettings } from './trail-settings';
import { deliveryItemBytes, startTrailSpool } from './trail-spool';

/**
 * Creates a trail: `record(turn)` queues turns; each destination delivers them in the background.
 * @throws {ChatTrailError} for a bad option (never for the environment: it warns once). Once created, nothing
 * it does throws into the app.
 */
export function createChatTrail(options: ChatTrailOptions = {}): ChatTrail {
  return new ChatTrailImpl(options);
}

class ChatTrailImpl implements ChatTrail {
  readonly #lanes: TrailLane[] = [];
  readonly #feedbackLanes: TrailLane[] = [];
  readonly #settings: TrailSettings;
  readonly #inactive: boolean;
  readonly #redact: ChatTrailOptions['redact'];
  readonly #log: ThreadLog | undefined;
  readonly #onDrop: ChatTrailOptions['onDrop'];
  readonly #abort = new AbortController();
  readonly #queued = new QueuedBytes();
  readonly #counts = { recorded: 0, sampledOut: 0, redactedOut: 0, truncatedMessages: 0 };
  readonly #dropped: DropCounts = emptyDropCounts();
  readonly #feedback = { recorded: 0, dropped: 0 };
  readonly #captures = new CapturesInProgress();
  readonly #errors: TrailErrors;
  readonly #debug = (message: string): void => {
    if (this.#settings.debug) console.debug(`[chattrail] ${message}`);
  };
  #closed = false;
  #shutdown: Promise<FlushReport> | undefined;
  readonly #scheduler: LaneScheduler;
  readonly #offExit: (() => void) | undefined;
  readonly #spool: Spool | undefined;

  constructor(options: ChatTrailOptions) {
    const settings = readTrailSettings(options);
    this.#errors = new TrailErrors(options.onError ?? ((e) => console.warn(`[chattrail] ${e.message}`)));
    const { disabled, timeoutMs } = settings;
    this.#settings = settings;
    this.#redact = options.redact;
    // Without content capture no copy keeps its text, so none could be matched to a resent message.
    this.#log = settings.normalize.captureContent ? new ThreadLog() : undefined;
    this.#onDrop = options.onDrop;
    const debug = this.#debug;

    const destinations = trailDestinations(settings, options);
    this.#inactive = disabled || destinations.length === 0;
    const lanes = this.#lanes;
    this.#scheduler = new LaneScheduler(lanes, settings.flushIntervalMs, timeoutMs, options.waitUntil, debug);
    const { maxAttempts } = settings.lane;
    const reporter = laneReporter(this.#errors, this.#onDrop, maxAttempts, settings.debug, debug);
    const { store } = options;
    const ackSpool = (lane: TrailLane, items: readonly DeliveryItem[]) =>
      this.#spool?.ack(lanes.indexOf(lane), items);
    const host: LaneHost = {
      ...settings.lane,
      signal: this.#abort.signal,
      queued: this.#queued,
      debug,
      waiting: () => this.#scheduler.armTimer(),
      ...reporter,
      // The spool forgets a turn either way: delivered, or given up for good.
      delivered: ackSpool,
      gaveUp: ackSpool,
      ...(store === undefined ? {} : { store: new GuardedStore(store, this.#errors, debug) }),
    };
    const inWorker = startWorkerDelivery(settings, destinations, host, reporter);
    for (const [index, destination] of destinations.entries()) {
      const lane = inWorker?.[index] ?? new DeliveryLane(destination, host);
      lanes.push(lane);
      if (destination.acceptsFeedback === true) this.#feedbackLanes.push(lane);
    }
    const spooled = this.#inactive ? undefined : startTrailSpool(options, lanes, this.#errors);
    this.#spool = spooled?.spool;
    if (spooled?.replayed === true) this.#scheduler.queued(true);
    this.#offExit = this.#inactive
      ? undefined
      : onTrailExit(settings.exitFlushMs, settings.handleSignals, {
          lanes,
          spool: () => this.#spool,
          isClosed: () => this.#closed,
          flush: (ms) => this.#flush(ms),
          shutdown: (o) => this.shutdown(o),
          giveUp: (ms) => {
            this.#closed = true;
            this.#scheduler.stop();
            void this.#abandon(ms);
          },
          debug,
        });
    this.#debug(
      this.#inactive
        ? `trail created, ${disabled ? 'disabled' : 'without destinations'}: recording nothing`
        : `trail created: ${lanes.map((lane) => lane.name).join(', ')}; sampleRate ${settings.sampleRate}, flushAt ${settings.flushAt}, flushIntervalMs ${settings.flushIntervalMs}, minBatchIntervalMs ${host.minBatchIntervalMs}${inWorker === undefined ? '' : '; delivering from a worker thread'}`,
    );
  }

  record(turn: Turn): void {
    try {
      const dropped = this.#record(turn);
      if (dropped !== undefined) this.#dropped[dropped]++;
    } catch (error) {
      this.#internalError('record', error);
    }
  }

  /** Queues the turn; the reason when it is dropped before any queue. */
  #record(turn: Turn): DropReason | undefined {
    const context = getChatTrailContext();
    // Before anything else, sampled out or not: the Express adapter reads this to skip its own turn.
    context?.capture?.sources.push(sourceOf(turn));
    if (this.#inactive) return;
    this.#counts.recorded++;
    if (this.#closed) return 'shutdown';
    const raw = turn as Partial<Turn> | null | undefined;
    const givenThreadId = nonEmptyString(raw?.threadId) ?? nonEmptyString(context?.threadId);
    if (givenThreadId === undefined) return 'invalid_turn';
    // As normalizeTurn will send it: a thread id too long to send is hashed, and sampled and cached by that.
    const threadId = boundId(givenThreadId);
    if (this.#settings.sampleRate < 1 && !isThreadSampled(threadId, this.#settings.sampleRate)) {
      this.#counts.sampledOut++;
      return;
    }
    // Under redact only turns of new messages use the log (cloning whole histories would cost more).
    const mode = turnMessagesMode(turn, context, this.#settings.normalize);
    const log = this.#redact !== undefined && mode !== 'new' ? undefined : this.#log;
    const record = log?.get(threadId);
    const reuse: HistoryReuse | undefined = log === undefined ? undefined : { previous: record?.history };
    let copy = normalizeTurn(turn, this.#settings.normalize, context, reuse, mode);
    if (copy === undefined) return 'invalid_turn';
    const leftOut = leftOutMessages(copy.metadata);
    if (leftOut > 0) {
      this.#counts.truncatedMessages += leftOut;
      this.#debug(
        `a turn had more messages than maxMessagesPerTurn (${this.#settings.normalize.maxMessagesPerTurn}) or empty slots: ${leftOut} left out, the newest kept (see ${TRUNCATED_MESSAGES_KEY} in its metadata)`,
      );
    }
    const next = reuse?.next;
    noteUnlinkedTurn(reuse?.previous, next, this.#errors);
    if (this.#redact !== undefined) {
      // The log's copies are the history's own: redact gets a clone, and the log takes what it returns.
      const redacted = this.#applyRedact(next === undefined ? copy : structuredClone(copy));
      if (next !== undefined && redacted?.messages.length !== next.messages.length) {
        // Skipped, or reshaped so that its messages no longer line up with the history: not logged.
        log!.keepHistory(threadId, record, next);
        if (redacted !== undefined) this.#enqueueWhole(redacted);
        return;
      }
      if (redacted === undefined) return;
      copy = redacted;
    }
    const delta = next === undefined ? undefined : logTurnDelta(log!, threadId, record, next, copy);
    if (delta === undefined) this.#enqueueWhole(copy);
    else this.#enqueue(this.#lanes, delta, delta.bytes);
  }

  feedback(feedback: ChatTrailFeedback): void {
    try {
      if (this.#inactive) return;
      this.#feedback.recorded++;
      const item = this.#closed ? undefined : normalizeFeedback(feedback, this.#settings.normalize);
      if (item !== undefined && this.#feedbackLanes.length > 0) {
        this.#enqueue(this.#feedbackLanes, item, deliveryItemBytes(item));
        return;
      }
      this.#feedback.dropped++;
      if (this.#closed) return;
      if (item === undefined)
        this.#debug('feedback ignored: it needs a threadId and a type of "positive" or "negative"');
      else if (this.#errors.once('feedback:no-destination'))
        this.#debug('feedback is sent to Melodi only, and this trail has no Melodi destination; ignored');
    } catch (error) {
      this.#internalError('feedback', error);
    }
  }

  /** Its own counts (before any queue) plus every lane's; `queuedBytes` counts each item once. */
  stats(): ChatTrailStats {
    const destinations: ChatTrailStats['destinations'] = {};
    const spool = this.#spool;
    let sum = emptyStats();
    for (const [i, lane] of this.#lanes.entries()) {
      const snapshot = lane.snapshot();
      if (spool !== undefined) snapshot.dropped.spool_full = spool.dropped[i]!;
      destinations[lane.name] = snapshot;
      sum = addStats(sum, snapshot);
    }
    const { backoffMs, feedback, ...totals } = sum;
    feedback.recorded = this.#feedback.recorded;
    feedback.dropped += this.#feedback.dropped;
    const stats: ChatTrailStats = {
      ...this.#counts,
      ...totals,
      dropped: addStats(totals.dropped, this.#dropped),
      // Lanes read the same thread arrays (one object per turn): the largest share stands for all.
      queuedBytes: this.#queued.bytes + Math.max(0, ...this.#lanes.map((lane) => lane.pins.bytes)),
      feedback,
      destinations,
    };
    if (spool !== undefined) stats.spool = spool.stats();
    return stats;
  }

  beginCapture(): () => void {
    // After shutdown() nothing waits for a capture: its turn counts as dropped.shutdown.
    return this.#inactive || this.#shutdown !== undefined ? noCapture : this.#captures.begin();
  }

  flush(options: FlushOptions = {}): Promise<FlushReport> {
    return this.#captures.flushAfter(flushTimeout(options), (ms) => this.#flush(ms), this.#debug);
  }

  shutdown(options: FlushOptions = {}): Promise<FlushReport> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    const timeoutMs = flushTimeout(options);
    // The captures in progress record their turns first; the trail closes once they have ended.
    const flushed = this.#captures.flushAfter(timeoutMs, (ms) => this.#closeAndFlush(ms), this.#debug);
    this.#shutdown = flushed.then(async (report) => {
      await this.#abandon(timeoutMs);
      this.#debug(
        `shut down: ${report.ok ? 'everything delivered' : `${report.pendingTurns} pending turn(s) lost`}`,
      );
      return report;
    });
    return this.#shutdown;
  }

  /** Aborts what is in flight (with a spool after a grace) and hands what is pending to onDrop. */
  async #abandon(timeoutMs: number): Promise<void> {
    await stopLanes(this.#lanes, this.#abort, this.#spool === undefined ? 0 : Math.min(timeoutMs, 1_000));
    this.#spool?.close(); // acknowledged: written and fsynced; what is pending stays, for the next start
    for (const lane of this.#lanes) {
      if (this.#onDrop === undefined || lane.pending === 0) continue;
      handOverDrop(this.#onDrop, lane.name, 'shutdown', lane.pendingItems(), undefined, this.#debug);
    }
  }

  #applyRedact(copy: Turn): Turn | undefined {
    const result = applyRedact(this.#redact!, copy);
    if (result === null) this.#counts.redactedOut++;
    else if (!(result instanceof ChatTrailDeliveryError)) return result;
    else {
      this.#dropped.redact_error++;
      this.#errors.reportOnce(`redact_error:${result.message}`, result);
    }
    return undefined;
  }

  #enqueueWhole(turn: Turn): void {
    const bytes = estimateTurnBytes(turn);
    this.#enqueue(this.#lanes, TurnDelta.of(turn, turnHead(undefined, turn), bytes), bytes);
  }

  #enqueue(lanes: readonly TrailLane[], item: DeliveryItem, bytes: number): void {
    this.#spool?.append(item); // first: a lane may settle it at once (too_large)
    let full = false;
    for (const lane of lanes) {
      lane.enqueue(item, bytes);
      if (lane.queueLength >= this.#settings.flushAt) full = true;
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

  /** No more records (they count as dropped.shutdown), no more timers or exit hooks; then the last flush. */
  #closeAndFlush(timeoutMs: number): Promise<FlushReport> {
    this.#closed = true;
    this.#scheduler.stop();
    this.#offExit?.();
    return this.#flush(timeoutMs);
  }

  #internalError(where: string, error: unknown): void {
    try {
      if (where === 'record') this.#dropped.internal_error++;
      if (where === 'feedback') this.#feedback.dropped++;
      this.#errors.reportInternal(where, error);
    } catch {
      // Recording must never throw, not even while reporting that it failed.
    }
  }
}

function noCapture(): void {}

function leftOutMessages(metadata: Readonly<Record<string, unknown>> | undefined): number {
  const truncated = metadata?.[TRUNCATED_MESSAGES_KEY];
  const skipped = metadata?.[SKIPPED_MESSAGES_KEY];
  return (typeof truncated === 'number' ? truncated : 0) + (typeof skipped === 'number' ? skipped : 0);
}

/** Logs a turn's history and returns the turn with only its new messages; `undefined`: the log could not. */
function logTurnDelta(
  log: ThreadLog,
  threadId: string,
  record: ThreadRecord | undefined,
  next: RecordedHistory,
  turn: Turn,
): TurnDelta | undefined {
  const head = turnHead(record?.head, turn);
  const logged = log.update(threadId, record, next, estimateMessagesBytes, turn.messages);
  if (logged === undefined) return undefined;
  logged.record.head = head;
  const bytes = estimateTurnHeadBytes(turn) + logged.added;
  const delta = TurnDelta.of(turn, head, bytes, logged.log, logged.start, logged.index);
  delta.threadBytes = Math.max(0, Math.ceil(logged.record.bytes - logged.added));
  return delta;
}

// An edit of the first message also carries nothing of the previous turn; three in a row rarely are edits.
const UNLINKED_TURNS_BEFORE_WARNING = 3;

/** Counts a thread's turns in a row that carry none of the previous one's messages; warns once at 3. */
function noteUnlinkedTurn(
  previous: RecordedHistory | undefined,
  next: RecordedHistory | undefined,
  errors: TrailErrors,
): void {
  // Left unset (0) otherwise: no property added on the hot path.
  if (!previous || !next || next.newMessages === true || !looksLikeNewMessages(previous, next)) return;
  next.unlinkedTurns = (previous.unlinkedTurns ?? 0) + 1;
  if (next.unlinkedTurns < UNLINKED_TURNS_BEFORE_WARNING || !errors.once('warning:unlinked-turns')) return;
  console.warn(
    `[chattrail] ${next.unlinkedTurns} turns in a row of one thread carried none of the previous turn's messages. If the app keeps the history itself and sends only the new messages, create the trail with { turnMessages: 'new' }: otherwise a repeated text (a second "yes") is taken for one already sent.`,
  );
}
