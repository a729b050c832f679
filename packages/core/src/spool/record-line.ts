import type { DeliveryItem } from '../spec/chat-trail-destination';
import type { Turn, TurnMessage } from '../spec/turn';
import type { SpoolRecord } from './read-segment';

/** A record line of a segment (see `readSegment`): record `n`, for the lanes of `mask`. */
export function recordLine(
  n: number,
  mask: number,
  item: DeliveryItem,
  turn: Turn | undefined,
  history: readonly TurnMessage[] | undefined,
): string {
  const record: SpoolRecord = { n, m: mask };
  if (item.type === 'feedback') record.f = item.feedback;
  else {
    record.t = turn ?? item.turn;
    if (item.thread !== undefined && (item.start ?? 0) > 0) record.s = item.start!;
    if (history !== undefined) record.h = history as TurnMessage[];
  }
  return `${JSON.stringify(record)}\n`;
}
