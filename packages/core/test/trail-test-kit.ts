import { type DevServer, type DevServerOptions, startDevServer } from '@chattrail/devserver';
import { afterEach, beforeEach } from 'vitest';
import { turnMessageId } from '../src/normalize/message-id';
import type { Turn, TurnMessage, TurnUser } from '../src/spec/turn';

/**
 * Helpers for trail tests: a real devserver per test (127.0.0.1, port 0, closed after the test), turns
 * shaped like an adapter's (each resends the whole history), and read-back of what each backend stored.
 */

export const MIELTO_KEY = 'mielto-test-key-0123456789abcdef';
export const MELODI_KEY = 'melodi-test-key-0123456789abcdef';
export const PROJECT_ID = 7;

const servers: DevServer[] = [];

/** Call at the top level of a test file: closes the servers a test started. */
export function closeServersAfterEach(): void {
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
}

/**
 * The two readings of Melodi's `PUT /threads` ("the full thread object"): every Melodi behaviour is tested
 * against both, with `describe.each(MELODI_MODES)`.
 */
export const MELODI_MODES = ['merge', 'replace'] as const;
export type MelodiMode = (typeof MELODI_MODES)[number];

let defaultMelodiMode: MelodiMode | undefined;

/** Call inside a `describe.each(MELODI_MODES)`: its tests' `devServer()` then default to `mode`. */
export function useMelodiMode(mode: MelodiMode): void {
  beforeEach(() => {
    defaultMelodiMode = mode;
  });
  afterEach(() => {
    defaultMelodiMode = undefined;
  });
}

export async function devServer(options: DevServerOptions = {}): Promise<DevServer> {
  const mode = options.melodiThreadMessages ?? defaultMelodiMode;
  const server = await startDevServer({
    ...options,
    ...(mode === undefined ? {} : { melodiThreadMessages: mode }),
    port: 0,
  });
  servers.push(server);
  return server;
}

export interface StoredMieltoMessage {
  id: string;
  role: string;
  content: string;
  sender_id: string;
  tool_calls: { id: string; type: string; function: { name: string; arguments: string } }[] | null;
  meta_data: Record<string, any> | null;
  sent_at: string | null;
}

export interface StoredConversation {
  id: string;
  title: string | null;
  user_id: string | null;
  meta_data: Record<string, any>;
  messages: StoredMieltoMessage[];
}

export async function mieltoConversations(server: DevServer): Promise<StoredConversation[]> {
  return (await fetch(`${server.url}/_devserver/mielto/conversations`)).json() as Promise<
    StoredConversation[]
  >;
}

export interface StoredMelodiThread {
  id: number;
  externalId: string;
  projectId: number;
  messages: {
    externalId: string;
    role: string;
    type: string;
    content?: string;
    jsonContent?: any;
    metadata?: any;
  }[];
  metadata: Record<string, any> | null;
  externalUser: {
    externalId: string;
    name: string | null;
    segments: { name: string; type: { name: string } }[];
  } | null;
}

export async function melodiThreads(server: DevServer): Promise<StoredMelodiThread[]> {
  return (await fetch(`${server.url}/_devserver/melodi/threads`)).json() as Promise<StoredMelodiThread[]>;
}

export async function melodiFeedback(server: DevServer): Promise<any[]> {
  return (await fetch(`${server.url}/_devserver/melodi/feedback`)).json() as Promise<any[]>;
}

/** The requests the devserver saw (the last 500), oldest first; `at` is when each was answered. */
export function requestsOf(
  server: DevServer,
  route?: string,
): { method: string; path: string; status: number; at: number; body: string }[] {
  return server
    .requests(500)
    .map((entry) => ({
      method: entry.method,
      path: entry.path.split('?')[0]!,
      status: entry.status,
      at: Date.parse(entry.at),
      body: entry.bodyPreview ?? '',
    }))
    .filter((entry) => route === undefined || `${entry.method} ${entry.path}` === route)
    .reverse();
}

/**
 * A conversation as an adapter would record it: turn `n` (1-based) holds the whole history up to the
 * user's n-th message plus the assistant's answer, every message with its stable id.
 */
export class ConversationScript {
  readonly threadId: string;
  readonly user: TurnUser | undefined;
  readonly history: TurnMessage[] = [];
  #turns = 0;

  constructor(threadId: string, user?: TurnUser) {
    this.threadId = threadId;
    this.user = user;
  }

  message(role: TurnMessage['role'], content: string, extra: Partial<TurnMessage> = {}): TurnMessage {
    const position = this.history.length;
    const message: TurnMessage = { role, content, ...extra, id: '' };
    // Raw (non-string) content is left for the trail to normalise and give an id.
    if (typeof content === 'string') message.id = turnMessageId(this.threadId, position, message);
    this.history.push(message);
    return message;
  }

  /** The next turn: a user question and an answer, appended to the history. */
  turn(question = `question ${this.#turns + 1}`, answer = `answer ${this.#turns + 1}`): Turn {
    this.message('user', question);
    this.message('assistant', answer);
    return this.snapshot();
  }

  /** A turn holding the history as it is now. */
  snapshot(overrides: Partial<Turn> = {}): Turn {
    this.#turns++;
    const started = new Date(Date.UTC(2025, 0, 1, 12, 0, this.#turns)).toISOString();
    return {
      id: `${this.threadId}-turn-${this.#turns}`,
      threadId: this.threadId,
      ...(this.user === undefined ? {} : { user: this.user }),
      messages: this.history.map((message) => ({ ...message })),
      model: { provider: 'openai', id: 'gpt-4o' },
      usage: { inputTokens: 10 * this.#turns, outputTokens: 5, totalTokens: 10 * this.#turns + 5 },
      startedAt: started,
      endedAt: new Date(Date.parse(started) + 250).toISOString(),
      status: 'ok',
      source: 'manual',
      ...overrides,
    };
  }
}
