import type { Turn } from '../spec/turn';
import { leadingSystemCount } from '../thread/leading-system-count';
import { turnOutputStart } from '../thread/turn-output-start';

/**
 * Whether a turn is provably its thread's first: recorded as the whole history (`turnMessages: 'history'`,
 * which a replayed turn no longer says) and that history is one user message after system messages only.
 */
export function isFirstTurn(turn: Turn): boolean {
  const output = turnOutputStart(turn.messages);
  return turn.turnMessages === 'history' && output > 0 && leadingSystemCount(turn.messages) === output - 1;
}
