import { turnMessageId } from '../normalize/message-id';
import type { TurnMessage } from '../spec/turn';
import { alignment, type HistoryAlignment, hasOwnId } from './align-history';
import { leadingSystemCount } from './leading-system-count';
import type { RecordedHistory } from './recorded-history';
import { turnOutputStart } from './turn-output-start';

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
