import type { DevServerContext } from '../dev-server-context.js';

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
}

export interface ViewerMessage {
  id: string | null;
  role: string;
  /** Text (Mielto content, Melodi markdown). */
  content: string | null;
  /** Structured content (Melodi json messages). */
  json: unknown;
  toolCalls: unknown[] | null;
  senderId: string | null;
  metadata: Record<string, unknown> | null;
  createdAt: string | null;
}

function threadIdFromMeta(meta: Record<string, unknown>): string | null {
  for (const key of ['thread_id', 'threadId', 'chattrail_thread_id']) {
    if (typeof meta[key] === 'string') return meta[key] as string;
  }
  return null;
}

/** Every thread of both backends, most recently updated first. */
export function viewerThreads(ctx: DevServerContext): ViewerThread[] {
  const threads: ViewerThread[] = [];
  const { mielto, melodi } = ctx.store;
  for (const c of mielto.allConversations()) {
    threads.push({
      backend: 'mielto',
      id: c.id,
      externalId: threadIdFromMeta(c.meta_data),
      title: c.title ?? c.id,
      user: c.user_id ? { id: c.user_id } : null,
      metadata: c.meta_data,
      createdAt: c.created_at,
      updatedAt: c.updated_at,
      messages: mielto.messagesOf(c.id).map((m) => ({
        id: m.id,
        role: m.role,
        content: m.content,
        json: null,
        toolCalls: m.tool_calls,
        senderId: m.sender_id,
        metadata: m.meta_data,
        createdAt: m.sent_at ?? m.created_at,
      })),
    });
  }
  for (const t of melodi.allThreads()) {
    const user = melodi.user(t.externalUserId);
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
      messages: t.messages.map((m) => ({
        id: m.externalId ?? null,
        role: m.role,
        content: m.type === 'json' ? null : (m.content ?? null),
        json: m.type === 'json' ? (m.jsonContent ?? null) : null,
        toolCalls: null,
        senderId: null,
        metadata: m.metadata ?? null,
        createdAt: null,
      })),
    });
  }
  return threads.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
}
