import { boundId } from '../normalize/bound-id';
import { wellFormed } from '../normalize/well-formed';
import type { Turn } from '../spec/turn';

/**
 * Checks what a `redact` function returned before it is queued, and makes its strings safe to send again:
 * a redact may cut a text in the middle of a surrogate pair or rename the thread. Returns what is wrong
 * (for the `redact_error` report), or `undefined` when the turn can be queued.
 * Holes (`delete turn.messages[i]`) and messages set to `null` or stripped of their text are caught here,
 * not later inside record() or a destination. O(messages), as redact itself is.
 */
export function checkRedactedTurn(turn: Turn): string | undefined {
  if (typeof turn.threadId !== 'string' || turn.threadId === '')
    return 'its threadId is not a non-empty string';
  turn.threadId = boundId(turn.threadId);
  const { messages } = turn;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as Partial<Turn['messages'][number]> | null | undefined;
    if (message === null || typeof message !== 'object') {
      return `its messages[${i}] is ${message === undefined ? 'missing (a hole left by delete? remove messages with splice or filter)' : String(message)}`;
    }
    if (typeof message.content !== 'string') return `its messages[${i}].content is not a string`;
    if (typeof message.role !== 'string') return `its messages[${i}].role is not a string`;
    if (typeof message.id !== 'string') return `its messages[${i}].id is not a string`;
    if (message.toolCalls !== undefined) {
      if (!Array.isArray(message.toolCalls)) return `its messages[${i}].toolCalls is not an array`;
      for (const call of message.toolCalls) {
        if (call === null || typeof call !== 'object')
          return `its messages[${i}].toolCalls holds a non-object`;
      }
    }
    if (
      message.toolResult !== undefined &&
      (message.toolResult === null || typeof message.toolResult !== 'object')
    ) {
      return `its messages[${i}].toolResult is not an object`;
    }
    message.content = wellFormed(message.content);
  }
  return undefined;
}
