import type { JsonValue, TurnMessage, TurnMessageRole, TurnToolCall, TurnToolResult } from '@chattrail/core';
import { contentPartPlaceholder, toJsonSafe, turnMessageId } from '@chattrail/core/adapter';

/**
 * The parts of a LangChain `BaseMessage` we read, typed structurally so the same code serves
 * `@langchain/core` 0.3 and 1.x (and plain message-like objects) without importing either at run time.
 */
export interface MessageLike {
  type?: unknown;
  _getType?: () => string;
  role?: unknown;
  content?: unknown;
  name?: unknown;
  tool_calls?: unknown;
  invalid_tool_calls?: unknown;
  tool_call_id?: unknown;
  status?: unknown;
}

/** What the handler keeps of a message before it knows the thread and position: everything but the id. */
export type MessageBody = Omit<TurnMessage, 'id'>;

/** Placeholder for text that `captureContent: false` keeps out of the logs. */
export const CONTENT_NOT_CAPTURED = '[content not captured]';

/** Tool outputs that look like JSON are parsed up to this size; larger ones stay text. */
const MAX_PARSED_OUTPUT_CHARS = 64 * 1024;

/** Bounds for tool-call arguments: they come from the model and can be arbitrarily large. */
const ARGS_LIMITS = { maxDepth: 10, maxKeys: 200, maxArrayLength: 200, maxNodes: 2000 } as const;

/** Content block types that are not part of what the conversation says (they are carried elsewhere). */
const SKIPPED_BLOCKS = new Set([
  'tool_use', // Anthropic tool calls: carried by `tool_calls`
  'tool_call',
  'tool_call_chunk',
  'server_tool_call',
  'function_call',
  'input_json_delta',
  'reasoning', // hidden model reasoning: not an answer the user saw
  'thinking',
  'redacted_thinking',
]);

/** The role of a LangChain message type (`human`, `ai`, ...) in the Turn model. */
export function roleOf(message: MessageLike): TurnMessageRole {
  const type =
    typeof message.type === 'string'
      ? message.type
      : typeof message._getType === 'function'
        ? message._getType()
        : undefined;
  switch (type) {
    case 'human':
    case 'user':
      return 'user';
    case 'ai':
    case 'assistant':
      return 'assistant';
    case 'system':
    case 'developer':
      return 'system';
    case 'tool':
    case 'function':
      return 'tool';
    default: {
      // ChatMessage (`generic`) carries a free-form role.
      const role = typeof message.role === 'string' ? message.role.toLowerCase() : '';
      if (role === 'assistant' || role === 'ai' || role === 'model') return 'assistant';
      if (role === 'system' || role === 'developer') return 'system';
      if (role === 'tool' || role === 'function') return 'tool';
      return 'user';
    }
  }
}

/**
 * The text of LangChain message content: a string as is; an array of content blocks with text blocks
 * concatenated (as LangChain's own `.text` does) and every non-text block (image, audio, file) replaced
 * by a short placeholder on its own line. Bytes are never copied.
 */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === undefined || content === null ? '' : String(content);
  // Adjacent text blocks are one run of text (streamed answers arrive split); placeholders and the text
  // around them are separate lines.
  let text = '';
  let inTextRun = false;
  for (const block of content) {
    let value: string | undefined;
    let isText = true;
    if (typeof block === 'string') value = block;
    else if (block !== null && typeof block === 'object') {
      const type = (block as { type?: unknown }).type;
      if (type === 'text' || type === 'text_delta' || type === 'output_text' || type === 'input_text') {
        const blockText = (block as { text?: unknown }).text;
        if (typeof blockText === 'string') value = blockText;
      } else if (typeof type !== 'string' || !SKIPPED_BLOCKS.has(type)) {
        value = contentPartPlaceholder(block);
        isText = false;
      }
    }
    if (value === undefined) continue;
    if (text.length > 0 && !(isText && inTextRun)) text += '\n';
    text += value;
    inTextRun = isText;
  }
  return text;
}

function toolCallsOf(message: MessageLike, captureContent: boolean): TurnToolCall[] | undefined {
  const calls: TurnToolCall[] = [];
  if (Array.isArray(message.tool_calls)) {
    for (let i = 0; i < message.tool_calls.length; i++) {
      const call = message.tool_calls[i] as { id?: unknown; name?: unknown; args?: unknown } | null;
      if (call === null || typeof call !== 'object') continue;
      const name = typeof call.name === 'string' ? call.name : '';
      calls.push({
        // Providers without call ids (some local models) still need one that is stable across resends.
        id: typeof call.id === 'string' && call.id !== '' ? call.id : `${name || 'call'}_${i}`,
        name,
        args: captureContent ? toJsonSafe(call.args ?? {}, ARGS_LIMITS) : {},
      });
    }
  }
  if (Array.isArray(message.invalid_tool_calls)) {
    // Calls whose arguments did not parse: kept, with the raw argument text, because the model made them.
    for (let i = 0; i < message.invalid_tool_calls.length; i++) {
      const call = message.invalid_tool_calls[i] as { id?: unknown; name?: unknown; args?: unknown } | null;
      if (call === null || typeof call !== 'object') continue;
      const name = typeof call.name === 'string' ? call.name : '';
      calls.push({
        id:
          typeof call.id === 'string' && call.id !== ''
            ? call.id
            : `${name || 'invalid_call'}_${calls.length}`,
        name,
        args: captureContent && typeof call.args === 'string' ? call.args : {},
      });
    }
  }
  return calls.length > 0 ? calls : undefined;
}

/** A tool's text output as JSON when it is a JSON object or array, else the text itself. */
function parseToolOutput(text: string): JsonValue {
  const first = text.charCodeAt(0);
  // '{' or '['
  if ((first === 123 || first === 91) && text.length <= MAX_PARSED_OUTPUT_CHARS) {
    try {
      return toJsonSafe(JSON.parse(text));
    } catch {
      // Not JSON after all: keep the text.
    }
  }
  return text;
}

/**
 * Converts one LangChain message into a Turn message body (no id yet).
 *
 * Everything that goes into the stable id (role, text, tool-call ids, tool-result id) is derived from the
 * message alone, so a message yields the same body whether the handler sees it as a model's output
 * (handleLLMEnd), a tool's result (handleToolEnd) or, later, as history in the next call's input.
 */
export function toMessageBody(message: MessageLike, captureContent = true): MessageBody {
  const role = roleOf(message);
  const text = contentText(message.content);
  const body: MessageBody = {
    role,
    content: captureContent || text === '' ? text : CONTENT_NOT_CAPTURED,
  };
  if (role === 'assistant') {
    const toolCalls = toolCallsOf(message, captureContent);
    if (toolCalls !== undefined) body.toolCalls = toolCalls;
  } else if (role === 'tool') {
    const toolCallId = typeof message.tool_call_id === 'string' ? message.tool_call_id : undefined;
    if (toolCallId !== undefined) {
      const result: TurnToolResult = {
        toolCallId,
        output: captureContent ? parseToolOutput(text) : null,
      };
      if (typeof message.name === 'string' && message.name !== '') result.name = message.name;
      if (message.status === 'error') result.isError = true;
      body.toolResult = result;
    }
  }
  return body;
}

/** Gives a message body its stable id for its position in the thread. */
export function withId(threadId: string, position: number, body: MessageBody): TurnMessage {
  return { id: turnMessageId(threadId, position, body), ...body };
}
