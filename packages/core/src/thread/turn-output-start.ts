import type { TurnMessage } from '../spec/turn';

/**
 * Index of the first message the model produced in this turn: everything after the last user message
 * (assistant answers, tool calls and tool results). 0 when the turn has no user message. Destinations
 * attach the turn's model, usage and latency to these messages only, since the history before them was
 * produced by earlier turns.
 */
export function turnOutputStart(messages: readonly TurnMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return i + 1;
  return 0;
}
