/**
 * The specification of a destination: the one thing the trail needs from a backend. `mielto()` and
 * `melodi()` implement it; an app can implement it too (a file, a queue, another service). Types only.
 */
import type { ChatTrailFeedback } from './chat-trail';
import type { DestinationStore } from './chat-trail-store';
import type { Turn, TurnMessage } from './turn';

/**
 * One queued thing to deliver: a turn, or feedback. Never mutate it, nor anything it holds.
 *
 * A turn item is a delta: `turn` is the turn with only the messages that were new to its thread (a chat that
 * resends its history gets the question and the answer). A thread's first turn carries all its messages,
 * and so does a turn the trail could not line up with the thread (its log let the thread go, or `redact`
 * is set and turns resend their history): take a message you already have (same `id`) as that message
 * again, not as a new one.
 *
 * With `thread`, the messages before `turn.messages` are `thread.slice(0, start)`: what a destination that
 * writes whole threads (Melodi) needs. `thread` is shared with the thread's other queued turns and may
 * already hold later messages after `start`. A destination that appends (Mielto) needs only `turn.messages`.
 *
 * `turn` is built on each read: read it once per use.
 */
export type DeliveryItem =
  | {
      readonly type: 'turn';
      readonly turn: Turn;
      /** The thread as the trail's log holds it; its first `start` messages precede `turn.messages`. */
      readonly thread?: readonly TurnMessage[];
      /** How many messages of `thread` come before this turn's (set with `thread`). */
      readonly start?: number;
    }
  | { readonly type: 'feedback'; readonly feedback: ChatTrailFeedback };

/** What happened to one {@link DeliveryItem} of a batch. */
export type DeliveryOutcome =
  /** Delivered in full. `messages`: how many messages it wrote (for `stats().sentMessages`). */
  | { readonly status: 'sent'; readonly messages?: number }
  /** May pass (network, timeout, 408/425/429/5xx, abort): requeued at the front after a backoff. */
  | { readonly status: 'retry'; readonly error: unknown; readonly retryAfterMs?: number }
  /** Given up for good; counted under `reason` and reported once per (destination, status) via `onError`. */
  | {
      readonly status: 'dropped';
      readonly reason: 'permanent_error' | 'too_large' | 'internal_error';
      readonly error?: unknown;
      /** Messages that were written before the rest failed. */
      readonly messages?: number;
    };

/** What the trail hands a destination with each batch. */
export interface DestinationSendContext {
  /** Fires when the trail shuts down with this batch still in flight; pass it to every request. */
  readonly signal: AbortSignal;
  /**
   * Fires first, when the trail starts shutting down: start no new request whose outcome could be lost
   * (answer `retry` instead); requests already in flight get a short grace before `signal` fires.
   */
  readonly stopping?: AbortSignal;
  /** The trail's per-attempt timeout, for destinations that were not given their own. */
  readonly timeoutMs: number;
  /** Always 0: the trail retries a failed batch itself (answer `retry`), so send each request once. */
  readonly maxRetries: number;
  /** Call once per HTTP request attempt (for `stats().requests`). */
  onRequest(): void;
  /** Only for a destination that retries a request itself: once per retry (`stats().retried`), with why. */
  onRetry(error?: unknown): void;
  /**
   * Call once per request whose outcome is unknown (sent, then the connection died or timed out, or a 2xx
   * with a broken body; see `isAmbiguousError`). Pass `notResent: true` when you take it as done without
   * resending (at-most-once): the trail then reports it via `onError`, since what it carried may be lost.
   */
  onAmbiguous(error?: unknown, notResent?: boolean): void;
  /** A one-line debug note; printed only when the trail runs with `debug`. Never pass a secret. */
  debug(message: string): void;
  /** The trail's shared store (`createChatTrail({ store })`), scoped to this destination. */
  readonly store?: DestinationStore;
}

/**
 * A backend the trail delivers to. The trail calls `send` with one batch at a time per destination (never
 * two concurrently), in queue order, so a destination may keep per-thread state without locks.
 */
export interface ChatTrailDestination {
  /** Short, unique per trail (`'mielto'`, `'melodi'`); names the destination in stats, logs and errors. */
  readonly name: string;
  /** Whether `send` accepts `feedback` items. Without it, feedback is not queued for this destination. */
  readonly acceptsFeedback?: boolean;
  /** One outcome per item, in order. A rejection or a missing outcome drops as `internal_error`. */
  send(items: readonly DeliveryItem[], context: DestinationSendContext): Promise<DeliveryOutcome[]>;
}
