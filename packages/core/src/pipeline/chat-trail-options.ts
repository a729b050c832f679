import type { ChatTrailError } from '../errors';
import type { Transport } from '../http/transport';
import type { ChatTrailDrop, SpoolOptions } from '../spec/chat-trail';
import type { ChatTrailDestination } from '../spec/chat-trail-destination';
import type { ChatTrailStore } from '../spec/chat-trail-store';
import type { Turn, TurnMessagesMode } from '../spec/turn';
import type { WaitUntil } from './find-wait-until';

/** Options of `createChatTrail`, all optional (README: options table); a bad one throws a `ChatTrailError`. */
export interface ChatTrailOptions {
  /** Where turns go. Default: `mielto()`/`melodi()` from `MIELTO_*`/`MELODI_*` variables; none warns once. */
  destinations?: ChatTrailDestination[];
  /** Gets each sampled turn's private copy; returns it (changed or not) or `null` to skip; a throw drops. */
  redact?: (turn: Turn) => Turn | null;
  /** Share of threads recorded, 0..1, decided per thread id. Default 1, or `CHATTRAIL_SAMPLE_RATE`. */
  sampleRate?: number;
  /** Told about turns given up for good, redact failures, a full queue. Default: one `console.warn` each. */
  onError?: (error: ChatTrailError) => void;
  /** Dead letter: each batch a destination gives up on, as it would have been sent. Called synchronously. */
  onDrop?: (drop: ChatTrailDrop) => void;
  /** A destination starts sending once this many turns are queued for it. Default 20. */
  flushAt?: number;
  /** Queued turns are sent after at most this long. Default 1,000 ms. */
  flushIntervalMs?: number;
  /** Under load, a destination starts a batch at most this often; 0 sends back to back. Default 500 ms. */
  minBatchIntervalMs?: number;
  /** Turns a destination holds while its backend is slow or down; then the oldest drops. Default 50,000. */
  maxQueueTurns?: number;
  /** The same bound in estimated bytes per destination; a turn over half of it drops. Default 32 MiB. */
  maxQueueBytes?: number;
  /** Turns per batch, at most half of `maxQueueTurns`. Default 25,000. */
  maxBatchTurns?: number;
  /** Per-attempt HTTP timeout for destinations that set none. Default 10,000 ms. */
  timeoutMs?: number;
  /** @deprecated Ignored: the trail retries failed batches itself (`maxAttempts`); non-zero warns. */
  maxRetries?: number;
  /** Failures of one turn before it drops as `retries_exhausted`; outages, 429s do not count. Default 8. */
  maxAttempts?: number;
  /** `console.debug` logs prefixed `[chattrail]`, never keys. Default false, or `CHATTRAIL_DEBUG`. */
  debug?: boolean;
  /** False: record structure only (roles, tool names, ids, usage, timings), no texts. Default true. */
  captureContent?: boolean;
  /** `'history'` (default): a turn's messages are the conversation so far; `'new'`: only new ones. */
  turnMessages?: TurnMessagesMode;
  /** UTF-8 bytes kept of each message text, tool argument/output and metadata. Default 64 KiB. */
  maxMessageBytes?: number;
  /** Messages kept per turn, the newest; older ones are counted, not read. Default 10,000. */
  maxMessagesPerTurn?: number;
  /** Keeps a serverless invocation alive until deliveries finish (e.g. `ctx.waitUntil`). Found on Vercel. */
  waitUntil?: WaitUntil;
  /** State shared by the app's instances (`redisStore()` from `@chattrail/redis`). Default: none. */
  store?: ChatTrailStore;
  /** Node: at `beforeExit` with deliveries pending, flush for at most this long (0: off). Default 2 s. */
  exitFlushMs?: number;
  /** Node: on SIGTERM/SIGINT shut down (within `exitFlushMs`), then re-raise the signal. Default false. */
  handleSignals?: boolean;
  /** Node: deliver from a worker thread or the app's thread. Default `'worker'`, or `CHATTRAIL_DELIVERY`. */
  delivery?: 'worker' | 'inline';
  /** Node: keep queued turns on disk until sent, surviving crashes. Default: `CHATTRAIL_SPOOL_DIR` if set. */
  spool?: SpoolOptions | false;
  /** Record nothing (every method a cheap no-op). Default false, or `CHATTRAIL_DISABLED`. */
  disabled?: boolean;
  /** Variables to read instead of `process.env` (tests, Workers' `env` binding). */
  env?: Record<string, string | undefined>;
  /** The `fetch` of destinations built from the environment. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** The transport of destinations built from the environment, instead of `fetch`. */
  transport?: Transport;
  /** @internal Retry delay: doubling from `initialMs` (default 500) up to `maxMs` (default 30,000). */
  backoff?: { initialMs?: number; maxMs?: number };
}

/** The defaults of {@link ChatTrailOptions}; why the batch interval and queue bounds: BENCHMARKS.md. */
export const CHAT_TRAIL_DEFAULTS = {
  sampleRate: 1,
  flushAt: 20,
  flushIntervalMs: 1_000,
  minBatchIntervalMs: 500,
  maxQueueTurns: 50_000,
  maxQueueBytes: 32 * 1024 * 1024,
  maxBatchTurns: 25_000,
  timeoutMs: 10_000,
  exitFlushMs: 2_000,
  maxAttempts: 8,
  maxMessageBytes: 64 * 1024,
  maxMessagesPerTurn: 10_000,
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
} as const;
