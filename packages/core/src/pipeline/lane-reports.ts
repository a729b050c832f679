import type { APIConnectionError } from '../errors';
import { messageOf } from '../internal/message-of';
import type { ChatTrailDrop, DropReason } from '../spec/chat-trail';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import { wholeTurn } from '../thread/whole-turn';
import { ChatTrailConnectionError } from './chat-trail-connection-error';
import { ChatTrailDeliveryError } from './chat-trail-delivery-error';
import type { ChatTrailOptions } from './chat-trail-options';
import type { QueuedItem } from './lane-queue';
import { statusOf } from './status-of';

// What a trail tells the app about its lanes: the errors it reports and the drops it hands to `onDrop`.

/** The error a lane's drop is reported with (once per destination, reason and status). */
export function laneDropError(
  destination: string,
  reason: DropReason,
  items: readonly QueuedItem[],
  error: unknown,
  maxAttempts: number,
): ChatTrailDeliveryError {
  const status = statusOf(error);
  const what = describeItems(items);
  const http = status === undefined ? '' : `, HTTP ${status}`;
  const message =
    reason === 'queue_full'
      ? `${destination} destination: queue full, dropping the oldest queued turns to make room (is the backend reachable? see maxQueueTurns / maxQueueBytes)`
      : reason === 'retries_exhausted'
        ? `${destination} destination gave up on ${what} after ${maxAttempts} failed attempts while it accepted others (retries_exhausted${http}; see maxAttempts): ${messageOf(error)}`
        : `${destination} destination dropped ${what} (${reason}${http}): ${messageOf(error)}`;
  return new ChatTrailDeliveryError(message, {
    reason,
    destination,
    status,
    count: items.length,
    cause: error,
  });
}

/** The error a destination that got no response is reported with; `consequence` for an unknown outcome. */
export function unreachableError(
  destination: string,
  error: APIConnectionError,
  consequence?: string,
): ChatTrailConnectionError {
  const message = `${destination}: ${error.summary}${consequence === undefined ? '' : `; ${consequence}`}`;
  return new ChatTrailConnectionError(message, {
    destination,
    ...(error.code === undefined ? {} : { code: error.code }),
    ...(error.host === undefined ? {} : { host: error.host }),
    cause: error,
  });
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

/** "3 turns and 1 feedback item". */
export function describeItems(items: readonly QueuedItem[]): string {
  const turns = items.filter((queued) => queued.item.type !== 'feedback').length;
  const feedback = items.length - turns;
  const parts: string[] = [];
  if (turns > 0) parts.push(`${turns} turn${turns === 1 ? '' : 's'}`);
  if (feedback > 0) parts.push(`${feedback} feedback item${feedback === 1 ? '' : 's'}`);
  return parts.join(' and ') || 'nothing';
}

/** Why a turn larger than a batch may hold was dropped as it came. */
export function tooLargeError(bytes: number, maxQueueBytes: number): Error {
  return new Error(
    `a turn of about ${bytes} bytes is more than a batch may hold (half of maxQueueBytes, ${Math.floor(maxQueueBytes / 2)} bytes); it was dropped so that it could not evict smaller turns`,
  );
}
