import { parseIsoDate } from '../internal/parse-iso-date';
import type { MessageCreateRequest } from '../mielto/mielto-models';
import type { JsonObject, JsonValue, Turn } from '../spec/turn';
import type { ThreadMessage } from './merge-thread-messages';

/** For `POST /messages`; usage on a turn's last message only (sums count a call once); no invented dates. */
export function toMieltoMessage(entry: ThreadMessage, agentId: string): MessageCreateRequest {
  const { message, turn, position } = entry;
  const role = String(message.role);
  const request: MessageCreateRequest = { content: mieltoContent(entry), role };
  const senderId =
    typeof message.senderId === 'string' && message.senderId !== ''
      ? message.senderId
      : role === 'user'
        ? turn.user?.id
        : agentId;
  if (typeof senderId === 'string' && senderId !== '') request.sender_id = senderId;
  if (typeof message.createdAt === 'string') request.created_at = message.createdAt;
  if (Array.isArray(message.toolCalls) && message.toolCalls.length > 0) {
    request.tool_calls = message.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: argumentsText(call.args) },
    }));
  }
  const meta: JsonObject = {
    chattrail_message_id: message.id,
    thread_id: turn.threadId,
    turn_id: turn.id,
    position,
  };
  const result = message.toolResult;
  if (result !== undefined) {
    meta.tool_call_id = result.toolCallId;
    if (result.name !== undefined) meta.tool_name = result.name;
    if (result.isError !== undefined) meta.is_error = result.isError;
  }
  // A failed turn that produced nothing puts its usage on its last (user) message.
  if (entry.isTurnEnd && (entry.isOutput || turn.status !== 'ok')) Object.assign(meta, turnOutputMeta(turn));
  else if (entry.isOutput && role === 'assistant') Object.assign(meta, producerMeta(turn));
  if (message.metadata !== undefined) meta.metadata = message.metadata;
  request.meta_data = meta;
  return request;
}

/** A tool message's text is its output (as JSON unless a string). */
function mieltoContent({ message }: ThreadMessage): string {
  const result = message.toolResult;
  if (result !== undefined && result.output !== null && result.output !== undefined) {
    return typeof result.output === 'string' ? result.output : JSON.stringify(result.output);
  }
  return typeof message.content === 'string' ? message.content : String(message.content ?? '');
}

/** Arguments an adapter could not parse are already text. */
function argumentsText(args: JsonValue): string {
  return typeof args === 'string' ? args : JSON.stringify(args ?? null);
}

function producerMeta(turn: Turn): JsonObject {
  const meta: JsonObject = { status: turn.status };
  if (turn.model?.id !== undefined) meta.model = turn.model.id;
  if (turn.model?.provider !== undefined) meta.provider = turn.model.provider;
  return meta;
}

function turnOutputMeta(turn: Turn): JsonObject {
  const meta = producerMeta(turn);
  if (turn.usage !== undefined) meta.usage = { ...turn.usage } as JsonObject;
  const latency = latencyMs(turn);
  if (latency !== undefined) meta.latency_ms = latency;
  if (turn.timeToFirstTokenMs !== undefined) meta.time_to_first_token_ms = turn.timeToFirstTokenMs;
  if (turn.error !== undefined) meta.error = { name: turn.error.name, message: turn.error.message };
  if (turn.metadata !== undefined) meta.turn_metadata = turn.metadata;
  return meta;
}

/** `endedAt - startedAt` in milliseconds, when both parse. */
export function latencyMs(turn: Turn): number | undefined {
  const latency = parseIsoDate(turn.endedAt) - parseIsoDate(turn.startedAt);
  return Number.isFinite(latency) && latency >= 0 ? latency : undefined;
}
