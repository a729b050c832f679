import type { DevServerContext } from '../dev-server-context.js';
import { threadTurns, type ViewerTurn } from './thread-turns.js';
import { turnFactsOf, type ViewerTurnFacts, type ViewerTurnStatus } from './turn-facts.js';

/** One captured thread from either backend, in the neutral shape the viewer renders. */
export interface ViewerThread {
  backend: 'mielto' | 'melodi';
  /** Mielto conversation id or Melodi thread id. */
  id: string;
  /** The app's own thread id when known (Melodi externalId; Mielto `meta_data.thread_id`). */
  externalId: string | null;
  title: string;
  user: {
    id: string;
    name?: string | null;
    email?: string | null;
    username?: string | null;
    /** Melodi user segments as `{ type: value }`. */
    segments?: Record<string, string>;
  } | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  messages: ViewerMessage[];
  /** The recorded turns, in order (see `turnsCountedBy`). */
  turns: ViewerTurn[];
  /**
   * `turn-ids`: one turn per distinct `meta_data.turn_id` (what chattrail writes to Mielto); `answers`: one per
   * answer (a run of assistant and tool messages), plus a failed last turn that left no answer, when the
   * thread's metadata says so (Melodi holds no turn ids).
   */
  turnsCountedBy: 'turn-ids' | 'answers';
  /** The worst status of the turns (error over aborted over ok); null when no turn records one. */
  status: ViewerTurnStatus | null;
  /** The last recorded turn error. */
  error: { name: string | null; message: string } | null;
}

export interface ViewerMessage {
  id: string | null;
  /** chattrail's message id (Mielto `meta_data.chattrail_message_id`, Melodi `externalId`), when known. */
  chattrailId: string | null;
  role: string;
  /** Text (Mielto content, Melodi markdown). */
  content: string | null;
  /** Structured content (Melodi json messages). */
  json: unknown;
  /** Tool calls as sent (Mielto's OpenAI-style `tool_calls`). */
  toolCalls: unknown[] | null;
  /** The tool calls in one shape, from either backend: Mielto `tool_calls`, Melodi `jsonContent.toolCalls`. */
  calls: ViewerToolCall[];
  /** The tool result this message carries: a Mielto `tool` message, a Melodi `jsonContent` with `toolCallId`. */
  toolResult: ViewerToolResult | null;
  senderId: string | null;
  metadata: Record<string, unknown> | null;
  /** How the turn this message ends went (its own metadata, or Melodi's thread metadata on the last answer). */
  facts: ViewerTurnFacts | null;
  createdAt: string | null;
}

export interface ViewerToolCall {
  id: string | null;
  name: string | null;
  /** Decoded arguments (JSON text is parsed; text that is not JSON stays text). */
  args: unknown;
}

export interface ViewerToolResult {
  toolCallId: string | null;
  name: string | null;
  /** The output, decoded from JSON text when it is JSON. */
  output: unknown;
  isError: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const stringOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function threadIdFromMeta(meta: Record<string, unknown>): string | null {
  for (const key of ['thread_id', 'threadId', 'chattrail_thread_id']) {
    if (typeof meta[key] === 'string') return meta[key] as string;
  }
  return null;
}

/** JSON text decoded when it is an object or array; anything else as it was. */
function decoded(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!(text.startsWith('{') || text.startsWith('['))) return value;
  try {
    return JSON.parse(text);
  } catch {
    return value;
  }
}

/** OpenAI-style `{ id, function: { name, arguments } }` or chattrail's `{ id, name, args }`. */
function toolCallOf(call: unknown): ViewerToolCall {
  if (!isObject(call)) return { id: null, name: null, args: call };
  const fn = isObject(call.function) ? call.function : null;
  return {
    id: stringOrNull(call.id),
    name: stringOrNull(fn ? fn.name : call.name),
    args: decoded(fn ? fn.arguments : call.args !== undefined ? call.args : call.arguments),
  };
}

/** Every thread of both backends, most recently updated first. */
export function viewerThreads(ctx: DevServerContext): ViewerThread[] {
  const threads: ViewerThread[] = [];
  const { mielto, melodi } = ctx.store;
  for (const c of mielto.allConversations()) {
    const messages: ViewerMessage[] = mielto.messagesOf(c.id).map((m) => {
      const meta = m.meta_data;
      const toolCallId = meta ? stringOrNull(meta.tool_call_id ?? meta.toolCallId) : null;
      return {
        id: m.id,
        chattrailId: meta ? stringOrNull(meta.chattrail_message_id) : null,
        role: m.role,
        content: m.content,
        json: null,
        toolCalls: m.tool_calls,
        calls: Array.isArray(m.tool_calls) ? m.tool_calls.map(toolCallOf) : [],
        toolResult:
          m.role === 'tool' || toolCallId !== null
            ? {
                toolCallId,
                name: meta ? stringOrNull(meta.tool_name ?? meta.name) : null,
                output: decoded(m.content),
                isError: meta?.is_error === true,
              }
            : null,
        senderId: m.sender_id,
        metadata: meta,
        facts: turnFactsOf(meta, 'message'),
        createdAt: m.sent_at ?? m.created_at,
      };
    });
    threads.push({
      backend: 'mielto',
      id: c.id,
      externalId: threadIdFromMeta(c.meta_data),
      title: c.title ?? c.id,
      user: c.user_id ? { id: c.user_id } : null,
      metadata: c.meta_data,
      createdAt: c.created_at,
      updatedAt: c.updated_at,
      messages,
      ...threadTurns(messages, null),
    });
  }
  for (const t of melodi.allThreads()) {
    const user = melodi.user(t.externalUserId);
    const messages: ViewerMessage[] = t.messages.map((m) => {
      // A markdown message may carry its tool calls in jsonContent beside its text.
      const json = m.jsonContent ?? null;
      const calls = isObject(json) && Array.isArray(json.toolCalls) ? json.toolCalls.map(toolCallOf) : [];
      const toolResult =
        isObject(json) && typeof json.toolCallId === 'string'
          ? {
              toolCallId: json.toolCallId,
              name: stringOrNull(json.name),
              output: decoded(json.output),
              isError: json.isError === true,
            }
          : null;
      return {
        id: m.externalId ?? null,
        chattrailId: m.externalId ?? null,
        role: m.role,
        content: m.type === 'json' ? null : (m.content ?? null),
        json,
        toolCalls: null,
        calls,
        toolResult,
        senderId: null,
        metadata: m.metadata ?? null,
        facts: turnFactsOf(m.metadata, 'message'),
        createdAt: null,
      };
    });
    threads.push({
      backend: 'melodi',
      id: String(t.id),
      externalId: t.externalId,
      title: t.externalId ?? `Thread ${t.id}`,
      user: user
        ? {
            id: user.externalId,
            name: user.name,
            email: user.email,
            username: user.username,
            segments: Object.fromEntries(user.segments.map((s) => [s.type.name, s.name])),
          }
        : null,
      metadata: t.metadata,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      messages,
      // Melodi's thread metadata describes the thread's latest turn (chattrail rewrites it on every PUT).
      ...threadTurns(messages, turnFactsOf(t.metadata, 'thread')),
    });
  }
  return threads.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
}
