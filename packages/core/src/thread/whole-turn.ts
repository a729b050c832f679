import type { Turn, TurnMessage } from '../spec/turn';

/**
 * A turn item's turn with the thread before its messages put back in front of them (see `DeliveryItem`):
 * `thread.slice(0, start)` then `turn.messages`. A new object; the turn itself when there is nothing before.
 */
export function wholeTurn(turn: Turn, thread: readonly TurnMessage[] | undefined, start = 0): Turn {
  if (thread === undefined || start <= 0) return turn;
  const messages = thread.slice(0, Math.min(start, thread.length));
  for (const message of turn.messages) messages.push(message);
  return { ...turn, messages };
}
