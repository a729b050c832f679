import type { Turn } from '../spec/turn';
import { leadingSystemCount } from '../thread/leading-system-count';
import { turnOutputStart } from '../thread/turn-output-start';

/**
 * Whether a turn is provably its thread's first, so that no earlier conversation can hold it: recorded as
 * the whole history (`turnMessages: 'history'`, which a replayed or re-sent turn no longer says) and that
 * history is one user message after nothing but system messages. A `'new'` turn says nothing of what came
 * before it.
 */
export function isFirstTurn(turn: Turn): boolean {
  const output = turnOutputStart(turn.messages);
  return turn.turnMessages === 'history' && output > 0 && leadingSystemCount(turn.messages) === output - 1;
}
