import { createChatTrail, melodi, mielto } from '@chattrail/core';
import { runDemoConversation } from './run-demo-conversation.ts';
import { startExpressProxy } from './start-express-proxy.ts';

/** A thread as the devserver's `/_devserver/threads` shows it. */
export interface DevServerThread {
  backend: 'mielto' | 'melodi';
  id: string;
  externalId: string | null;
  messages: { id: string | null; role: string; content: string | null }[];
  [key: string]: unknown;
}

export interface ExpressDemoResult {
  threadId: string;
  turns: number;
  /** The thread as Mielto and as Melodi received it. */
  threads: DevServerThread[];
}

/**
 * The Express part of `npm run demo`: starts the proxy in front of the devserver's completions, records
 * into a trail that delivers to the devserver's Mielto and Melodi, drives it with the `openai` client,
 * flushes, and reads the thread back from both backends.
 */
export async function runExpressDemo(devserver: {
  url: string;
  mieltoBaseUrl: string;
  melodiBaseUrl: string;
}): Promise<ExpressDemoResult> {
  const threadIds = new Set<string>();
  const trail = createChatTrail({
    destinations: [
      mielto({ apiKey: 'demo-mielto-key', baseUrl: devserver.mieltoBaseUrl, agentId: 'express-proxy' }),
      melodi({ apiKey: 'demo-melodi-key', projectId: 1, baseUrl: devserver.melodiBaseUrl }),
    ],
  });
  let turns = 0;
  const counting = {
    record(turn: Parameters<typeof trail.record>[0]) {
      turns++;
      threadIds.add(turn.threadId);
      trail.record(turn);
    },
  };
  const proxy = await startExpressProxy({ upstreamBaseUrl: devserver.mieltoBaseUrl, trail: counting });
  try {
    await runDemoConversation(proxy.url);
  } finally {
    await proxy.close();
  }
  // Turns are recorded one macrotask after each response; give the last one that tick.
  await new Promise((resolve) => setTimeout(resolve, 20));
  await trail.flush();
  await trail.shutdown();
  if (threadIds.size !== 1)
    throw new Error(`expected one thread, got ${[...threadIds].join(', ') || 'none'}`);
  const [threadId] = [...threadIds] as [string];
  const all = (await (await fetch(`${devserver.url}/_devserver/threads`)).json()) as {
    threads: DevServerThread[];
  };
  return { threadId, turns, threads: all.threads.filter((t) => t.externalId === threadId) };
}
