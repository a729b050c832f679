import type { DevServer } from '@chattrail/devserver';

export interface MieltoConversationReadback {
  id: string;
  user_id: string | null;
  meta_data: Record<string, unknown>;
  messages: {
    role: string;
    content: string;
    sender_id: string;
    tool_calls: { id: string; function: { name: string; arguments: string } }[] | null;
    meta_data: Record<string, unknown> | null;
  }[];
}

export interface MelodiThreadReadback {
  externalId: string;
  messages: {
    externalId: string;
    role: string;
    content?: string | null;
    jsonContent?: unknown;
  }[];
  externalUser?: { externalId: string } | null;
  metadata?: Record<string, unknown> | null;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} -> ${response.status}`);
  return (await response.json()) as T;
}

/** The Mielto conversation the trail created for a thread (it keeps the thread id in `meta_data`). */
export async function mieltoConversation(server: DevServer, threadId: string) {
  const all = await getJson<MieltoConversationReadback[]>(`${server.url}/_devserver/mielto/conversations`);
  const matching = all.filter((c) => c.meta_data?.thread_id === threadId);
  if (matching.length !== 1)
    throw new Error(`expected one Mielto conversation for ${threadId}, got ${matching.length}`);
  return matching[0];
}

/** The Melodi thread with this external id. */
export async function melodiThread(server: DevServer, threadId: string) {
  const threads = await getJson<MelodiThreadReadback[]>(
    `${server.url}/_devserver/melodi/threads?externalId=${encodeURIComponent(threadId)}`,
  );
  if (threads.length !== 1) throw new Error(`expected one Melodi thread ${threadId}, got ${threads.length}`);
  return threads[0];
}
