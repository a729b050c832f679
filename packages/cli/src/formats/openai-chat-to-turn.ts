import type {
  JsonObject,
  JsonValue,
  Turn,
  TurnMessage,
  TurnMessageRole,
  TurnToolCall,
} from '@chattrail/core';
import { contentPartPlaceholder } from '@chattrail/core/adapter';
import { idText, isObject, timestamp } from './conversation-fields';
import { ImportInputError } from './import-input-error';

/** Where a conversation came from: it names the thread when the conversation does not. */
export interface ConversationOrigin {
  /** The input's name as shown to the user (`-` for stdin). */
  file: string;
  /** The file name without its folder: what a derived thread id is built from. */
  fileName: string;
  /** 1-based line number. */
  line: number;
}

const ROLES: Record<string, TurnMessageRole> = {
  system: 'system',
  // The Chat Completions API's newer name for system instructions.
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
  tool: 'tool',
  // The deprecated `function` role carries a function result, like `tool`.
  function: 'tool',
};

/**
 * The thread of a conversation that has no `thread_id`: the file name and the line, so that re-importing
 * the same file (from any folder) lands in the same threads and stores nothing twice.
 */
export function derivedThreadId(origin: ConversationOrigin): string {
  return `import:${origin.fileName}:${origin.line}`;
}

/**
 * One line of OpenAI chat JSONL, `{"messages": [...], "thread_id"?, "user"?, "metadata"?, "created_at"?,
 * "model"?}`, as a Turn. Messages are Chat Completions messages: tool calls on assistant messages, tool
 * results as `tool` messages with `tool_call_id`. Message ids are left to the trail, which derives them
 * from (thread, position, role, content): stable across runs.
 *
 * @throws {ImportInputError} when the value is not such a conversation.
 */
export function openAIChatToTurn(value: unknown, origin: ConversationOrigin): Turn {
  if (!isObject(value)) throw new ImportInputError('not a JSON object');
  const rawMessages = value.messages;
  if (!Array.isArray(rawMessages)) throw new ImportInputError('no "messages" array');
  if (rawMessages.length === 0) throw new ImportInputError('"messages" is empty');

  const threadId = idText(value.thread_id) ?? idText(value.id) ?? derivedThreadId(origin);
  const toolNames = new Map<string, string>();
  const messages = rawMessages.map((raw, index) => toMessage(raw, index, toolNames));
  const at = timestamp(value.created_at) ?? new Date().toISOString();

  const turn: Turn = {
    id: `import_${threadId}`,
    threadId,
    messages,
    startedAt: at,
    endedAt: at,
    status: 'ok',
    source: 'manual',
  };
  const userId = idText(value.user) ?? (isObject(value.user) ? idText(value.user.id) : undefined);
  if (userId !== undefined) turn.user = { id: userId };
  if (typeof value.model === 'string' && value.model !== '') turn.model = { id: value.model };
  const metadata: Record<string, JsonValue> = { imported_from: `${origin.fileName}:${origin.line}` };
  if (isObject(value.metadata)) metadata.metadata = value.metadata as JsonObject;
  turn.metadata = metadata;
  return turn;
}

function toMessage(raw: unknown, index: number, toolNames: Map<string, string>): TurnMessage {
  const where = `messages[${index}]`;
  if (!isObject(raw)) throw new ImportInputError(`${where} is not an object`);
  const role = typeof raw.role === 'string' ? ROLES[raw.role] : undefined;
  if (role === undefined)
    throw new ImportInputError(`${where} has an unknown role ${JSON.stringify(raw.role)}`);
  const content = contentText(raw.content, where);
  // The trail fills in the stable id; '' asks it to.
  const message: TurnMessage = { id: '', role, content };
  if (typeof raw.name === 'string' && role === 'user') message.senderId = raw.name;

  if (role === 'assistant') {
    const calls: TurnToolCall[] = [];
    if (Array.isArray(raw.tool_calls)) {
      for (const [i, call] of raw.tool_calls.entries())
        calls.push(toolCall(call, `${where}.tool_calls[${i}]`));
    }
    // The deprecated single `function_call`.
    if (isObject(raw.function_call) && typeof raw.function_call.name === 'string') {
      calls.push({
        id: `${raw.function_call.name}_${index}`,
        name: raw.function_call.name,
        args: parseArguments(raw.function_call.arguments),
      });
    }
    for (const call of calls) toolNames.set(call.id, call.name);
    if (calls.length > 0) message.toolCalls = calls;
  } else if (role === 'tool') {
    const toolCallId =
      idText(raw.tool_call_id) ??
      (raw.role === 'function' && typeof raw.name === 'string' ? raw.name : undefined);
    if (toolCallId === undefined)
      throw new ImportInputError(`${where} is a tool message without "tool_call_id"`);
    const name = typeof raw.name === 'string' ? raw.name : toolNames.get(toolCallId);
    message.toolResult =
      name === undefined ? { toolCallId, output: content } : { toolCallId, name, output: content };
  }
  return message;
}

function toolCall(raw: unknown, where: string): TurnToolCall {
  if (!isObject(raw) || !isObject(raw.function) || typeof raw.function.name !== 'string') {
    throw new ImportInputError(`${where} is not a {"id", "function": {"name", "arguments"}} tool call`);
  }
  const id = idText(raw.id);
  if (id === undefined) throw new ImportInputError(`${where} has no "id"`);
  return { id, name: raw.function.name, args: parseArguments(raw.function.arguments) };
}

/** Chat Completions arguments are JSON text; text that does not parse is kept as it is. */
function parseArguments(raw: unknown): JsonValue {
  if (typeof raw !== 'string') return (raw ?? {}) as JsonValue;
  try {
    return JSON.parse(raw) as JsonValue;
  } catch {
    return raw;
  }
}

/** A string, null (assistant tool-call messages), or content parts: text kept, the rest as placeholders. */
function contentText(raw: unknown, where: string): string {
  if (raw === null || raw === undefined) return '';
  if (typeof raw === 'string') return raw;
  if (!Array.isArray(raw)) throw new ImportInputError(`${where}.content is neither text nor a list of parts`);
  return raw
    .map((part) => {
      if (
        isObject(part) &&
        (part.type === 'text' || part.type === 'input_text') &&
        typeof part.text === 'string'
      )
        return part.text;
      if (isObject(part) && part.type === 'refusal' && typeof part.refusal === 'string') return part.refusal;
      return contentPartPlaceholder(part);
    })
    .join('\n');
}
