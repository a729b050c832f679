import type { TurnMessage } from '../spec/turn';

/** Index of the first message the model produced in this turn (after the last user message), else 0. */
export function turnOutputStart(messages: readonly TurnMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return i + 1;
  return 0;
}
