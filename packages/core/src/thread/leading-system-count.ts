import type { TurnMessage } from '../spec/turn';

/** How many messages at the start of a turn are system messages (the system prompt). */
export function leadingSystemCount(messages: readonly TurnMessage[]): number {
  let count = 0;
  while (count < messages.length && messages[count]!.role === 'system') count++;
  return count;
}
