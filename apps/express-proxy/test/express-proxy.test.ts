import type { Turn, TurnRecorder } from '@chattrail/core';
import { type DevServer, startDevServer } from '@chattrail/devserver';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExpressDemo, startExpressProxy } from '../src/index.ts';

let devserver: DevServer;
beforeAll(async () => {
  devserver = await startDevServer({ port: 0, completionChunkDelayMs: 5 });
});
afterAll(() => devserver.close());

describe('the Express proxy example', () => {
  it('records the openai-client conversation as one thread, every message stored once in both backends', async () => {
    const result = await runExpressDemo(devserver);
    expect(result.turns).toBe(4);
    expect(result.threadId).toMatch(/^thread_/);
    const byBackend = Object.fromEntries(result.threads.map((t) => [t.backend, t]));
    for (const backend of ['mielto', 'melodi'] as const) {
      const thread = byBackend[backend]!;
      expect(thread.messages.map((m) => m.role)).toEqual([
        'system',
        'user',
        'assistant',
        'user',
        'assistant',
        'user',
        'assistant',
        'tool',
        'assistant',
      ]);
    }
    expect(byBackend.mielto!.messages[8]!.content).toContain('"temperature_c":21');
    expect(byBackend.mielto!.user).toEqual({ id: 'user-grace' });
  });

  it('pipes the bytes through unchanged and records a client that hangs up mid-stream as aborted', async () => {
    const turns: Turn[] = [];
    const trail: TurnRecorder = { record: (turn) => turns.push(turn) };
    const proxy = await startExpressProxy({ upstreamBaseUrl: devserver.mieltoBaseUrl, trail });
    try {
      const body = {
        model: 'scripted-chat',
        stream: true,
        messages: [{ role: 'user', content: 'Tell me a long story about a lighthouse keeper.' }],
      };
      const direct = await fetch(`${devserver.mieltoBaseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
        body: JSON.stringify(body),
      });
      const proxied = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer k', 'x-thread-id': 'story-1' },
        body: JSON.stringify(body),
      });
      const strip = (text: string) => text.replace(/"created":\d+/g, '');
      expect(strip(await proxied.text())).toBe(strip(await direct.text()));

      const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'k', maxRetries: 0 });
      const controller = new AbortController();
      const stream = await client.chat.completions.create(
        {
          model: 'scripted-chat',
          stream: true,
          messages: [{ role: 'user', content: 'Another long story, please.' }],
        },
        { signal: controller.signal, headers: { 'x-thread-id': 'story-2' } },
      );
      let pieces = 0;
      try {
        for await (const chunk of stream) {
          if (chunk.choices[0]?.delta?.content && ++pieces === 2) controller.abort();
        }
      } catch {
        // aborted on purpose
      }
      await expect.poll(() => turns.length, { timeout: 20_000 }).toBe(2);
      const [full, aborted] = turns as [Turn, Turn];
      expect(full).toMatchObject({ threadId: 'story-1', status: 'ok' });
      expect(aborted).toMatchObject({ threadId: 'story-2', status: 'aborted' });
      expect(aborted.messages[1]!.content.length).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });
});
