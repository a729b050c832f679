import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevServer, type DevServerOptions, startDevServer } from '@chattrail/devserver';
import { afterEach } from 'vitest';

/**
 * Helpers for import tests: a real devserver on 127.0.0.1 (port 0) and a temporary folder per test, both
 * removed after it; input files shaped like real OpenAI chat logs; read-back of what each backend stored.
 */

export const MIELTO_KEY = 'mielto-import-key-0123456789abcdef';
export const MELODI_KEY = 'melodi-import-key-0123456789abcdef';

const cleanups: (() => Promise<void> | void)[] = [];

export function cleanUpAfterEach(): void {
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
}

export async function devServer(options: DevServerOptions = {}): Promise<DevServer> {
  const server = await startDevServer({ ...options, port: 0, host: '127.0.0.1' });
  cleanups.push(() => server.close());
  return server;
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chattrail-import-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The variables `chattrail import` reads, pointing at the devserver. */
export function backendEnv(server: DevServer): Record<string, string> {
  return {
    MIELTO_API_KEY: MIELTO_KEY,
    MIELTO_BASE_URL: server.mieltoBaseUrl,
    MELODI_API_KEY: MELODI_KEY,
    MELODI_PROJECT_ID: '7',
    MELODI_BASE_URL: server.melodiBaseUrl,
  };
}

/** Conversation `i`: a question, a tool call, its result and an answer (4 messages, plus a system prompt when i is even). */
export function conversation(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const messages: unknown[] = [];
  if (i % 2 === 0) messages.push({ role: 'system', content: 'You are a weather bot.' });
  messages.push(
    { role: 'user', content: [{ type: 'text', text: `Weather in city ${i}?` }] },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: `call_${i}`, type: 'function', function: { name: 'weather', arguments: `{"city":"c${i}"}` } },
      ],
    },
    { role: 'tool', tool_call_id: `call_${i}`, content: `{"tempC":${i % 30}}` },
    { role: 'assistant', content: `It is ${i % 30} °C in city ${i}.` },
  );
  return { messages, user: `user-${i % 7}`, created_at: 1_700_000_000 + i, ...extra };
}

export function messageCount(i: number): number {
  return i % 2 === 0 ? 5 : 4;
}

/** Writes `count` conversations as JSONL; `bad(i)` lines are replaced by malformed JSON. */
export function writeJsonl(path: string, count: number, bad: (i: number) => boolean = () => false): number {
  const lines: string[] = [];
  let messages = 0;
  for (let i = 0; i < count; i++) {
    if (bad(i)) lines.push(`{"messages": [ {"role": "user", "content": "cut off`);
    else {
      lines.push(JSON.stringify(conversation(i)));
      messages += messageCount(i);
    }
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return messages;
}

export interface Stored {
  conversations: { meta_data: Record<string, any>; messages: { meta_data: Record<string, any> | null }[] }[];
  threads: { externalId: string; messages: { externalId: string }[] }[];
}

export async function stored(server: DevServer): Promise<Stored> {
  const [conversations, threads] = await Promise.all([
    fetch(`${server.url}/_devserver/mielto/conversations`).then((r) => r.json()),
    fetch(`${server.url}/_devserver/melodi/threads`).then((r) => r.json()),
  ]);
  return { conversations, threads } as Stored;
}

/** How often each thread and each message id occurs at each backend (to prove "exactly once"). */
export function occurrences(data: Stored) {
  const mieltoThreads = new Map<string, number>();
  const mieltoMessages = new Map<string, number>();
  for (const c of data.conversations) {
    const thread = String(c.meta_data.thread_id);
    mieltoThreads.set(thread, (mieltoThreads.get(thread) ?? 0) + 1);
    for (const m of c.messages) {
      const id = String(m.meta_data?.chattrail_message_id);
      mieltoMessages.set(id, (mieltoMessages.get(id) ?? 0) + 1);
    }
  }
  const melodiThreads = new Map<string, number>();
  let melodiMessages = 0;
  const melodiIds = new Set<string>();
  for (const t of data.threads) {
    melodiThreads.set(t.externalId, (melodiThreads.get(t.externalId) ?? 0) + 1);
    for (const m of t.messages) {
      melodiMessages++;
      melodiIds.add(m.externalId);
    }
  }
  const maxOf = (map: Map<string, number>) => Math.max(0, ...map.values());
  return {
    mieltoThreads: mieltoThreads.size,
    mieltoMaxPerThread: maxOf(mieltoThreads),
    mieltoMessages: [...mieltoMessages.values()].reduce((a, b) => a + b, 0),
    mieltoMaxPerMessage: maxOf(mieltoMessages),
    melodiThreads: melodiThreads.size,
    melodiMaxPerThread: maxOf(melodiThreads),
    melodiMessages,
    melodiDistinctMessages: melodiIds.size,
  };
}

/** ChatGPT export conversation `i`: a hidden system root, then `turns` user/assistant pairs on one branch. */
export function chatGPTConversation(i: number, turns = 2): Record<string, unknown> {
  const mapping: Record<string, unknown> = {
    root: { id: 'root', message: null, parent: null, children: ['sys'] },
    sys: {
      id: 'sys',
      parent: 'root',
      children: turns > 0 ? ['u0'] : [],
      message: {
        id: 'sys',
        author: { role: 'system' },
        content: { content_type: 'text', parts: [''] },
        metadata: { is_visually_hidden_from_conversation: true },
        recipient: 'all',
      },
    },
  };
  let parent = 'sys';
  for (let t = 0; t < turns; t++) {
    for (const [role, text] of [
      ['user', `Question ${t} of conversation ${i}: what about "quotes" and {braces}?`],
      ['assistant', `Answer ${t} to ${i}.\nSecond line with a \\ backslash.`],
    ] as const) {
      const id = `${role[0]}${t}`;
      (mapping[parent] as { children: string[] }).children = [id];
      mapping[id] = {
        id,
        parent,
        children: [],
        message: {
          id: `${i}-${id}`,
          author: { role },
          create_time: 1_718_000_000 + i * 60 + t,
          content: { content_type: 'text', parts: [text] },
          metadata: {},
          recipient: 'all',
        },
      };
      parent = id;
    }
  }
  return {
    title: `Conversation ${i}`,
    create_time: 1_718_000_000 + i * 60,
    update_time: 1_718_000_000 + i * 60 + turns,
    mapping,
    current_node: parent,
    conversation_id: `conv-${i}`,
    id: `conv-${i}`,
  };
}
