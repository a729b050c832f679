import { messageOf } from '../internal/message-of';
import type { Turn } from '../spec/turn';
import { ChatTrailDeliveryError } from './chat-trail-delivery-error';
import type { ChatTrailOptions } from './chat-trail-options';
import { checkRedactedTurn } from './check-redacted-turn';

/**
 * Runs the app's `redact` on a turn's private copy: the turn to queue, `null` when redact skipped it, or
 * the error that drops it unsent (`redact_error`) when redact threw, returned something that is not a
 * turn, or a turn that cannot be sent. Never throws.
 */
export function applyRedact(
  redact: NonNullable<ChatTrailOptions['redact']>,
  copy: Turn,
): Turn | null | ChatTrailDeliveryError {
  let result: unknown;
  try {
    result = redact(copy);
  } catch (error) {
    return new ChatTrailDeliveryError(`redact threw, so the turn was dropped unsent: ${messageOf(error)}`, {
      reason: 'redact_error',
      count: 1,
      cause: error,
    });
  }
  if (result === null) return null;
  const turn = result as Partial<Turn> | undefined;
  if (
    turn === undefined ||
    typeof turn !== 'object' ||
    typeof turn.threadId !== 'string' ||
    !Array.isArray(turn.messages)
  ) {
    return new ChatTrailDeliveryError(
      'redact must return the turn (changed or not) or null to skip it; it returned something else, so the turn was dropped unsent',
      { reason: 'redact_error', count: 1 },
    );
  }
  const problem = checkRedactedTurn(turn as Turn);
  if (problem !== undefined) {
    return new ChatTrailDeliveryError(
      `redact returned a turn that cannot be sent (${problem}), so the turn was dropped unsent`,
      { reason: 'redact_error', count: 1 },
    );
  }
  return turn as Turn;
}
