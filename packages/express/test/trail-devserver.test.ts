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

  it("stores a client's 90 KB metadata.thread_id as a short, stable thread id, not over and over", async () => {
    const trail = trailToDevserver();
    const app = express();
    app.use(express.json({ limit: '1mb' }));
    app.post('/v1/chat/completions', chatTrail({ trail }), (_req, res) => {
      res.setHeader('content-type', 'text/event-stream');
      for (const event of openAIChatStream(['Sunny ', 'today.'])) res.write(event);
      res.end();
    });
    const server = await listen(app);
    const longThread = `huge-${name.replace(' ', '')}-${'x'.repeat(90 * 1024)}`;
    try {
      // The same two requests under a long and under an ordinary thread id.
      const control = `control-${name.replace(' ', '')}`;
      for (const threadId of [longThread, control]) {
        const first = [{ role: 'user', content: 'Weather in Paris?' }];
        const body = { model: 'm', stream: true, messages: first, metadata: { thread_id: threadId } };
        await postJson(`${server.url}/v1/chat/completions`, body);
        await postJson(`${server.url}/v1/chat/completions`, {
          ...body,
          messages: [
            ...first,
            { role: 'assistant', content: 'Sunny today.' },
            { role: 'user', content: 'And Rome?' },
          ],
        });
      }
      expect(await trail.flush()).toMatchObject({ ok: true, pendingTurns: 0 });

      const all = (await (await fetch(`${devserver.url}/_devserver/threads`)).json()) as {
        threads: ViewerThread[];
      };
      const stored = all.threads.filter((t) => t.externalId?.startsWith(longThread.slice(0, 64)));
      // One thread per backend, under one short id that both requests mapped to.
      expect(stored.map((t) => t.backend).sort()).toEqual(['melodi', 'mielto']);
      expect(new Set(stored.map((t) => t.externalId)).size).toBe(1);
      expect(stored[0]!.externalId).toMatch(/^huge-.+…[0-9a-f]{16}$/);
      // ...holding what the thread under an ordinary id holds.
      for (const thread of stored) {
        const [same] = (await threadsOf(control)).filter((t) => t.backend === thread.backend);
        expect(thread.messages.map((m) => m.content)).toEqual(same!.messages.map((m) => m.content));
        expect(thread.messages.map((m) => m.content)).toContain('And Rome?');
      }
      // Everything the backends hold for the thread: the id was once stored 25 times (2.39 MB for a 90 KB
      // request). What is left of it is the request's metadata (its thread_id), bounded by maxMessageBytes
      // (64 KiB), once per turn at Mielto and once per thread at Melodi.
      const shortId = stored[0]!.externalId!;
      const conversations = (await (
        await fetch(`${devserver.url}/_devserver/mielto/conversations`)
      ).json()) as { meta_data: { thread_id?: string } }[];
      const threads = (await (await fetch(`${devserver.url}/_devserver/melodi/threads`)).json()) as {
        externalId: string;
      }[];
      const mielto = JSON.stringify(conversations.filter((c) => c.meta_data.thread_id === shortId));
      const melodi = JSON.stringify(threads.filter((t) => t.externalId === shortId));
      const copies = (text: string) => text.split(longThread.slice(0, 1000)).length - 1;
      expect({ mielto: copies(mielto), melodi: copies(melodi) }).toEqual({ mielto: 2, melodi: 1 });
      expect(mielto.length + melodi.length).toBeLessThan(3 * 64 * 1024 + 16 * 1024);
    } finally {
      await server.close();
      await trail.shutdown();
    }
  });
});
