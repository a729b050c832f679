import { messageOf } from '../internal/message-of';
import type { ChatTrailDrop, DropReason } from '../spec/chat-trail';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import { wholeTurn } from '../thread/whole-turn';
import type { ChatTrailOptions } from './chat-trail-options';

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

/** Why a turn larger than a batch may hold was dropped as it came. */
export function tooLargeError(bytes: number, maxQueueBytes: number): Error {
  return new Error(
    `a turn of about ${bytes} bytes is more than a batch may hold (half of maxQueueBytes, ${Math.floor(maxQueueBytes / 2)} bytes); it was dropped so that it could not evict smaller turns`,
  );
}
