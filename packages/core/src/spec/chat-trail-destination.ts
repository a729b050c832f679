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
 * A turn item is a delta. `turn` is the turn (user, model, usage, timings, status, metadata) with only the
 * messages that were new to its thread when it was recorded: the question and the answer of a chat that
 * resends its history, for instance. A thread's first turn carries all of its messages, and so does a turn
 * the trail could not line up with the thread (its log had let the thread go, or a `redact` function is
 * set on a trail whose turns resend their history): a destination must take a message it already has
 * (the same `id`) as that message again, not as a new one.
 *
 * When `thread` is present, the thread's messages before `turn.messages` are `thread.slice(0, start)`, in
 * order: what a destination that writes whole threads (Melodi's upsert) sends along. `thread` is the
 * trail's log of the thread, shared with the thread's other queued turns, and may already hold messages
 * of later turns after `start`. A destination that appends (Mielto) needs only `turn.messages`.
 *
 * The trail's items build `turn` when it is read (a queued turn keeps no `Turn` of its own): read it once
 * per use, and do not count on two reads giving the same object.
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
  /**
   * Not delivered for a reason that may pass (network, timeout, 408/425/429/5xx, abort): the trail puts
   * the item back at the front of the queue and backs off, honouring `retryAfterMs` when given.
   */
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
  /** The trail's per-attempt timeout, for destinations that were not given their own. */
  readonly timeoutMs: number;
  /**
   * Always 0: the trail retries a failed batch itself (answer `retry`), so send each request once per
   * `send()`. Kept for destinations that hand it to a client.
   */
  readonly maxRetries: number;
  /** Call once per HTTP request attempt (for `stats().requests`). */
  onRequest(): void;
  /**
   * Only for a destination that retries a request itself (the built-in ones do not): call once per retry
   * (for `stats().retried`), with why the attempt failed; a connection failure is then reported through
   * `onError` right away. A failure answered with `retry` is reported by the trail anyway.
   */
  onRetry(error?: unknown): void;
  /**
   * Call once per request whose outcome is unknown — sent, then the connection died, it timed out, or a
   * 2xx came with a broken body (see `isAmbiguousError`) — for `stats().ambiguous`. Pass the error and
   * `notResent: true` when the destination takes such a request as done without sending it again
   * (at-most-once): the trail then reports it through `onError`, once per destination and cause, since
   * what it carried may be lost.
   */
  onAmbiguous(error?: unknown, notResent?: boolean): void;
  /** A one-line debug note; printed only when the trail runs with `debug`. Never pass a secret. */
  debug(message: string): void;
  /** The trail's shared store (`createChatTrail({ store })`), scoped to this destination; none without one. */
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
  /**
   * Delivers a batch and resolves with one outcome per item, in the same order. Should not reject: a
   * rejection (or a missing outcome) drops the affected items as `internal_error`.
   */
  send(items: readonly DeliveryItem[], context: DestinationSendContext): Promise<DeliveryOutcome[]>;
}
