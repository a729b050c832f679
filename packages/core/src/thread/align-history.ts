import { turnMessageId } from '../normalize/message-id';
import type { TurnMessage } from '../spec/turn';
import { type RecordedHistory, Reuse, reuseAt } from './recorded-history';

/** Each message's thread position, when they are not its indexes. */
export interface HistoryAlignment {
  positions: number[];
}

/** Whether a raw message brings its own id (one equal to the index-derived id is positional). */
export function hasOwnId(input: unknown, index: number, threadId: string, message: TurnMessage): boolean {
  if (input === null || typeof input !== 'object') return false;
  const id = (input as { id?: unknown }).id;
  return typeof id === 'string' && id !== '' && id !== turnMessageId(threadId, index, message);
}

/** The alignment of `positions`, `undefined` when each is its index. */
export function alignment(positions: number[]): HistoryAlignment | undefined {
  return positions.some((position, j) => position !== j) ? { positions } : undefined;
}

/**
 * Keeps derived ids stable when an app sends a window of the history (a window shifts the positions ids
 * derive from): matches `previous` shifted by the fewest dropped messages. Updates `messages` in place.
 */
export function alignHistory(
  threadId: string,
  rawMessages: readonly unknown[],
  messages: TurnMessage[],
  reuse: number[],
  previous: RecordedHistory,
): HistoryAlignment | undefined {
  const prior = previous.messages;
  const priorPositions = previous.positions;
  const n = messages.length;
  const m = prior.length;
  const common = Math.min(n, m);
  if (priorPositions === undefined) {
    // The usual resent history, checked before the closures below are created.
    let j = 0;
    while (j < common && (messages[j] === prior[j] || messages[j]!.id === prior[j]!.id)) j++;
    if (j === common) return undefined;
  }
  const positionOf = (k: number): number => (priorPositions === undefined ? k : priorPositions[k]!);
  // Asked again for the same message while searching; the answer may cost a hash.
  const ownIds: (boolean | undefined)[] = [];
  const hasOwn = (j: number): boolean => (ownIds[j] ??= hasOwnId(rawMessages[j], j, threadId, messages[j]!));

  // Whether message j (its id still derived at j) is the previous turn's k; text compared first (cheap).
  const same = (j: number, k: number): boolean => {
    const message = messages[j]!;
    const before = prior[k]!;
    if (message === before) return true;
    if (hasOwn(j)) return message.id === before.id;
    if (message.role !== before.role || message.content !== before.content) return false;
    const position = positionOf(k);
    return (position === j ? message.id : turnMessageId(threadId, position, message)) === before.id;
  };

  let prefix = 0;
  while (prefix < common && same(prefix, prefix)) prefix++;
  if (prefix === common && priorPositions === undefined) return undefined;

  // The smallest shift (messages dropped after the prefix) matching to the end of either, or for two.
  let shift = 0;
  let matchedTo = prefix;
  for (let d = 1; prefix < n && prefix + d < m; d++) {
    let j = prefix;
    while (j < n && j + d < m && same(j, j + d)) j++;
    if (j === n || j + d === m || j - prefix >= 2) {
      shift = d;
      matchedTo = j;
      break;
    }
  }

  // Only now are ids changed: `same` relies on the index-derived ids above.
  const shared = (j: number): boolean => j < m && messages[j] === prior[j];
  const setId = (j: number, id: string): void => {
    const message = messages[j]!;
    if (message.id === id) return;
    if (shared(j)) messages[j] = { ...message, id };
    else message.id = id;
  };
  const take = (j: number, k: number): void => {
    const message = messages[j]!;
    const before = prior[k]!;
    if (message === before) return;
    if (
      reuse[j] !== Reuse.never &&
      reuseAt(previous, k) === reuse[j] &&
      message.role === before.role &&
      message.content === before.content &&
      (!hasOwn(j) || message.id === before.id)
    ) {
      messages[j] = before;
    } else if (!hasOwn(j)) setId(j, before.id);
  };

  const positions: number[] = new Array(n);
  for (let j = 0; j < n; j++) {
    if (j < matchedTo) {
      const k = j < prefix ? j : j + shift;
      positions[j] = positionOf(k);
      take(j, k);
      continue;
    }
    const position = j === 0 ? (m > 0 ? positionOf(0) : 0) : positions[j - 1]! + 1;
    positions[j] = position;
    // A copy kept from the previous turn carries an id derived at that turn's position.
    const derivedAt = shared(j) ? positionOf(j) : j;
    if (derivedAt !== position && !hasOwn(j)) setId(j, turnMessageId(threadId, position, messages[j]!));
  }
  return alignment(positions);
}
