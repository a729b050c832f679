import { turnMessageId } from '../normalize/message-id';
import type { TurnMessage } from '../spec/turn';
import { hasOwnId } from './has-own-id';
import { type RecordedHistory, Reuse, reuseAt } from './recorded-history';

/** Each message's thread position, when they are not its indexes. */
export interface HistoryAlignment {
  positions: number[];
}

/**
 * Keeps derived ids stable when an app sends a window of the history (ids derive from the thread position,
 * which a window shifts): a common prefix keeps its positions, the rest is matched against `previous`
 * shifted by the fewest dropped messages, new messages continue the numbering. Updates `messages` in place;
 * `undefined` when every position is the index.
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
  const hasOwn = (j: number): boolean => {
    ownIds[j] ??= hasOwnId(rawMessages[j], j, threadId, messages[j]!);
    return ownIds[j]!;
  };

  // Whether message j (its id still derived at j) is the previous turn's k; text compared first (cheap).
  const same = (j: number, k: number): boolean => {
    const message = messages[j]!;
    const before = prior[k]!;
    if (message === before) return true;
    if (hasOwn(j)) return message.id === before.id;
    if (message.role !== before.role || message.content !== before.content) return false;
    const position = positionOf(k);
    return position === j
      ? message.id === before.id
      : turnMessageId(threadId, position, message) === before.id;
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
      return;
    }
    if (!hasOwn(j)) setId(j, before.id);
  };

  const positions: number[] = new Array(n);
  let windowed = false;
  for (let j = 0; j < n; j++) {
    let position: number;
    if (j < matchedTo) {
      const k = j < prefix ? j : j + shift;
      position = positionOf(k);
      take(j, k);
    } else {
      position = j === 0 ? (m > 0 ? positionOf(0) : 0) : positions[j - 1]! + 1;
      // A copy kept from the previous turn carries an id derived at that turn's position.
      const derivedAt = shared(j) ? positionOf(j) : j;
      if (derivedAt !== position && !hasOwn(j)) {
        setId(j, turnMessageId(threadId, position, messages[j]!));
      }
    }
    positions[j] = position;
    if (position !== j) windowed = true;
  }
  return windowed ? { positions } : undefined;
}
