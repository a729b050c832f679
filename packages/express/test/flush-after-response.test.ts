import { createChatTrail, melodi, mielto } from '@chattrail/core';
import { type DevServer, startDevServer } from '@chattrail/devserver';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatTrail } from '../src/index';
import { chatChunk, chatCompletion, EXPRESS, type Listening, listen, openAIChatStream, sse } from './helpers';

// Issue 26 item 2: the middleware records a turn on the response's 'close' plus one macrotask, when the
// client may have read the whole answer already. Tests, serverless handlers and graceful shutdowns flush
// exactly then, so flush() must wait for the capture: here it is called the moment the client has read
// the answer, with no sleep and no polling, and the turn must be at both backends when it resolves.

interface ViewerThread {
  backend: string;
  externalId: string | null;
  status?: string;
  messages: { role: string; content: string | null; json: unknown }[];
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

/** The backends holding the thread, and the roles each holds. */
async function storedRoles(threadId: string): Promise<Record<string, string[]>> {
  const stored: Record<string, string[]> = {};
  for (const thread of await threadsOf(threadId)) stored[thread.backend] = thread.messages.map((m) => m.role);
  return stored;
}

function trailToDevserver() {
  return createChatTrail({
    destinations: [
      mielto({ apiKey: 'k', baseUrl: devserver.mieltoBaseUrl }),
      melodi({ apiKey: 'k', projectId: 1, baseUrl: devserver.melodiBaseUrl }),
    ],
  });
}

function post(url: string, body: unknown, signal?: AbortSignal) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}

/** Reads a response body until `marker` has arrived; the rest of the body stays unread. */
async function readUntil(response: Response, marker: string) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes(marker)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the body ended without ${marker}: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  return { text, reader };
}

const nextMacrotask = () => new Promise((resolve) => setImmediate(resolve));

describe.each(EXPRESS)('flush() right after the client has the answer, on $name', ({ name, express }) => {
  let server: Listening | undefined;
  let trail: ReturnType<typeof trailToDevserver>;
  const thread = (what: string) => `flush-${what}-${name.replace(' ', '')}`;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await trail.shutdown();
  });

  it('an OpenAI SSE answer read to `data: [DONE]`: the turn is at both backends when flush() resolves', async () => {
    trail = trailToDevserver();
    const app = express();
    app.use(express.json());
    app.post('/v1/chat/completions', chatTrail({ trail }), async (_req, res) => {
      res.setHeader('content-type', 'text/event-stream');
      // As a model streams: one event per macrotask.
      for (const event of openAIChatStream(['Sunny ', 'today.'])) {
        res.write(event);
        await nextMacrotask();
      }
      res.end();
    });
    server = await listen(app);
    const response = await post(`${server.url}/v1/chat/completions`, {
      model: 'm',
      stream: true,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      metadata: { thread_id: thread('sse') },
    });
    const { reader } = await readUntil(response, 'data: [DONE]');

    expect(await trail.flush()).toEqual({ ok: true, pendingTurns: 0 });
    expect(await storedRoles(thread('sse'))).toEqual({
      mielto: ['user', 'assistant'],
      melodi: ['user', 'assistant'],
    });
    await reader.cancel();
  });

  it('a JSON answer read whole, and shutdown() instead of flush()', async () => {
    trail = trailToDevserver();
    const app = express();
    app.use(express.json());
    app.post('/v1/chat/completions', chatTrail({ trail }), (_req, res) => {
      res.json(chatCompletion('Hello there.'));
    });
    server = await listen(app);
    const response = await post(`${server.url}/v1/chat/completions`, {
      model: 'm',
      messages: [{ role: 'user', content: 'Hi' }],
      metadata: { thread_id: thread('json') },
    });
    expect((await response.json()).object).toBe('chat.completion');

    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
    expect(await storedRoles(thread('json'))).toEqual({
      mielto: ['user', 'assistant'],
      melodi: ['user', 'assistant'],
    });
    expect(trail.stats().dropped.shutdown).toBe(0);
  });

  it('a route that fails (500 from the error handler): the failed turn is there', async () => {
    trail = trailToDevserver();
    const app = express();
    app.use(express.json());
    app.post('/v1/chat/completions', chatTrail({ trail }), (_req, _res, next) => {
      next(new Error('model down'));
    });
    // Quiet, as an app's own error handler would be.
    app.use(
      (
        _error: unknown,
        _req: unknown,
        res: { status(code: number): { json(body: unknown): void } },
        _next: unknown,
      ) => {
        res.status(500).json({ error: { message: 'model down' } });
      },
    );
    server = await listen(app);
    const response = await post(`${server.url}/v1/chat/completions`, {
      model: 'm',
      messages: [{ role: 'user', content: 'Hi' }],
      metadata: { thread_id: thread('error') },
    });
    expect(response.status).toBe(500);
    await response.text();

    expect(await trail.flush()).toEqual({ ok: true, pendingTurns: 0 });
    const stored = await storedRoles(thread('error'));
    expect(Object.keys(stored).sort()).toEqual(['melodi', 'mielto']);
    expect(stored.mielto![0]).toBe('user');
    expect(trail.stats().recorded).toBe(1);
  });

  it('a client that aborts mid-stream: flush() right after the abort waits for the aborted turn', async () => {
    trail = trailToDevserver();
    const app = express();
    app.use(express.json());
    app.post('/v1/chat/completions', chatTrail({ trail }), (_req, res) => {
      res.setHeader('content-type', 'text/event-stream');
      res.write(sse(chatChunk({ role: 'assistant', content: '' })));
      res.write(sse(chatChunk({ content: 'Partial answer' })));
      // …and the model never finishes: the client gives up.
    });
    server = await listen(app);
    const controller = new AbortController();
    const response = await post(
      `${server.url}/v1/chat/completions`,
      {
        model: 'm',
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
        metadata: { thread_id: thread('abort') },
      },
      controller.signal,
    );
    await readUntil(response, 'Partial answer');
    controller.abort();

    expect(await trail.flush()).toEqual({ ok: true, pendingTurns: 0 });
    expect(await storedRoles(thread('abort'))).toEqual({
      mielto: ['user', 'assistant'],
      melodi: ['user', 'assistant'],
    });
  });

  it('a response that never ends: flush({ timeoutMs }) still resolves, and counts it in openCaptures', async () => {
    trail = trailToDevserver();
    const app = express();
    app.use(express.json());
    app.post('/v1/chat/completions', chatTrail({ trail }), (_req, res) => {
      res.setHeader('content-type', 'text/event-stream');
      res.write(sse(chatChunk({ role: 'assistant', content: 'Thinking' })));
    });
    server = await listen(app);
    const controller = new AbortController();
    const response = await post(
      `${server.url}/v1/chat/completions`,
      { model: 'm', stream: true, messages: [{ role: 'user', content: 'Hi' }] },
      controller.signal,
    );
    await readUntil(response, 'Thinking');

    expect(await trail.flush({ timeoutMs: 300 })).toEqual({ ok: false, pendingTurns: 0, openCaptures: 1 });
    controller.abort();
  });
});
