import { createChatTrail, getChatTrailContext, melodi, mielto, type Turn } from '@chattrail/core';
import { type DevServer, startDevServer } from '@chattrail/devserver';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chatTrail } from '../src/index';
import { EXPRESS, listen, openAIChatStream, postJson } from './helpers';

interface ViewerThread {
  backend: string;
  externalId: string | null;
  messages: { id: string | null; role: string; content: string | null; json: unknown }[];
}

let devserver: DevServer;
beforeAll(async () => {
  devserver = await startDevServer({ port: 0 });
});
afterAll(() => devserver.close());

async function threadsOf(threadId: string): Promise<ViewerThread[]> {
  const all = (await (await fetch(`${devserver.url}/_devserver/threads`)).json()) as {
    threads: ViewerThread[];
  };
  return all.threads.filter((t) => t.externalId === threadId);
}

/** A trail writing to both backends of the devserver. */
function trailToDevserver() {
  return createChatTrail({
    destinations: [
      mielto({ apiKey: 'k', baseUrl: devserver.mieltoBaseUrl }),
      melodi({ apiKey: 'k', projectId: 1, baseUrl: devserver.melodiBaseUrl }),
    ],
  });
}

describe.each(EXPRESS)('end to end: middleware → trail → devserver on $name', ({ name, express }) => {
  it('delivers a resent history once to Mielto and Melodi, and keeps the recorded-once rule with the real trail', async () => {
    const trail = trailToDevserver();
    const app = express();
    app.use(express.json());
    app.post('/v1/chat/completions', chatTrail({ trail }), (req, res) => {
      if (req.headers['x-inner'] === '1') {
        // An adapter inside the route records the turn itself (as @chattrail/ai-sdk would).
        const context = getChatTrailContext();
        const now = new Date().toISOString();
        const inner: Turn = {
          id: 'turn-inner',
          threadId: context?.threadId ?? 'missing',
          messages: [
            { id: 'msg-inner-1', role: 'user', content: 'inner question' },
            { id: 'msg-inner-2', role: 'assistant', content: 'inner answer' },
          ],
          startedAt: now,
          endedAt: now,
          status: 'ok',
          source: 'ai-sdk',
        };
        trail.record(inner);
      }
      res.setHeader('content-type', 'text/event-stream');
      for (const event of openAIChatStream(['Sunny ', 'today.'])) res.write(event);
      res.end();
    });
    const server = await listen(app);
    const thread = `e2e-${name.replace(' ', '')}`;
    try {
      const first = [{ role: 'user', content: 'Weather in Paris?' }];
      await postJson(`${server.url}/v1/chat/completions`, {
        model: 'm',
        stream: true,
        messages: first,
        metadata: { thread_id: thread },
      });
      await postJson(`${server.url}/v1/chat/completions`, {
        model: 'm',
        stream: true,
        metadata: { thread_id: thread },
        messages: [
          ...first,
          {
            role: 'assistant',
            content: 'Sunny today.',
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
        ],
      });
      await postJson(
        `${server.url}/v1/chat/completions`,
        { model: 'm', stream: true, messages: first, metadata: { thread_id: `${thread}-inner` } },
        { 'x-inner': '1' },
      );
      // Turns are recorded just after each response; wait for all three, not a fixed 20 ms.
      await vi.waitFor(() => expect(trail.stats().recorded).toBe(3), { timeout: 10_000 });
      await trail.flush();

      for (const backend of await threadsOf(thread)) {
        expect(
          backend.messages.map((m) => m.role),
          backend.backend,
        ).toEqual(['user', 'assistant', 'tool', 'assistant']);
      }
      expect((await threadsOf(thread)).map((t) => t.backend).sort()).toEqual(['melodi', 'mielto']);
      // Only the inner adapter's turn reached the backends for the third request.
      expect(await threadsOf(`${thread}-inner`)).toHaveLength(2);
      for (const backend of await threadsOf(`${thread}-inner`)) {
        expect(backend.messages.map((m) => m.content ?? JSON.stringify(m.json))).toEqual([
          'inner question',
          'inner answer',
        ]);
      }
      expect(trail.stats().recorded).toBe(3);
    } finally {
      await server.close();
      await trail.shutdown();
    }
  });
  it("turnMessages: 'new' for clients that send only the new message: a repeated text is stored again", async () => {
    const trail = trailToDevserver();
    const app = express();
    app.use(express.json());
    let seenInRoute: unknown;
    app.post('/v1/chat/completions', chatTrail({ trail, turnMessages: 'new' }), (_req, res) => {
      seenInRoute = getChatTrailContext()?.turnMessages; // what adapters inside the route see
      res.setHeader('content-type', 'text/event-stream');
      for (const event of openAIChatStream(['Sure!'])) res.write(event);
      res.end();
    });
    const server = await listen(app);
    const thread = `new-only-${name.replace(' ', '')}`;
    try {
      for (const text of ['Shall we?', 'yes', 'yes']) {
        await postJson(`${server.url}/v1/chat/completions`, {
          model: 'm',
          stream: true,
          messages: [{ role: 'user', content: text }], // the server keeps the history
          metadata: { thread_id: thread },
        });
      }
      // Turns are recorded just after each response; wait for all three, not a fixed 20 ms.
      await vi.waitFor(() => expect(trail.stats().recorded).toBe(3), { timeout: 10_000 });
      await trail.flush();
      const expected = ['Shall we?', 'Sure!', 'yes', 'Sure!', 'yes', 'Sure!'];
      const backends = await threadsOf(thread);
      expect(backends.map((t) => t.backend).sort()).toEqual(['melodi', 'mielto']);
      for (const backend of backends) {
        expect(
          // The helper's answer also calls a tool, so Melodi holds it as json with the text in `content`.
          backend.messages.map((m) => m.content ?? (m.json as { content?: string }).content),
          backend.backend,
        ).toEqual(expected);
      }
      expect(seenInRoute).toBe('new');
    } finally {
      await server.close();
      await trail.shutdown();
    }
  });
});
