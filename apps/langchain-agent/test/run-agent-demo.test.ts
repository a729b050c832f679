import {
  type ChatTrail,
  createChatTrail,
  melodi,
  mielto,
  type Turn,
  type TurnRecorder,
} from '@chattrail/core';
import { type DevServer, startDevServer } from '@chattrail/devserver';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_PROMPTS, runAgentDemo } from '../src/index.mjs';

let server: DevServer;
let real: ChatTrail;
let trail: TurnRecorder & Pick<ChatTrail, 'flush'>;
let turns: Turn[];

beforeEach(async () => {
  server = await startDevServer({ port: 0 });
  real = createChatTrail({
    destinations: [
      mielto({ apiKey: 'demo', baseUrl: server.mieltoBaseUrl }),
      melodi({ apiKey: 'demo', projectId: 1, baseUrl: server.melodiBaseUrl }),
    ],
    flushIntervalMs: 60_000,
  });
  turns = [];
  // The real trail, plus a copy of every turn for the assertions on timing and usage.
  trail = {
    record(turn) {
      turns.push(structuredClone(turn));
      real.record(turn);
    },
    flush: (options) => real.flush(options),
  };
});

afterEach(async () => {
  await real.shutdown({ timeoutMs: 5_000 });
  await server.close();
});

async function readBack(threadId: string) {
  const conversations = (await (await fetch(`${server.url}/_devserver/mielto/conversations`)).json()) as {
    meta_data: Record<string, unknown>;
    user_id: string;
    messages: { role: string; content: string; meta_data: Record<string, unknown> }[];
  }[];
  const threads = (await (
    await fetch(`${server.url}/_devserver/melodi/threads?externalId=${encodeURIComponent(threadId)}`)
  ).json()) as { externalId: string; messages: { externalId: string; role: string }[] }[];
  return { conversations: conversations.filter((c) => c.meta_data.thread_id === threadId), threads };
}

describe('runAgentDemo: createAgent + ChatOpenAI against the devserver, logged through the trail', () => {
  it('logs a three-turn checkpointed conversation as one thread, each message once', async () => {
    const tokens: string[] = [];
    const { threadId, answers, handler } = await runAgentDemo({
      modelBaseUrl: server.mieltoBaseUrl,
      trail,
      threadId: 'agent-demo-test',
      onToken: (text) => tokens.push(text),
    });
    expect(answers).toHaveLength(3);
    expect(answers[0]).toContain('"city":"Paris"');
    expect(answers[2]).toContain('"city":"Lisbon"');
    expect(tokens.join('')).toContain('Here is what the tool returned');
    expect((await trail.flush({ timeoutMs: 10_000 })).ok).toBe(true);
    expect(handler.pendingRuns).toBe(0);

    // Five model calls (two tool round trips and one plain answer), all streamed with usage and TTFT.
    expect(turns).toHaveLength(5);
    for (const turn of turns) {
      expect(turn.threadId).toBe(threadId);
      expect(turn.user?.id).toBe('user-grace');
      expect(turn.model).toEqual({ provider: 'openai', id: 'scripted-1' });
      expect(turn.usage?.totalTokens).toBeGreaterThan(0);
      expect(turn.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    }

    const { conversations, threads } = await readBack(threadId);
    expect(conversations).toHaveLength(1);
    const roles = conversations[0].messages.map((m) => m.role);
    expect(roles).toEqual([
      'system',
      'user',
      'assistant',
      'tool',
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
      'tool',
      'assistant',
    ]);
    expect(conversations[0].messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(
      DEMO_PROMPTS,
    );
    expect(threads).toHaveLength(1);
    expect(threads[0].messages.map((m) => m.role)).toEqual(roles);
    expect(threads[0].messages.map((m) => m.externalId)).toEqual(
      conversations[0].messages.map((m) => m.meta_data.chattrail_message_id),
    );
  });

  it('logs the same thread when the agent is invoked without streaming', async () => {
    await runAgentDemo({
      modelBaseUrl: server.mieltoBaseUrl,
      trail,
      threadId: 'agent-invoke',
      stream: false,
    });
    expect((await trail.flush({ timeoutMs: 10_000 })).ok).toBe(true);
    const { conversations } = await readBack('agent-invoke');
    expect(conversations[0].messages).toHaveLength(11);
    expect(turns.every((t) => t.timeToFirstTokenMs === undefined)).toBe(true);
  });
});
