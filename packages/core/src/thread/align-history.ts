import { turnMessageId } from '../normalize/message-id';
import type { TurnMessage } from '../spec/turn';
import { leadingSystemCount } from './leading-system-count';
import { type RecordedHistory, Reuse, reuseAt } from './recorded-history';
import { turnOutputStart } from './turn-output-start';

/** Each message's thread position, when they are not its indexes. */
type HistoryAlignment = { positions: number[] };

/** Whether a raw message brings its own id (one equal to the index-derived id is positional). */
function hasOwnId(input: unknown, index: number, threadId: string, message: TurnMessage): boolean {
  if (input === null || typeof input !== 'object') return false;
  const id = (input as { id?: unknown }).id;
  return typeof id === 'string' && id !== '' && id !== turnMessageId(threadId, index, message);
}

/** The alignment of `positions`, `undefined` when each is its index. */
function alignment(positions: number[]): HistoryAlignment | undefined {
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
  reuse: RecordedHistory['reuse'],
  previous: RecordedHistory,
): HistoryAlignment | undefined {
  const prior = previous.messages;
  if (previous.positions === undefined) {
    // The usual resent history, in a function of its own: lineUp's closures cost a context on every call.
    const common = Math.min(messages.length, prior.length);
    let j = 0;
    while (j < common && (messages[j] === prior[j] || messages[j]!.id === prior[j]!.id)) j++;
    if (j === common) return undefined;
  }
  return lineUp(threadId, rawMessages, messages, reuse, previous);
}

function lineUp(
  threadId: string,
  rawMessages: readonly unknown[],
  messages: TurnMessage[],
  reuse: RecordedHistory['reuse'],
  previous: RecordedHistory,
): HistoryAlignment | undefined {
  const prior = previous.messages;
  const priorPositions = previous.positions;
  const n = messages.length;
  const m = prior.length;
  const common = Math.min(n, m);
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
    const how = typeof reuse === 'number' ? reuse : reuse[j];
    if (
      how !== Reuse.never &&
      reuseAt(previous, k) === how &&
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

/**
 * Ids for `turnMessages: 'new'`, derived from the turn id too (index-derived ones would repeat every turn);
 * messages a tool loop's next step or a retry resends keep the previous turn's. Updates `messages` in place.
 */
export function numberNewMessages(
  threadId: string,
  turnId: string,
  rawMessages: readonly unknown[],
  messages: TurnMessage[],
  previous: RecordedHistory | undefined,
): HistoryAlignment | undefined {
  const n = messages.length;
  const system = leadingSystemCount(messages);
  const prior = previous?.messages ?? [];
  const priorSystem = leadingSystemCount(prior);
  const carried = previous === undefined ? 0 : carriedOver(messages, system, previous);
  for (let j = system; j < n; j++) {
    if (hasOwnId(rawMessages[j], j, threadId, messages[j]!)) continue;
    messages[j]!.id =
      j < system + carried
        ? prior[priorSystem + j - system]!.id
        : turnMessageId(`${threadId}\u001f${turnId}`, j, messages[j]!);
  }
  if (previous === undefined) return undefined;

  const positionOf = (k: number): number => previous.positions?.[k] ?? k;
  const positions: number[] = new Array(n);
  // After the last carried message, else after the previous turn's.
  let next = carried > 0 ? positionOf(priorSystem + carried - 1) + 1 : 0;
  for (let k = 0; carried === 0 && k < prior.length; k++) next = Math.max(next, positionOf(k) + 1);
  for (let j = 0; j < n; j++) {
    positions[j] = j < system ? j : j < system + carried ? positionOf(priorSystem + j - system) : next++;
  }
  return alignment(positions);
}

/** How many of the previous turn's messages (after system) it resends: a tool loop's all, a retry's input. */
function carriedOver(messages: readonly TurnMessage[], system: number, previous: RecordedHistory): number {
  const prior = previous.messages;
  const priorSystem = leadingSystemCount(prior);
  const end = previous.failed ? turnOutputStart(prior) : endsInTools(prior) ? prior.length : 0;
  const count = end - priorSystem;
  if (count <= 0 || system + count > messages.length) return 0;
  // The next step adds at least one message; a retry may fail again before it adds any.
  if (!previous.failed && system + count === messages.length) return 0;
  for (let i = 0; i < count; i++) {
    if (!sameMessage(messages[system + i]!, prior[priorSystem + i]!)) return 0;
  }
  return count;
}

/** Whether a turn ended in tool calls or a tool result: a tool loop's next step follows it. */
function endsInTools(messages: readonly TurnMessage[]): boolean {
  const last = messages[messages.length - 1];
  if (last === undefined) return false;
  return last.role === 'tool' || last.toolResult !== undefined || (last.toolCalls?.length ?? 0) > 0;
}

function sameMessage(a: TurnMessage, b: TurnMessage): boolean {
  return (
    a.role === b.role &&
    a.content === b.content &&
    toolCallIds(a) === toolCallIds(b) &&
    a.toolResult?.toolCallId === b.toolResult?.toolCallId
  );
}

const toolCallIds = (message: TurnMessage): string =>
  message.toolCalls?.map((call) => call.id).join('\u001f') ?? '';
