/** The specification of a trail: what `createChatTrail` returns and what its methods report. Types only. */
import type { Turn, TurnUser } from './turn';
import type { TurnRecorder } from './turn-recorder';

/** A thumbs up or down on a thread (or one of its messages), forwarded to Melodi's feedback API. */
export interface ChatTrailFeedback {
  /** The app's thread id, as recorded in the turns. */
  threadId: string;
  /** The message it is about (a `TurnMessage.id`); without it Melodi takes the thread's last message. */
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
  /** Turns still queued or in flight, summed over destinations; lost after `shutdown()`. */
  pendingTurns: number;
  /** Turn deliveries dropped while the call ran, if any. */
  droppedTurns?: number;
  /** One line per distinct failure seen while the call ran, if any. Never contains an API key. */
  errors?: string[];
  /** Captures still open at the timeout (see {@link ChatTrail.beginCapture}); recorded when they end. */
  openCaptures?: number;
}

/** Why a turn (or, for `queue_full`, `permanent_error` and `too_large`, one delivery of it) was not sent. */
export type DropReason =
  /** The destination's queue hit `maxQueueTurns` or `maxQueueBytes`; the oldest queued turn made room. */
  | 'queue_full'
  /** The backend refused it for good (400, 401, 402, 403, 404, 409, 422). */
  | 'permanent_error'
  /** A 413 even for a single message or thread, or the turn is over half of `maxQueueBytes`. */
  | 'too_large'
  /** `record()` was called after `shutdown()`. */
  | 'shutdown'
  /** The `redact` function threw or returned something that is not a turn; never sent unredacted. */
  | 'redact_error'
  /** Not a turn: not an object, or no thread id (neither on the turn nor in the `withChatTrail` context). */
  | 'invalid_turn'
  /** A bug in chattrail or in a custom destination; reported through `onError`. */
  | 'internal_error'
  /** Failed transiently `maxAttempts` times while other turns went through: given up, not held for ever. */
  | 'retries_exhausted'
  /** The spool hit `spool.maxBytes`, deleting unacknowledged deliveries: they no longer survive a restart. */
  | 'spool_full';

/** Counts per drop reason. */
export type DropCounts = Record<DropReason, number>;

/** What `onDrop` gets (read only): what a destination gave up on; `record()` them again, ids are stable. */
export interface ChatTrailDrop {
  destination: string;
  reason: DropReason;
  turns: Turn[];
  feedback: ChatTrailFeedback[];
  /** The failure, when there was one (never carries the API key). */
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
  /** HTTP requests, each attempt counted. */
  requests: number;
  /** Batches (or failed parts) put back after a transient failure, plus a custom destination's `onRetry`. */
  retried: number;
  /** Requests whose outcome is unknown (connection died, timeout, broken 2xx); Mielto's are not resent. */
  ambiguous: number;
  dropped: DropCounts;
  /** Turns waiting or in flight. */
  queuedTurns: number;
  /** Estimated heap those turns hold, with the threads they read (what `maxQueueBytes` bounds). */
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
  /** Deliveries read back at start, left by an earlier process. */
  replayed: number;
}

/** What {@link ChatTrail.stats} returns: the counters of {@link DestinationStats} summed, and more. */
export interface ChatTrailStats extends Omit<DestinationStats, 'backoffMs'> {
  /** `record()` calls (while enabled and configured); the counters below are subsets of it. */
  recorded: number;
  /** Turns left out by `sampleRate`. */
  sampledOut: number;
  /** Turns the `redact` function returned `null` for. */
  redactedOut: number;
  /** Messages left out: beyond `maxMessagesPerTurn` (the oldest), and holes or `null` in `messages`. */
  truncatedMessages: number;
  /** Turns dropped before queueing plus deliveries dropped by destinations. */
  dropped: DropCounts;
  /** Estimated heap of the queued items, a turn queued for several destinations counted once. */
  queuedBytes: number;
  destinations: Record<string, DestinationStats>;
  /** The durable spool, when one was asked for. */
  spool?: SpoolStats;
}

/** A trail, created by `createChatTrail`: records turns synchronously, delivers them in the background. */
export interface ChatTrail extends TurnRecorder {
  /** Queues a turn for every destination: synchronous, no I/O, never throws (bad turns count as dropped). */
  record(turn: Turn): void;
  /** Queues feedback for the destinations that accept it (Melodi). Never throws. */
  feedback(feedback: ChatTrailFeedback): void;
  /** For adapters: a capture started whose turn is recorded later; call the result once it is. No throws. */
  beginCapture(): () => void;
  /** Waits for open captures, sends all queued; resolves by `timeoutMs` even if one hangs. Never rejects. */
  flush(options?: FlushOptions): Promise<FlushReport>;
  /**
   * Flushes, then stops: requests still running at the timeout are aborted, and later `record()` calls
   * count as `dropped.shutdown`. Never rejects; calling it again returns the first call's report.
   */
  shutdown(options?: FlushOptions): Promise<FlushReport>;
  /** A snapshot of the counters. */
  stats(): ChatTrailStats;
}
