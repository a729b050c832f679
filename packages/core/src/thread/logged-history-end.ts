import type { TurnMessage } from '../spec/turn';

/**
 * How many leading messages of a turn an earlier turn must already have logged, for a thread whose
 * conversation exists but whose sent-message cursor is unknown (a new process, or a thread the cursor
 * forgot): everything up to and including the latest assistant message that precedes the last user
 * message. That assistant message was the previous turn's answer, so it and the history before it were
 * sent with that turn; what follows (the new user message and this turn's output) was not.
 *
 * Returns 0 when no assistant message precedes the last user message (nothing can be assumed logged).
 */
export function loggedHistoryEnd(messages: readonly TurnMessage[]): number {
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') {
      lastUser = i;
      break;
    }
  }
  for (let i = lastUser - 1; i >= 0; i--) if (messages[i]!.role === 'assistant') return i + 1;
  return 0;
}
