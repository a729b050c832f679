/** What the trail needs from a backend: `mielto()` and `melodi()` implement it, so can an app. Types only. */
import type { ChatTrailFeedback } from './chat-trail';
import type { DestinationStore } from './chat-trail-store';
import type { Turn, TurnMessage } from './turn';

/**
 * One queued thing to deliver, a turn or feedback; never mutate it. A turn item's `turn` (built on each read:
 * read it once per use) holds only the messages new to its thread, except for a thread's first turn and one
 * the trail could not line up (take a message whose `id` you have as that message again).
 */
export type DeliveryItem =
  | {
      readonly type: 'turn';
      readonly turn: Turn;
      /** The trail's log of the thread, for whole-thread writers (Melodi); shared: may hold more. */
      readonly thread?: readonly TurnMessage[];
      /** Set with `thread`: `thread.slice(0, start)` are the messages before `turn.messages`. */
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
  /** Fires first on shutdown: start no request whose outcome could be lost (answer `retry`). */
  readonly stopping?: AbortSignal;
  /** The trail's per-attempt timeout, for destinations that were not given their own. */
  readonly timeoutMs: number;
  /** Always 0: the trail retries a failed batch itself (answer `retry`), so send each request once. */
  readonly maxRetries: number;
  /** Call once per HTTP request attempt (for `stats().requests`). */
  onRequest(): void;
  /** Only for a destination that retries a request itself: once per retry (`stats().retried`), with why. */
  onRetry(error?: unknown): void;
  /** Once per request of unknown outcome (`isAmbiguousError`); `notResent: true`: the loss is reported. */
  onAmbiguous(error?: unknown, notResent?: boolean): void;
  /** A one-line debug note; printed only when the trail runs with `debug`. Never pass a secret. */
  debug(message: string): void;
  /** The trail's shared store (`createChatTrail({ store })`), scoped to this destination. */
  readonly store?: DestinationStore;
}

/** A backend the trail delivers to: one batch at a time, in order, so per-thread state needs no lock. */
export interface ChatTrailDestination {
  /** Short, unique per trail (`'mielto'`, `'melodi'`); names the destination in stats, logs and errors. */
  readonly name: string;
  /** Whether `send` accepts `feedback` items. Without it, feedback is not queued for this destination. */
  readonly acceptsFeedback?: boolean;
  /** One outcome per item, in order. A rejection or a missing outcome drops as `internal_error`. */
  send(items: readonly DeliveryItem[], context: DestinationSendContext): Promise<DeliveryOutcome[]>;
}
