import type { ChatTrailError } from '../errors';
import type { Transport } from '../http/transport';
import type { ChatTrailDrop, SpoolOptions } from '../spec/chat-trail';
import type { ChatTrailDestination } from '../spec/chat-trail-destination';
import type { ChatTrailStore } from '../spec/chat-trail-store';
import type { Turn, TurnMessagesMode } from '../spec/turn';
import type { WaitUntil } from './find-wait-until';

/**
 * Options of `createChatTrail`. Every one is optional; the defaults are in {@link CHAT_TRAIL_DEFAULTS}. A
 * bad value (wrong type, NaN, out of range) throws a `ChatTrailError` naming the option and the value.
 */
export interface ChatTrailOptions {
  /**
   * Where turns go. Default: built from the environment (`MIELTO_API_KEY` → `mielto()`, `MELODI_API_KEY` +
   * `MELODI_PROJECT_ID` → `melodi()`). With none at all the trail warns once and records nothing.
   */
  destinations?: ChatTrailDestination[];
  /**
   * Called with a private copy of every sampled turn, after normalisation and before queueing. Return the
   * turn (changed or not; `redactText()` builds one from maskers) or `null` to skip it. A redact function
   * that throws or returns anything else drops the turn (`dropped.redact_error`): nothing unredacted is
   * ever sent.
   */
  redact?: (turn: Turn) => Turn | null;
  /** Share of threads recorded, 0..1, decided per thread id (a thread is all in or all out). Default 1, or `CHATTRAIL_SAMPLE_RATE`. */
  sampleRate?: number;
  /**
   * Told about turns that could not be sent for good (permanent errors: once per destination and status),
   * redact failures, a full queue (once per destination) and internal errors. Default: one `console.warn`
   * line each. Errors thrown by it are ignored.
   */
  onError?: (error: ChatTrailError) => void;
  /**
   * A dead letter: handed every batch of queued turns a destination gives up on — a full queue, a
   * permanent error, a 413 nothing could split, a turn larger than half of `maxQueueBytes`, a turn that
   * failed `maxAttempts` times (`retries_exhausted`), and whatever is still pending when `shutdown()` reaches its
   * timeout — as they would have been sent. Unlike `onError` it is called for every batch. Persist them and
   * `record()` them again later (stable message ids keep what did arrive from being stored twice). Turns
   * dropped before any queue (redact failures, invalid turns, records after shutdown) are only counted.
   * Called synchronously (for `queue_full`, inside the `record()` that overflowed): keep it cheap and do
   * any I/O later. Errors thrown by it are ignored.
   */
  onDrop?: (drop: ChatTrailDrop) => void;
  /** A destination starts sending as soon as this many turns are queued for it. Default 20. */
  flushAt?: number;
  /** Otherwise queued turns are sent after at most this long. Default 1,000 ms. */
  flushIntervalMs?: number;
  /**
   * Under load, a destination starts a batch at most this often (from one batch's start to the next's;
   * `flush()` and `shutdown()` do not wait). Turns of a thread queued meanwhile go out in one request, so
   * the busier the app, the fewer requests per turn, at the cost of turns arriving up to this much later.
   * 0 sends batches back to back. Default 500 ms.
   */
  minBatchIntervalMs?: number;
  /**
   * Turns a destination holds (waiting and in flight) while its backend is slow or down; beyond it the
   * oldest waiting turn is dropped. Default 50,000 (with long histories `maxQueueBytes` binds first).
   */
  maxQueueTurns?: number;
  /**
   * The same bound in estimated bytes (calibrated against V8's heap), per destination: a queued turn counts
   * its data and its new messages (the thread's earlier ones are the trail's log's). A turn larger than
   * half of it (what a batch may hold) is dropped as `too_large` when recorded, and never evicts others.
   * Default 32 MiB.
   */
  maxQueueBytes?: number;
  /**
   * Turns handed to a destination per batch (one request per thread per batch), at most half of
   * `maxQueueTurns` and of `maxQueueBytes`. Default 25,000.
   */
  maxBatchTurns?: number;
  /** Per-attempt HTTP timeout for destinations that do not set their own. Default 10,000 ms. */
  timeoutMs?: number;
  /**
   * @deprecated Ignored. Inside a trail each request is sent once per attempt, and the trail retries a
   * failed batch itself (with `backoff`, honouring `Retry-After`; see `maxAttempts`), so one turn is no
   * longer sent up to (maxRetries + 1) × attempts times. A value other than 0 warns once.
   */
  maxRetries?: number;
  /**
   * Failed deliveries of one turn (one request per attempt) before a destination gives it
   * up as `dropped.retries_exhausted`. Only failures that are the turn's count: the destination delivered
   * other turns in the same batch, or since the turn last failed. An outage counts against no turn (the
   * queue bounds apply), nor does a 429. Between attempts a failed turn waits out its own backoff, and its
   * thread's later turns wait behind it, in order; other threads go on. Default 8 (about a minute).
   */
  maxAttempts?: number;
  /** One-line `console.debug` logs prefixed `[chattrail]`; never keys or headers. Default false, or `CHATTRAIL_DEBUG`. */
  debug?: boolean;
  /** False: record structure only (roles, tool names, ids, usage, timings), no text, arguments or outputs. Default true. */
  captureContent?: boolean;
  /**
   * What the messages of a turn are. `'history'` (default): the conversation so far, resent with every
   * turn, as the AI SDK's `messages`, LangChain agents and chat UIs send it; each message is sent once
   * however often it comes back. `'new'`: only the system prompt and the new messages, for apps that
   * keep the history themselves (server-side memory, the AI SDK's `prompt`); a repeated text (a second
   * "yes") is then a new message, not one already sent.
   */
  turnMessages?: TurnMessagesMode;
  /** UTF-8 bytes kept of each message text (and each tool argument/output/metadata value); cut with a marker. Default 64 KiB. */
  maxMessageBytes?: number;
  /**
   * Messages kept per turn: the newest ones (the end of the conversation, and the answer); the older
   * ones are left out unread, counted in the turn's metadata (`chattrail_truncated_messages`) and in
   * `stats().truncatedMessages`. Default 10,000.
   */
  maxMessagesPerTurn?: number;
  /**
   * Keeps a serverless invocation alive until deliveries finish: every delivery is handed to it (e.g.
   * Cloudflare's `ctx.waitUntil.bind(ctx)`, or `waitUntil` from `@vercel/functions`). On Vercel it is
   * found automatically.
   */
  waitUntil?: WaitUntil;
  /**
   * State shared by several instances of the app, so that a conversation whose turns land on different
   * instances is still one conversation at each backend: `redisStore()` from `@chattrail/redis`, or your
   * own {@link ChatTrailStore}. Default: none (each process keeps its own state).
   */
  store?: ChatTrailStore;
  /**
   * Node: when the event loop empties with deliveries pending (a script that records and ends without
   * `flush()`), the trail flushes them (`beforeExit`), waiting at most this long. What it could not send is
   * reported once on stderr (counts only). 0 turns it off. Elsewhere (Edge, browsers) it does nothing.
   * Default 2,000 ms.
   */
  exitFlushMs?: number;
  /**
   * Node: on SIGTERM and SIGINT, shut the trail down (waiting at most `exitFlushMs`, else 2,000 ms), report
   * once on stderr what could not be sent (counts only), then raise the signal again so the process ends
   * as it would have. Left to the app when it has listeners of its own for the signal. Default false.
   */
  handleSignals?: boolean;
  /**
   * Node: `'worker'` delivers from a worker thread (lanes, retries, HTTP), so the app's event loop only
   * records; `'inline'` delivers on the app's thread. A worker needs destinations it can build again from
   * plain options: `mielto()`/`melodi()` without a `fetch`, `transport`, `client` or `conversationStore`,
   * or those of the environment without the trail's `fetch` or `transport`, and no `store`; otherwise, and
   * on Edge, in browsers, Deno and Bun, delivery is inline. Default `'worker'`, or `CHATTRAIL_DELIVERY`.
   */
  delivery?: 'worker' | 'inline';
  /**
   * Node: keep queued turns in a directory until each destination has them, so that a crash, a kill or a
   * deploy loses none: the next trail on the same `dir` sends what is left (see the README). Default: none,
   * or `CHATTRAIL_SPOOL_DIR`; `false` turns off the variable's.
   */
  spool?: SpoolOptions | false;
  /** Record nothing (every method becomes a cheap no-op). Default false, or `CHATTRAIL_DISABLED`. */
  disabled?: boolean;
  /** Variables to read instead of `process.env` (tests, Workers' `env` binding). */
  env?: Record<string, string | undefined>;
  /**
   * The `fetch` of the destinations built from the environment (destinations you pass keep their own).
   * Default: the global `fetch`.
   */
  fetch?: typeof fetch;
  /**
   * The transport of the destinations built from the environment, instead of `fetch` (not together with
   * it). On a Node server, `undiciTransport()` from `@chattrail/core/node` costs less CPU per request.
   */
  transport?: Transport;
  /**
   * @internal Delay between attempts of a destination after a transient failure: exponential from
   * `initialMs` (default 500), capped at `maxMs` (default 30,000). For tests that simulate outages.
   */
  backoff?: { initialMs?: number; maxMs?: number };
}

/** The defaults of {@link ChatTrailOptions}, in one place. */
export const CHAT_TRAIL_DEFAULTS = {
  sampleRate: 1,
  flushAt: 20,
  flushIntervalMs: 1_000,
  // Why these two: BENCHMARKS.md (the batch interval; queue bounds). Memory is the byte bound's to limit.
  minBatchIntervalMs: 500,
  maxQueueTurns: 50_000,
  maxQueueBytes: 32 * 1024 * 1024,
  maxBatchTurns: 25_000,
  timeoutMs: 10_000,
  exitFlushMs: 2_000,
  // With the default backoff (0.5 s doubling to 30 s) eight attempts span about a minute.
  maxAttempts: 8,
  maxMessageBytes: 64 * 1024,
  // Far above any model's context window (a resent history of 10,000 messages is already megabytes), far
  // below what hurts: a sparse `messages` with `length = 5e7` once ran the host out of memory.
  maxMessagesPerTurn: 10_000,
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
} as const;
