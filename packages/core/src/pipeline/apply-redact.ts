import { ChatTrailDeliveryError } from '../errors';
import { messageOf } from '../internal/message-of';
import { boundId } from '../normalize/bound-id';
import { wellFormed } from '../normalize/well-formed';
import type { Turn } from '../spec/turn';
import type { ChatTrailOptions } from './chat-trail-options';
import { isObject } from './normalize-values';

/** The app's `redact` on a turn's copy: the turn, `null` (skipped) or the `redact_error` dropping it. */
export function applyRedact(redact: NonNullable<ChatTrailOptions['redact']>, copy: Turn) {
  let result: unknown;
  try {
    result = redact(copy);
  } catch (error) {
    return dropped(`redact threw, so the turn was dropped unsent: ${messageOf(error)}`, error);
  }
  if (result === null) return null;
  const turn = result as Partial<Turn> | undefined;
  if (typeof turn !== 'object' || typeof turn.threadId !== 'string' || !Array.isArray(turn.messages)) {
    return dropped(
      'redact must return the turn (changed or not) or null to skip it; it returned something else, so the turn was dropped unsent',
    );
  }
  const problem = checkRedactedTurn(turn as Turn);
  if (problem === undefined) return turn as Turn;
  return dropped(`redact returned a turn that cannot be sent (${problem}), so the turn was dropped unsent`);
}

function dropped(message: string, cause?: unknown): ChatTrailDeliveryError {
  return new ChatTrailDeliveryError(message, { reason: 'redact_error', count: 1, cause });
}

/** What is wrong with a redacted turn, or `undefined` after making its ids and texts safe to send again. */
function checkRedactedTurn(turn: Turn): string | undefined {
  if (turn.threadId === '') return 'its threadId is not a non-empty string';
  turn.threadId = boundId(turn.threadId);
  const { messages } = turn;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as Partial<Turn['messages'][number]> | null | undefined;
    if (!isObject(message)) {
      return `its messages[${i}] is ${message === undefined ? 'missing (a hole left by delete? remove messages with splice or filter)' : String(message)}`;
    }
    for (const field of ['content', 'role', 'id'] as const) {
      if (typeof message[field] !== 'string') return `its messages[${i}].${field} is not a string`;
    }
    const { toolCalls, toolResult } = message;
    if (toolCalls !== undefined && !Array.isArray(toolCalls))
      return `its messages[${i}].toolCalls is not an array`;
    for (const call of toolCalls ?? [])
      if (!isObject(call)) return `its messages[${i}].toolCalls holds a non-object`;
    if (toolResult !== undefined && !isObject(toolResult))
      return `its messages[${i}].toolResult is not an object`;
    message.content = wellFormed(message.content!);
  }
  return undefined;
}
