import { turnMessageId } from '../normalize/message-id';
import type { TurnMessage } from '../spec/turn';
import { hasOwnId } from './has-own-id';
import { type RecordedHistory, Reuse, reuseAt } from './recorded-history';

/** How a turn lines up with the thread's previous one, when its positions are not its indexes. */
export interface HistoryAlignment {
  /** Each message's thread position. */
  positions: number[];
}

/**
 * Keeps derived message ids stable when an app sends a window of the history rather than all of it.
 *
 * A message without an id of its own gets one derived from its position in the thread. Adapters pass the
 * index in the turn's messages as that position, which is right while each turn resends the whole history.
 * Apps that trim what the model sees (the system prompt plus the last N messages, `trimMessages`, a
 * summary) shift every index each turn, so every message would get a new id and be sent again: Mielto
 * would append the window again each turn, Melodi would hold each message many times.
 *
 * `messages` are this turn's copies of `rawMessages`, ids derived from their index (`normalizeHistory`'s
 * first pass; an app's own id is kept, and an id equal to the one derived from the index counts as derived);
 * `previous` is the thread's last recorded history with the thread positions its messages were given.
 * Lines this turn up with it: a common prefix (pinned messages) keeps its positions; the rest is matched
 * against the previous history shifted by the smallest number of dropped messages under which it
 * continues it; what follows continues the numbering. Messages so matched take the previous copy's id (or
 * the copy itself), so a message keeps its id for as long as the thread stays in the thread log.
 *
 * Updates `messages` and `reuse` in place (never a copy held by `previous`) and returns each message's
 * thread position, or `undefined` when every position is the message's index: the usual case of a resent
 * history, which costs one comparison per message and changes nothing. Without a match (an edited
 * or regenerated message, a summary in place of the history) positions continue from the common prefix,
 * which for a thread never windowed is the index: exactly the ids of a full-history resend.
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
  if (priorPositions === undefined) {
    // The usual case: the turn resends the previous history (the same copies, or messages whose ids,
    // derived at the same index or their own, are the same). Checked here, where no closure is
    // allocated, before the search below.
    let j = 0;
    const common = Math.min(n, m);
    while (j < common && (messages[j] === prior[j] || messages[j]!.id === prior[j]!.id)) j++;
    if (j === common) return undefined;
  }
  return lineUp(threadId, rawMessages, messages, reuse, previous);
}

function lineUp(
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
  const positionOf = (k: number): number => (priorPositions === undefined ? k : priorPositions[k]!);
  // Asked again for the same message while searching; the answer may cost a hash.
  const ownIds: (boolean | undefined)[] = [];
  const hasOwn = (j: number): boolean => {
    ownIds[j] ??= hasOwnId(rawMessages[j], j, threadId, messages[j]!);
    return ownIds[j]!;
  };

  // Whether this turn's message j is the previous turn's message k. The copies still carry ids derived
  // from their index j, so an id derived at another position is recomputed (text compared first: cheap).
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
  const common = Math.min(n, m);
  while (prefix < common && same(prefix, prefix)) prefix++;
  if (prefix === common && priorPositions === undefined) return undefined;

  // The smallest shift (messages dropped after the prefix) under which this turn continues the previous
  // one: matched up to the end of either, or for at least two messages (a window that moved while the
  // last answer was regenerated). Mismatches show at the first message almost always, so this is linear.
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
    if (j < prefix) {
      position = positionOf(j);
      take(j, j);
    } else if (shift > 0 && j < matchedTo) {
      position = positionOf(j + shift);
      take(j, j + shift);
    } else {
      // New messages, or no match: the numbering goes on from the message before.
      position = j === 0 ? (m > 0 ? positionOf(0) : 0) : positions[j - 1]! + 1;
      // A copy kept from the previous turn at this index carries an id derived at that turn's position.
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
