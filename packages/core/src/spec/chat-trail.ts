/**
 * The specification of a trail: what `createChatTrail` returns and what its methods report. Types only;
 * the implementation lives in `create-chat-trail.ts`.
 */
import type { Turn, TurnUser } from './turn';
import type { TurnRecorder } from './turn-recorder';

/** A thumbs up or down on a thread (or one of its messages), forwarded to Melodi's feedback API. */
export interface ChatTrailFeedback {
  /** The app's thread id, as recorded in the turns. */
  threadId: string;
  /** The message the feedback is about (a `TurnMessage.id`); without it Melodi attaches it to the thread's last message. */
  messageId?: string;
  type: 'positive' | 'negative';
  /** Free text the user wrote. */
  text?: string;
  /** `{ attribute: option }` pairs defined in the Melodi project. Values are sent as strings. */
  attributes?: Record<string, string>;
  /** Who gave the feedback; defaults to nobody (Melodi keeps the thread's user). */
  user?: TurnUser;
}

/** Options of {@link ChatTrail.flush} and {@link ChatTrail.shutdown}. */
export interface FlushOptions {
  /** The promise resolves by then at the latest, whatever the backends do. Default 10,000 ms. */
  timeoutMs?: number;
}

/** What `flush()` and `shutdown()` resolve to: what could not be sent. */
export interface FlushReport {
  /** True when every queued turn was delivered and nothing was dropped while flushing. */
  ok: boolean;
  /**
   * Turns still queued or in flight when the call resolved, summed over destinations (a turn waiting for
   * both Mielto and Melodi counts twice). After `shutdown()` these are lost.
   */
  pendingTurns: number;
  /** Turn deliveries dropped while the call ran (permanent errors, too large, retries exhausted, queue full), if any. */
  droppedTurns?: number;
  /** One line per distinct failure seen while the call ran, if any. Never contains an API key. */
  errors?: string[];
  /**
   * Captures still in progress at the timeout (see {@link ChatTrail.beginCapture}), if any: their turns
   * were not recorded yet. They are recorded when they end, but no later flush waits for them again.
   */
  openCaptures?: number;
}

/**
 * Why a turn (or, for `queue_full`, `permanent_error` and `too_large`, one delivery of it to one
 * destination) was not sent.
 */
export type DropReason =
  /** The destination's queue hit `maxQueueTurns` or `maxQueueBytes`; the oldest queued turn made room. */
  | 'queue_full'
  /** The backend refused it for good (400, 401, 402, 403, 404, 409, 422). */
  | 'permanent_error'
  /**
   * The backend answered 413 even for a request holding a single message or thread; or the turn is larger
   * than a batch may be (half of `maxQueueBytes`): dropped as it was recorded, without evicting others.
   */
  | 'too_large'
  /** `record()` was called after `shutdown()`. */
  | 'shutdown'
  /** The `redact` function threw or returned something that is not a turn; the turn is never sent unredacted. */
  | 'redact_error'
  /** Not a turn: not an object, or no thread id (neither on the turn nor in the `withChatTrail` context). */
  | 'invalid_turn'
  /** A bug in chattrail or in a custom destination; reported through `onError`. */
  | 'internal_error'
  /**
   * The backend failed it transiently (5xx, network) `maxAttempts` times while it delivered other turns
   * meanwhile: a turn it cannot take, given up so that it does not hold back its thread for ever.
   */
  | 'retries_exhausted'
  /**
   * The spool's directory reached `spool.maxBytes`: its oldest segment was deleted with deliveries not yet
   * acknowledged. Those no longer survive a restart (one still queued in memory is still sent).
   */
  | 'spool_full';

/** Counts per drop reason. */
export type DropCounts = Record<DropReason, number>;

/**
 * What `onDrop` is handed: queued turns (and feedback) a destination gave up on, as they would have been
 * sent (normalised, redacted). A dead letter: persist them and `record()` them again later — message ids
 * are stable, so what did reach a backend is not stored twice. The turns are the trail's own copies, shared
 * with turns still queued for other destinations: read them (serialise them), do not change them.
 */
export interface ChatTrailDrop {
  /** The destination that gave up on them. */
  destination: string;
  /**
   * Why: `queue_full`, `permanent_error`, `too_large`, `retries_exhausted`, `internal_error`, or
   * `shutdown` for what was still pending when `shutdown()` gave up at its timeout.
   */
  reason: DropReason;
  turns: Turn[];
  feedback: ChatTrailFeedback[];
  /** The failure, when there was one (a client error: it never carries the API key). */
  error?: unknown;
}

/** Feedback counters. */
export interface FeedbackStats {
  /** `feedback()` calls accepted. */
  recorded: number;
  /** Deliveries that reached a backend. */
  sent: number;
  /** Deliveries given up (invalid, no destination that takes feedback, permanent error, queue full, shutdown). */
  dropped: number;
}

/** Delivery counters of one destination. */
export interface DestinationStats {
  /** Turns delivered in full. */
  sent: number;
  /** Messages written (Mielto: appended messages; Melodi: messages in the thread upserts). */
  sentMessages: number;
  /** HTTP requests, each attempt counted (inside a trail a request is sent once per attempt of its batch). */
  requests: number;
  /**
   * Batches (or the part of one that failed) put back in the queue after a transient failure, each to be
   * tried again after a backoff; plus retries a custom destination reports itself (`onRetry`).
   */
  retried: number;
  /**
   * Requests whose outcome is unknown: sent, then the connection died or timed out, or a 2xx came with a
   * broken body. Mielto does not resend such a message POST by default (at-most-once; see the README).
   */
  ambiguous: number;
  dropped: DropCounts;
  /** Turns waiting or in flight. */
  queuedTurns: number;
  /** Estimated heap those turns hold (what `maxQueueBytes` bounds). */
  queuedBytes: number;
  feedback: FeedbackStats;
  /** Milliseconds until the next attempt when the destination is backing off, else 0. */
  backoffMs: number;
}

/** Options of the durable spool (`createChatTrail({ spool })`, Node only). */
export interface SpoolOptions {
  /** The directory of its segment files; created when missing. */
  dir: string;
  /** Bound of the directory's size: past it, the oldest segments go (`dropped.spool_full`). Default 256 MiB. */
  maxBytes?: number;
  /** Appends are fsynced at most this long after they are written, and on every flush. 0: at once. Default 100. */
  fsyncMs?: number;
}

/** `stats().spool`, when the trail has one. */
export interface SpoolStats {
  /** The directory it writes to: `dir`, or its own subdirectory when another process holds `dir`. */
  dir: string;
  /** `'memory'` once a disk failure stopped it (reported once through `onError`). */
  state: 'on' | 'memory';
  segments: number;
  /** Size of its segment files. */
  bytes: number;
  bytesWritten: number;
  fsyncs: number;
  /** Turns (and feedback) read back at start, left by an earlier process, each for one destination or more. */
  replayed: number;
}

/** What {@link ChatTrail.stats} returns. */
export interface ChatTrailStats {
  /** `record()` calls (while enabled and configured); the counters below are subsets of it. */
  recorded: number;
  /** Turns left out by `sampleRate`. */
  sampledOut: number;
  /** Turns the `redact` function returned `null` for. */
  redactedOut: number;
  /**
   * Messages left out of recorded turns: the oldest of a turn with more than `maxMessagesPerTurn`, and
   * empty slots (holes, `null`) of a `messages` array. Each such turn says how many in its metadata.
   */
  truncatedMessages: number;
  /** Turn deliveries that succeeded, summed over destinations. */
  sent: number;
  sentMessages: number;
  requests: number;
  retried: number;
  /** Requests whose outcome is unknown, summed over destinations (see {@link DestinationStats.ambiguous}). */
  ambiguous: number;
  /**
   * Turns dropped before queueing (`shutdown`, `redact_error`, `invalid_turn`, `internal_error`) plus
   * deliveries dropped by destinations (`queue_full`, `permanent_error`, `too_large`, `retries_exhausted`).
   */
  dropped: DropCounts;
  queuedTurns: number;
  /** Estimated heap of the queued items, a turn queued for several destinations counted once. */
  queuedBytes: number;
  feedback: FeedbackStats;
  destinations: Record<string, DestinationStats>;
  /** The durable spool, when one was asked for. */
  spool?: SpoolStats;
}

/**
 * A trail: records turns synchronously and delivers them to its destinations in the background.
 * Created by `createChatTrail`.
 */
export interface ChatTrail extends TurnRecorder {
  /**
   * Queues a turn for every destination. Synchronous, O(size of the turn), no I/O, never throws: a turn
   * that cannot be recorded is counted in `stats().dropped` and reported through `onError`.
   */
  record(turn: Turn): void;
  /** Queues feedback for the destinations that accept it (Melodi). Never throws. */
  feedback(feedback: ChatTrailFeedback): void;
  /**
   * Adapters call this when a capture starts whose turn they record later (an Express response being
   * sent, a model stream, a LangChain run), and the returned function once it has recorded (or given
   * up). Never throws; calling the returned function again does nothing.
   */
  beginCapture(): () => void;
  /**
   * Waits for the captures in progress (see `beginCapture`) to record their turns, then sends everything
   * queued. Resolves within `timeoutMs` (default 10 s) all in all, even when a capture never ends or a
   * backend hangs, with a report of what is still pending. Never rejects.
   */
  flush(options?: FlushOptions): Promise<FlushReport>;
  /**
   * Flushes, then stops: in-flight requests still running at the timeout are aborted, timers are
   * cleared, and later `record()` calls (once the captures in progress have ended) are counted as
   * `dropped.shutdown`. Never rejects; calling it again returns the first call's report.
   */
  shutdown(options?: FlushOptions): Promise<FlushReport>;
  /** A snapshot of the counters. */
  stats(): ChatTrailStats;
}
