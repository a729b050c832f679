import type { Turn } from '../spec/turn';
import type { RecordedHistory } from '../thread/recorded-history';
import type { ThreadLog, ThreadRecord } from '../thread/thread-log';
import { TurnDelta, turnHead } from '../thread/turn-delta';
import { estimateMessagesBytes, estimateTurnHeadBytes } from './estimate-turn-bytes';

/** Logs a turn's history and returns the turn with only its new messages; `undefined`: the log could not. */
export function logTurnDelta(
  log: ThreadLog,
  threadId: string,
  record: ThreadRecord | undefined,
  next: RecordedHistory,
  turn: Turn,
): TurnDelta | undefined {
  const { messages } = turn;
  let newBytes = 0;
  const measure = (from: number): number => (newBytes = estimateMessagesBytes(messages, from));
  const head = turnHead(record?.head, turn);
  const logged = log.update(threadId, record, next, measure, messages);
  if (logged === undefined) return undefined;
  logged.record.head = head;
  const bytes = estimateTurnHeadBytes(turn) + newBytes;
  return TurnDelta.of(turn, head, bytes, logged.log, logged.start, logged.index);
}
