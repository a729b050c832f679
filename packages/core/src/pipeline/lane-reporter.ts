import { APIConnectionError, ChatTrailConnectionError, ChatTrailDeliveryError } from '../errors';
import { messageOf } from '../internal/message-of';
import type { ChatTrailDrop, DropReason } from '../spec/chat-trail';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import { wholeTurn } from '../thread/whole-turn';
import type { ChatTrailOptions } from './chat-trail-options';
import { itemOf, type QueuedItem } from './lane-queue';
import { statusOf } from './status-of';
import type { TrailErrors } from './trail-errors';
import type { TrailLane } from './trail-lane';

type Lane = Pick<TrailLane, 'name'>;

/** What a trail reports of its lanes' failures and drops: to `onDrop`, `onError` (once per cause), debug logs. */
export type LaneReporter = ReturnType<typeof laneReporter>;

export function laneReporter(
  errors: TrailErrors,
  onDrop: ChatTrailOptions['onDrop'],
  maxAttempts: number,
  debugEnabled: boolean,
  debug: (message: string) => void,
) {
  // No response: reported once per destination, code and host, at the first failed attempt.
  const unreachable = ({ name }: Lane, error: APIConnectionError, consequence?: string): void => {
    const message = `${name}: ${error.summary}${consequence === undefined ? '' : `; ${consequence}`}`;
    errors.remember(message);
    const kind = consequence === undefined ? 'connection' : 'not-resent';
    if (!errors.once(`${kind}:${name}:${error.code ?? error.name}:${error.host ?? ''}`)) return;
    debug(consequence === undefined ? `${message} (turns stay queued and are retried)` : message);
    const init = { destination: name, code: error.code, host: error.host, cause: error };
    errors.emit(new ChatTrailConnectionError(message, init));
  };
  const failed = (lane: Lane, error: unknown, consequence?: string): void => {
    if (error instanceof APIConnectionError) unreachable(lane, error, consequence);
    else errors.remember(`${lane.name}: ${messageOf(error)}`);
  };
  return {
    failed,
    retrying(lane: Lane, error: unknown): void {
      if (error instanceof APIConnectionError) unreachable(lane, error);
    },
    notResent: (lane: Lane, error: unknown) =>
      failed(lane, error, 'what it carried may not be stored and is not sent again (at-most-once)'),
    dropped({ name }: Lane, reason: DropReason, items: readonly QueuedItem[], error: unknown): void {
      if (onDrop !== undefined) handOverDrop(onDrop, name, reason, items.map(itemOf), error, debug);
      const status = statusOf(error);
      const what = describeItems(items);
      if (error !== undefined) errors.remember(`${name}: ${messageOf(error)}`);
      if (debugEnabled)
        debug(`${name}: dropped ${what} (${reason}${status === undefined ? '' : ` ${status}`})`);
      // Once per (destination, reason, status): a revoked key must not flood the app's error tracker.
      if (!errors.once(`${reason}:${name}:${status ?? ''}`)) return;
      const http = status === undefined ? '' : `, HTTP ${status}`;
      const message =
        reason === 'queue_full'
          ? `${name} destination: queue full, dropping the oldest queued turns to make room (is the backend reachable? see maxQueueTurns / maxQueueBytes)`
          : reason === 'retries_exhausted'
            ? `${name} destination gave up on ${what} after ${maxAttempts} failed attempts while it accepted others (retries_exhausted${http}; see maxAttempts): ${messageOf(error)}`
            : `${name} destination dropped ${what} (${reason}${http}): ${messageOf(error)}`;
      const init = { reason, destination: name, status, count: items.length, cause: error };
      errors.emit(new ChatTrailDeliveryError(message, init));
    },
  };
}

/** "3 turns and 1 feedback item". */
function describeItems(items: readonly QueuedItem[]): string {
  const turns = items.filter((queued) => queued.item.type !== 'feedback').length;
  const feedback = items.length - turns;
  const parts: string[] = [];
  if (turns > 0) parts.push(`${turns} turn${turns === 1 ? '' : 's'}`);
  if (feedback > 0) parts.push(`${feedback} feedback item${feedback === 1 ? '' : 's'}`);
  return parts.join(' and ') || 'nothing';
}

/** Gives dropped items to `onDrop`, turns whole as recorded; nothing it does (or throws) reaches the trail. */
export function handOverDrop(
  onDrop: NonNullable<ChatTrailOptions['onDrop']>,
  destination: string,
  reason: DropReason,
  items: readonly DeliveryItem[],
  error: unknown,
  debug: (message: string) => void,
): void {
  const drop: ChatTrailDrop = { destination, reason, turns: [], feedback: [] };
  for (const item of items) {
    // Whole: what an app keeps of a dropped turn must not depend on what was queued before it.
    if (item.type === 'turn') drop.turns.push(wholeTurn(item.turn, item.thread, item.start));
    else drop.feedback.push(item.feedback);
  }
  if (error !== undefined) drop.error = error;
  try {
    onDrop(drop);
  } catch (hookError) {
    debug(`onDrop threw (${messageOf(hookError)}); ignored`);
  }
}
