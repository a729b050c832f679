import { turnMessageId } from '../normalize/message-id';
import type { TurnMessage } from '../spec/turn';
import type { HistoryAlignment } from './align-history';
import { hasOwnId } from './has-own-id';
import { leadingSystemCount } from './leading-system-count';
import type { RecordedHistory } from './recorded-history';
import { turnOutputStart } from './turn-output-start';

/**
 * Message ids and thread positions for a trail whose turns carry only the new messages
 * (`turnMessages: 'new'`): the app keeps the history itself (server-side memory, `prompt` instead of
 * `messages`, Mielto's own completions memory) and shows the model the system prompt plus the newest
 * exchange.
 *
 * Ids derived from the index alone would repeat every turn (the user's message is always at index 0 or
 * 1), so a second "yes" or a second "Sure!" in a thread would be taken for the first and never sent.
 * Here, messages after the leading system messages get ids derived from the turn as well:
 * `turnMessageId(threadId + '\u001f' + turnId, index, message)`, unique per turn in every process and
 * after restarts, the same when one turn is recorded twice. Leading system messages keep the index-derived
 * id, so an unchanged system prompt is sent once. Ids of the app's own are never changed.
 *
 * Two kinds of turn do carry the previous turn's messages, and take their ids and positions for them:
 * the next step of a tool loop (the previous turn ended in tool calls or results, and this one starts with
 * all of its messages), and a retry of a failed turn (the previous turn failed or was aborted, and this one
 * starts with its input, as the AI SDK's `maxRetries` and a resubmit produce). So the user's message is
 * stored once per request, not once per step or attempt. This needs the previous turn, which the thread
 * log keeps (not with `captureContent: false`).
 *
 * Updates `messages` in place (copies only this turn holds). Returns thread positions, continuing after the
 * previous turn's, when the previous turn is known and positions are not the indexes; otherwise
 * `undefined`.
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
  // This turn's messages [system, system + carried) are the previous turn's [priorSystem, ...).
  const carried = previous === undefined ? 0 : carriedOver(messages, system, previous, priorSystem);
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
  let next = carried > 0 ? positionOf(priorSystem + carried - 1) + 1 : threadEnd(previous);
  let windowed = false;
  for (let j = 0; j < n; j++) {
    positions[j] = j < system ? j : j < system + carried ? positionOf(priorSystem + j - system) : next++;
    if (positions[j] !== j) windowed = true;
  }
  return windowed ? { positions } : undefined;
}

/** The thread position after the previous turn's messages. */
function threadEnd(previous: RecordedHistory): number {
  const { positions, messages } = previous;
  if (positions === undefined) return messages.length;
  let end = 0;
  for (const position of positions) if (position + 1 > end) end = position + 1;
  return end;
}

/**
 * How many of the previous turn's messages (after its system messages) this turn carries again, right
 * after its own system messages: all of them for the next step of a tool loop, the input for a retry of a
 * failed turn (its partial output stays its own); 0 for any other turn.
 */
function carriedOver(
  messages: readonly TurnMessage[],
  system: number,
  previous: RecordedHistory,
  priorSystem: number,
): number {
  const prior = previous.messages;
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

function toolCallIds(message: TurnMessage): string {
  return message.toolCalls === undefined ? '' : message.toolCalls.map((call) => call.id).join('\u001f');
}
