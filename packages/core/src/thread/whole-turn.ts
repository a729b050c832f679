import type { Turn, TurnMessage } from '../spec/turn';

/** A turn item's turn with `thread.slice(0, start)` put back before its messages (see `DeliveryItem`). */
export function wholeTurn(turn: Turn, thread: readonly TurnMessage[] | undefined, start = 0): Turn {
  if (thread === undefined || start <= 0) return turn;
  return { ...turn, messages: thread.slice(0, start).concat(turn.messages) };
}
