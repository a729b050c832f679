import type { Turn, TurnMessage } from '../spec/turn';
import { turnOutputStart } from '../thread/turn-output-start';

/** A message of a thread with the turn it came from and its index in that turn. */
export interface ThreadMessage {
  message: TurnMessage;
  turn: Turn;
  /** Its index in `turn.messages` plus the turn's offset. */
  position: number;
  /** It follows the turn's last user message. */
  isOutput: boolean;
  /** The turn's last message: it carries the turn's usage and timings. */
  isTurnEnd: boolean;
}

/** The ordered union by id of the turns' messages, each in its first place with its latest body. */
export function mergeThreadMessages(
  turns: readonly Turn[],
  skip?: (message: TurnMessage) => boolean,
  offsets?: readonly number[],
): ThreadMessage[] {
  const byId = new Map<string, ThreadMessage>();
  let previous: readonly TurnMessage[] = [];
  for (let t = 0; t < turns.length; t++) {
    const turn = turns[t]!;
    const offset = offsets?.[t] ?? 0;
    const start = turnOutputStart(turn.messages);
    const { messages } = turn;
    // Consecutive turns share the objects of their common history, already merged.
    let index = sharedPrefix(messages, previous);
    previous = messages;
    for (; index < messages.length; index++) {
      const message = messages[index]!;
      if (skip?.(message)) continue;
      const known = byId.get(message.id);
      if (known === undefined) {
        byId.set(message.id, {
          message,
          turn,
          position: offset + index,
          isOutput: index >= start,
          isTurnEnd: index === messages.length - 1,
        });
      } else known.message = message;
    }
  }
  return [...byId.values()];
}

/** How many leading messages `a` and `b` share as the very same objects. */
export function sharedPrefix(a: readonly TurnMessage[], b: readonly TurnMessage[]): number {
  const shared = Math.min(a.length, b.length);
  let index = 0;
  while (index < shared && a[index] === b[index]) index++;
  return index;
}
