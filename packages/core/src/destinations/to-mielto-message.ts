import type { MessageCreateRequest } from '../mielto/mielto-models';
import type { JsonObject, JsonValue, Turn } from '../spec/turn';
import type { ThreadMessage } from './merge-thread-messages';

/** Settings of {@link toMieltoMessage}. */
export interface MieltoMessageMapping {
  /** `sender_id` of every message the user did not write. */
  agentId: string;
}

/**
 * Maps one message of a thread to Mielto's `MessageCreateRequest`, with only the fields of that schema
 * (the API validates bodies; everything else goes into `meta_data`).
 *
 * - `sender_id`: the message's own `senderId`, else the user id for user messages and `agentId` for the
 *   others.
 * - `created_at` only when the message carries `createdAt`: a timestamp invented at send time would differ
 *   between two sends of the same message.
 * - Tool calls become OpenAI-style `tool_calls` (`arguments` is JSON text); a tool result becomes a `tool`
 *   message whose content is the output as text.
 * - `meta_data` carries our message id (so a retried batch is recognisable), the thread, turn and
 *   position and tool ids. The turn's last message, when the turn produced it, also carries the turn's
 *   model, usage, latency, status, error and own `metadata` (as `turn_metadata`); its other assistant
 *   messages carry the model and status only. One message per turn with the usage, so summing usage over
 *   a conversation's messages counts each model call once (a tool loop's tool results and intermediate
 *   tool calls would otherwise repeat it). A failed or aborted turn that produced nothing puts the same
 *   (status, model, error, latency, usage if any) on its last message instead.
 */
export function toMieltoMessage(entry: ThreadMessage, mapping: MieltoMessageMapping): MessageCreateRequest {
  const { message, turn, position } = entry;
  const role = String(message.role);
  const request: MessageCreateRequest = { content: mieltoContent(entry), role };
  const senderId =
    typeof message.senderId === 'string' && message.senderId !== ''
      ? message.senderId
      : role === 'user'
        ? turn.user?.id
        : mapping.agentId;
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
  if (entry.isOutput) {
    if (entry.isTurnEnd) Object.assign(meta, turnOutputMeta(turn));
    else if (role === 'assistant') Object.assign(meta, producerMeta(turn));
  } else if (entry.isTurnEnd && turn.status !== 'ok') {
    // A turn that failed or was aborted before it produced anything: its last message (the user's) says so,
    // or Mielto would keep a question with no answer and no trace of why.
    Object.assign(meta, turnOutputMeta(turn));
  }
  if (message.metadata !== undefined) meta.metadata = message.metadata;
  request.meta_data = meta;
  return request;
}

/** A tool message's text is its output (JSON text unless it already is a string); others keep their text. */
function mieltoContent(entry: ThreadMessage): string {
  const { message } = entry;
  const result = message.toolResult;
  if (result !== undefined && result.output !== null && result.output !== undefined) {
    return typeof result.output === 'string' ? result.output : JSON.stringify(result.output);
  }
  return typeof message.content === 'string' ? message.content : String(message.content ?? '');
}

/** OpenAI's `function.arguments` is JSON text; arguments an adapter could not parse are already text. */
function argumentsText(args: JsonValue): string {
  return typeof args === 'string' ? args : JSON.stringify(args ?? null);
}

/** Which model produced a turn's output, and how the turn ended. */
function producerMeta(turn: Turn): JsonObject {
  const meta: JsonObject = { status: turn.status };
  if (turn.model?.id !== undefined) meta.model = turn.model.id;
  if (turn.model?.provider !== undefined) meta.provider = turn.model.provider;
  return meta;
}

/** What a turn says about the messages it produced, put on the last of them. */
export function turnOutputMeta(turn: Turn): JsonObject {
  const meta = producerMeta(turn);
  if (turn.usage !== undefined) meta.usage = { ...turn.usage } as JsonObject;
  const latency = latencyMs(turn);
  if (latency !== undefined) meta.latency_ms = latency;
  if (turn.timeToFirstTokenMs !== undefined) meta.time_to_first_token_ms = turn.timeToFirstTokenMs;
  if (turn.error !== undefined) meta.error = { name: turn.error.name, message: turn.error.message };
  // The app's and the adapter's metadata of the turn (withChatTrail, providerOptions, HTTP path...).
  if (turn.metadata !== undefined) meta.turn_metadata = turn.metadata;
  return meta;
}

/** `endedAt - startedAt` in milliseconds, when both parse. */
export function latencyMs(turn: Turn): number | undefined {
  const latency = Date.parse(turn.endedAt) - Date.parse(turn.startedAt);
  return Number.isFinite(latency) && latency >= 0 ? latency : undefined;
}
