import type { DeliveryItem } from '../spec/chat-trail-destination';
import type { Turn, TurnMessage } from '../spec/turn';
import type { SpoolRecord } from './read-segment';

/** The item a record queued, its thread rebuilt from the records before it (`threads`, per thread id). */
export function replayItem(
  record: SpoolRecord,
  threads: Map<string, TurnMessage[]>,
): DeliveryItem | undefined {
  if (record.f !== undefined) return { type: 'feedback', feedback: record.f };
  const turn: Turn | undefined = record.t;
  if (turn === undefined || typeof turn.threadId !== 'string' || !Array.isArray(turn.messages)) return;
  // A crashed process may have delivered it in part: not taken for a thread's first (see `isFirstTurn`).
  delete turn.turnMessages;
  const start = record.s ?? 0;
  let thread = record.h ?? threads.get(turn.threadId);
  if (start === 0 || thread === undefined || thread.length < start) {
    threads.set(turn.threadId, [...turn.messages]);
    return { type: 'turn', turn };
  }
  if (thread.length > start) thread = thread.slice(0, start);
  thread.push(...turn.messages);
  threads.set(turn.threadId, thread);
  return { type: 'turn', turn, thread, start };
}
