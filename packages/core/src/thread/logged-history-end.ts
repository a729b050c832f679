import type { TurnMessage } from '../spec/turn';
import { turnOutputStart } from './turn-output-start';

/** How many leading messages an earlier turn logged: up to the answer before the last user message. */
export function loggedHistoryEnd(messages: readonly TurnMessage[]): number {
  for (let i = turnOutputStart(messages) - 2; i >= 0; i--)
    if (messages[i]!.role === 'assistant') return i + 1;
  return 0;
}
