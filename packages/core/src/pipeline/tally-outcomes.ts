import type { DropReason } from '../spec/chat-trail';
import type { DeliveryOutcome } from '../spec/chat-trail-destination';
import { type Batch, type QueuedItem, queuedAt } from './lane-queue';
import { statusOf } from './status-of';

/** What a batch's outcomes came to. */
export interface BatchTally {
  sent: number;
  retry: QueuedItem[];
  /** `retry[i]`'s error. */
  retryErrors: unknown[];
  /** The longest `retryAfterMs` asked for (a rate limit). */
  retryAfterMs: number | undefined;
  dropped: DropGroups;
}

/** Dropped items by reason and status: one report per failure. */
export class DropGroups extends Map<string, { reason: DropReason; items: QueuedItem[]; error: unknown }> {
  add(reason: DropReason, queued: QueuedItem, error: unknown): void {
    const key = `${reason}:${statusOf(error) ?? ''}`;
    const existing = this.get(key);
    if (existing === undefined) this.set(key, { reason, items: [queued], error });
    else existing.items.push(queued);
  }
}

/** Sorts a batch's items by outcome, counting what was sent in `stats`. */
export function tallyOutcomes(
  batch: Batch,
  outcomes: readonly (DeliveryOutcome | undefined)[],
  stats: { sent: number; sentMessages: number; feedback: { sent: number } },
): BatchTally {
  const tally: BatchTally = {
    sent: 0,
    retry: [],
    retryErrors: [],
    retryAfterMs: undefined,
    dropped: new DropGroups(),
  };
  for (let i = 0; i < batch.items.length; i++) {
    const outcome = outcomes[i];
    if (outcome?.status === 'sent') {
      if (batch.items[i]!.type !== 'feedback') stats.sent++;
      else stats.feedback.sent++;
      stats.sentMessages += outcome.messages ?? 0;
      tally.sent++;
    } else if (outcome?.status === 'retry') {
      tally.retry.push(queuedAt(batch, i));
      tally.retryErrors.push(outcome.error);
      if (outcome.retryAfterMs !== undefined)
        tally.retryAfterMs = Math.max(tally.retryAfterMs ?? 0, outcome.retryAfterMs);
    } else {
      const reason: DropReason = outcome?.status === 'dropped' ? outcome.reason : 'internal_error';
      const error =
        outcome?.status === 'dropped' ? outcome.error : new TypeError(`send() gave no outcome for item ${i}`);
      if (outcome?.status === 'dropped') stats.sentMessages += outcome.messages ?? 0;
      tally.dropped.add(reason, queuedAt(batch, i), error);
    }
  }
  return tally;
}

/** A plain copy of what `send()` said of one item (undefined for anything that is not an object). */
export function readOutcome(outcome: DeliveryOutcome | undefined): DeliveryOutcome | undefined {
  if (outcome === null || typeof outcome !== 'object') return undefined;
  const { status } = outcome;
  if (status === 'sent') return { status, messages: outcome.messages };
  if (status === 'retry') return { status, error: outcome.error, retryAfterMs: outcome.retryAfterMs };
  if (status === 'dropped') {
    return { status, reason: outcome.reason, error: outcome.error, messages: outcome.messages };
  }
  return undefined;
}
