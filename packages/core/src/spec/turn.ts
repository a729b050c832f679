/** The shape every adapter reduces what it sees to. Types only; changing them is a breaking change. */

/** Any value that survives `JSON.stringify` → `JSON.parse` unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

export type JsonObject = { [key: string]: JsonValue };

/** Who the turn was for. `id` is the app's own user id; everything else is optional profile data. */
export interface TurnUser {
  id: string;
  email?: string;
  name?: string;
  username?: string;
  /** Flat labels such as `{ plan: 'pro', team: 'eng' }`; Melodi turns these into user segments. */
  segments?: Record<string, string>;
}

/** The role of a message in the conversation as the model saw it. */
export type TurnMessageRole = 'system' | 'user' | 'assistant' | 'tool';

/** A tool call requested by the model inside an assistant message. */
export interface TurnToolCall {
  id: string;
  name: string;
  /** Parsed arguments. Adapters parse JSON text arguments; unparseable text is kept as a string. */
  args: JsonValue;
}

/** The result of one tool call, carried by a `tool` message. */
export interface TurnToolResult {
  toolCallId: string;
  name?: string;
  output: JsonValue;
  isError?: boolean;
}

/** One message of a turn. */
export interface TurnMessage {
  /** Stable id from (threadId, position, role, content), see `turnMessageId`: each message ships once. */
  id: string;
  role: TurnMessageRole;
  /** Text. Non-text parts are replaced by short placeholders (`[image: image/png, 34 KB]`), never raw bytes. */
  content: string;
  toolCalls?: TurnToolCall[];
  toolResult?: TurnToolResult;
  /** ISO 8601. Only set when the source knows it; never invented per turn (it would change every resend). */
  createdAt?: string;
  senderId?: string;
  metadata?: Record<string, JsonValue>;
}

/** Token counts as reported by the provider. Absent fields mean "not reported", not zero. */
export interface TurnUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  reasoningTokens?: number;
  cachedInputTokens?: number;
}

/** Which model produced the turn. */
export interface TurnModel {
  provider?: string;
  id?: string;
}

/** How the turn ended. `aborted` covers client disconnects and `AbortSignal`s; it is recorded, not dropped. */
export type TurnStatus = 'ok' | 'error' | 'aborted';

/** `'history'`: turns resend the conversation so far; `'new'`: only the system prompt and new messages. */
export type TurnMessagesMode = 'history' | 'new';

/** Which adapter produced the turn. */
export type TurnSource = 'ai-sdk' | 'langchain' | 'express' | 'manual';

/** One request/response cycle of a chat: the history the model saw plus what it produced. */
export interface Turn {
  /** Unique per turn. */
  id: string;
  /** The app's conversation id (useChat id, LangGraph thread_id, ...). */
  threadId: string;
  user?: TurnUser;
  /** The conversation as the model saw it plus what it produced, in order. */
  messages: TurnMessage[];
  model?: TurnModel;
  usage?: TurnUsage;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601. */
  endedAt: string;
  timeToFirstTokenMs?: number;
  status: TurnStatus;
  error?: { name: string; message: string };
  metadata?: Record<string, JsonValue>;
  source: TurnSource;
  /** Overrides the trail's `turnMessages` for this turn; recorded turns carry theirs, replayed ones none. */
  turnMessages?: TurnMessagesMode;
}
