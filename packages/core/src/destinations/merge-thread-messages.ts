import type { Turn, TurnMessage } from '../spec/turn';

/** A message of a thread with the turn it came from and its index in that turn. */
export interface ThreadMessage {
  message: TurnMessage;
  turn: Turn;
  /** Its position in the thread: its index in `turn.messages` plus the turn's offset. */
  position: number;
  /** Whether the turn produced it (it follows the turn's last user message). */
  isOutput: boolean;
  /** Whether it is the turn's last message: the one that carries the turn's usage and timings. */
  isTurnEnd: boolean;
}

/**
 * The ordered union by message id of the messages of several turns of one thread. Each turn resends the
 * history, so the union is the thread as known. A message keeps the place where it first appeared; its
 * body is the latest one seen (a turn may carry an updated copy) while `turn`/`position` stay those of the
 * first turn that carried it, so what is sent for an id does not depend on which later turns arrived.
 *
 * `offsets`: per turn, the thread position of its first message (a turn item's `start`, its messages being
 * those new to the thread); 0 when not given.
 *
 * `skip`: messages left out of the union (those a destination already sent). Leaving them out here, rather
 * than filtering the union, spares an entry per message of a long history of which only the last few are
 * new; the others keep their order and positions either way.
 */
export function mergeThreadMessages(
  turns: readonly Turn[],
  outputStart: (turn: Turn) => number,
  skip?: (message: TurnMessage) => boolean,
  offsets?: readonly number[],
): ThreadMessage[] {
  const byId = new Map<string, ThreadMessage>();
  let previous: readonly TurnMessage[] = [];
  for (let t = 0; t < turns.length; t++) {
    const turn = turns[t]!;
    const offset = offsets?.[t] ?? 0;
    const start = outputStart(turn);
    const { messages } = turn;
    // Consecutive turns of a thread share the message objects of their common history (the trail's
    // thread log): those were merged with the previous turn, which left them exactly so.
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
