import type { Turn } from '../spec/turn';
import type { ThreadRecord } from './thread-log';

/**
 * Lets a queued turn share its thread's model and user objects when its own are the same (same keys, same
 * values), instead of holding copies: a thread's turns usually have one model and one user, and every
 * queued turn holds them until it is sent. Never for a user with segments (an object of its own).
 */
export function shareTurnHead(record: ThreadRecord, turn: Turn): void {
  const { model, user } = turn;
  if (model !== undefined) {
    if (record.model !== undefined && sameFlat(record.model, model)) turn.model = record.model;
    else record.model = model;
  }
  if (user !== undefined && user.segments === undefined) {
    if (record.user !== undefined && sameFlat(record.user, user)) turn.user = record.user;
    else record.user = user;
  }
}

/** Two objects of strings with the same keys and values. */
function sameFlat(a: object, b: object): boolean {
  const kept = a as Record<string, unknown>;
  const given = b as Record<string, unknown>;
  let keys = 0;
  for (const key in given) {
    if (kept[key] !== given[key]) return false;
    keys++;
  }
  for (const _ in kept) keys--;
  return keys === 0;
}
