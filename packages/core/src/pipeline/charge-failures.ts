import type { QueuedItem } from './lane-queue';
import { threadOf } from './lane-queue';
import type { DropGroups } from './tally-outcomes';

/** What a lane knows when a batch's items failed transiently (see `DeliveryLane`). */
export interface FailureEvidence {
  /** Items of the batch delivered. */
  sent: number;
  batchLength: number;
  /** The lane's count of batches that delivered something. */
  successes: number;
  maxAttempts: number;
  /** The backoff before an item's next attempt, after `attempts` counted failures. */
  backoffDelay(attempts: number): number;
}

/**
 * Counts the failures that are the items' own against them (see `DeliveryLane`): such an item waits out
 * its own backoff and goes alone from then on, or is dropped as `retries_exhausted` at `maxAttempts`.
 * Returns the items to put back, in order, and how many failures were counted.
 */
export function chargeFailures(
  retry: readonly QueuedItem[],
  retryErrors: readonly unknown[],
  evidence: FailureEvidence,
  dropped: DropGroups,
): { back: QueuedItem[]; counted: number } {
  let counted = 0;
  const back: QueuedItem[] = [];
  const now = Date.now();
  const threads = new Set<string>();
  for (let i = 0; i < retry.length; i++) {
    const queued = retry[i]!;
    queued.retry ??= { attempts: 0, notBefore: 0, successes: -1, alone: false };
    const state = queued.retry;
    const thread = threadOf(queued.item);
    const attributable =
      evidence.sent > 0 ||
      (evidence.batchLength === 1 && state.successes >= 0 && state.successes < evidence.successes);
    // Only the first failing item of a thread: the ones after it failed behind it, not for themselves.
    if (attributable && !threads.has(thread)) {
      threads.add(thread);
      counted++;
      state.attempts++;
      if (state.attempts >= evidence.maxAttempts) {
        dropped.add('retries_exhausted', queued, retryErrors[i]);
        continue;
      }
      state.notBefore = now + evidence.backoffDelay(state.attempts);
      state.alone = true;
    }
    state.successes = evidence.successes;
    back.push(queued);
  }
  return { back, counted };
}
