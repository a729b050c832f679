import { SKIPPED_MESSAGES_KEY, TRUNCATED_MESSAGES_KEY } from './normalize-turn';

/** How many messages normalizeTurn left out of a turn (past maxMessagesPerTurn, or holes), from its metadata. */
export function leftOutMessages(metadata: Readonly<Record<string, unknown>>): number {
  const truncated = metadata[TRUNCATED_MESSAGES_KEY];
  const skipped = metadata[SKIPPED_MESSAGES_KEY];
  return (typeof truncated === 'number' ? truncated : 0) + (typeof skipped === 'number' ? skipped : 0);
}
