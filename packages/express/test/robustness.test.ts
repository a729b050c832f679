import { request as httpRequest } from 'node:http';
import compression from 'compression';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chatTrail } from '../src/index';
import {
  chatChunk,
  chatCompletion,
  EXPRESS,
  type Listening,
  listen,
  openAIChatStream,
  postJson,
  RecordingTrail,
  settle,
  sse,
} from './helpers';

const chatBody = { model: 'gpt-test', messages: [{ role: 'user', content: 'Hello' }] };

/**
 * POSTs JSON with Node's own client and resolves with the raw response text; `onText` sees the text
 * received so far after every chunk (what `fetch` would hide behind its own buffering).
 */
function postStreaming(url: string, body: unknown, onText?: (text: string) => void): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' } });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        text += d;
        onText?.(text);
      });
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe.each(EXPRESS)('robustness on $name', ({ express }) => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('records a client abort mid-stream as aborted, with the partial answer', async () => {
    const trail = new RecordingTrail();
    const app = express();
    app.use(express.json());
    let routeSawClose!: () => void;
    const closed = new Promise<void>((resolve) => {
      routeSawClose = resolve;
    });
    app.post('/chat', chatTrail({ trail }), (_req, res) => {
      res.setHeader('content-type', 'text/event-stream');
      res.write(sse(chatChunk({ role: 'assistant', content: '' })));
      res.write(sse(chatChunk({ content: 'Partial ' })));
      res.write(sse(chatChunk({ content: 'answer' })));
      // …and the model never finishes: the client gives up.
      res.on('close', () => routeSawClose());
    });
    server = await listen(app);

    const controller = new AbortController();
    const response = await fetch(`${server.url}/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...chatBody, stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let seen = '';
    while (!seen.includes('answer')) seen += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    await closed;

    const [turn] = await trail.waitFor(1);
    expect(turn.status).toBe('aborted');
    expect(turn.messages[1]).toMatchObject({ role: 'assistant', content: 'Partial answer' });
  });

  it('records 4xx and 5xx from the route as errors with the status in metadata', async () => {
    const trail = new RecordingTrail();
    const app = express();
    app.use(express.json());
    app.post('/limited', chatTrail({ trail }), (_req, res) => {
      res.status(429).json({ error: { message: 'Rate limit reached', type: 'rate_limit' } });
    });
    app.post('/broken', chatTrail({ trail }), (_req, _res, next) => {
      next(new Error('model backend down'));
    });
    server = await listen(app);

    expect((await postJson(`${server.url}/limited`, chatBody)).status).toBe(429);
    const [limited] = await trail.waitFor(1);
    expect(limited.status).toBe('error');
    expect(limited.error).toEqual({ name: 'HTTPError', message: '429: Rate limit reached' });
    expect(limited.metadata).toMatchObject({ httpStatus: 429 });
    expect(limited.messages).toHaveLength(1);

    const silenced = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect((await postJson(`${server.url}/broken`, chatBody)).status).toBe(500);
      const [, broken] = await trail.waitFor(2);
      expect(broken.status).toBe('error');
      expect(broken.metadata).toMatchObject({ httpStatus: 500 });
      expect(broken.error).toEqual({ name: 'HTTPError', message: 'HTTP 500' }); // not the HTML page
    } finally {
      silenced.mockRestore();
    }
  });

  it('ignores requests that are not chat (non-JSON body, other shapes, GET)', async () => {
    const trail = new RecordingTrail();
    const app = express();
    app.use(chatTrail({ trail }));
    app.use(express.json());
    app.use(express.text());
    app.post('/echo', (req, res) => {
      res.type('text/plain').send(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
    });
    app.get('/health', (_req, res) => {
      res.json({ ok: true });
    });
    server = await listen(app);

    const text = await fetch(`${server.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'messages: not json',
    });
    expect(await text.text()).toBe('messages: not json');
    const broken = await fetch(`${server.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"messages": [',
    });
    expect(broken.status).toBe(400);
    expect((await postJson(`${server.url}/echo`, { hello: 'world' })).text).toBe('{"hello":"world"}');
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ ok: true });
    await settle();
    expect(trail.turns).toHaveLength(0);
  });

  it('reads the raw body alongside an app without a body parser, which still gets every byte', async () => {
    const trail = new RecordingTrail();
    const app = express();
    let received = '';
    app.post('/raw', chatTrail({ trail, maxBodyBytes: 64 * 1024 }), async (req, res) => {
      // The app reads its own body some time later: the tap must not have consumed it.
      await new Promise((resolve) => setTimeout(resolve, 20));
      let body = '';
      for await (const chunk of req) body += chunk;
      received = body;
      res.json(chatCompletion(`got ${body.length} bytes`));
    });
    server = await listen(app);

    const small = JSON.stringify(chatBody);
    await postJson(`${server.url}/raw`, chatBody);
    expect(received).toBe(small);
    const [turn] = await trail.waitFor(1);
    expect(turn.messages.map((m) => m.content)).toEqual(['Hello', `got ${small.length} bytes`]);

    // Oversized: not parsed (no turn), but the app still reads all of it.
    const big = { ...chatBody, messages: [{ role: 'user', content: 'x'.repeat(100_000) }] };
    const response = await postJson(`${server.url}/raw`, big);
    expect(JSON.parse(response.text).choices[0].message.content).toBe(
      `got ${JSON.stringify(big).length} bytes`,
    );
    expect(received).toBe(JSON.stringify(big));
    await settle();
    expect(trail.turns).toHaveLength(1);
  });

  it('cuts oversized answers at maxBodyBytes and says so', async () => {
    const trail = new RecordingTrail();
    const app = express();
    app.use(express.json());
    const mw = chatTrail({ trail, maxBodyBytes: 1000 });
    app.post('/json', mw, (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(chatCompletion('y'.repeat(5000))));
    });
    app.post('/sse', mw, (_req, res) => {
      res.setHeader('content-type', 'text/event-stream');
      for (let i = 0; i < 50; i++) res.write(sse(chatChunk({ content: 'z'.repeat(100) })));
      res.end('data: [DONE]\n\n');
    });
    server = await listen(app);

    const json = await postJson(`${server.url}/json`, chatBody);
    expect(JSON.parse(json.text).choices[0].message.content).toHaveLength(5000);
    const [jsonTurn] = await trail.waitFor(1);
    expect(jsonTurn.status).toBe('ok');
    expect(jsonTurn.messages).toHaveLength(1);
    expect(jsonTurn.metadata).toMatchObject({ captureTruncated: true });

    const stream = await postJson(`${server.url}/sse`, { ...chatBody, stream: true });
    expect(stream.text.length).toBeGreaterThan(5000);
    const [, sseTurn] = await trail.waitFor(2);
    expect(sseTurn.messages[1].content).toBe('z'.repeat(1000));
    expect(sseTurn.metadata).toMatchObject({ captureTruncated: true });
  });

  describe.each([
    ['before', true],
    ['after', false],
  ])('with compression() mounted %s the middleware', (_where, compressionFirst) => {
    it('captures the same JSON and SSE answers', async () => {
      const trail = new RecordingTrail();
      const app = express();
      app.use(express.json());
      const mw = chatTrail({ trail });
      const zip = compression({ threshold: 0 });
      const chain = compressionFirst ? [zip, mw] : [mw, zip];
      app.post('/json', ...chain, (_req, res) => {
        res.json(chatCompletion('Compressed ✓ '.repeat(50)));
      });
      app.post('/sse', ...chain, (_req, res) => {
        res.setHeader('content-type', 'text/event-stream');
        for (const event of openAIChatStream(['Squeezed ', 'and ', 'streamed'])) {
          res.write(event);
          (res as unknown as { flush(): void }).flush();
        }
        res.end();
      });
      app.post('/sse-head', ...chain, (_req, res) => {
        // Explicit writeHead, as the AI SDK's pipe helpers do.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const event of openAIChatStream(['Head ', 'first'])) {
          res.write(event);
          (res as unknown as { flush(): void }).flush();
        }
        res.end();
      });
      server = await listen(app);

      const json = await fetch(`${server.url}/json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' },
        body: JSON.stringify(chatBody),
      });
      expect(json.headers.get('content-encoding')).toBe('gzip');
      expect((await json.json()).choices[0].message.content).toBe('Compressed ✓ '.repeat(50));
      const stream = await fetch(`${server.url}/sse`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' },
        body: JSON.stringify({ ...chatBody, stream: true }),
      });
      expect(stream.headers.get('content-encoding')).toBe('gzip');
      expect(await stream.text()).toContain('data: [DONE]');

      const head = await fetch(`${server.url}/sse-head`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' },
        body: JSON.stringify({ ...chatBody, stream: true }),
      });
      expect(head.headers.get('content-encoding')).toBe('gzip');
      expect(await head.text()).toContain('data: [DONE]');

      const [jsonTurn, sseTurn, headTurn] = await trail.waitFor(3);
      expect(headTurn.messages[1].content).toBe('Head first');
      expect(jsonTurn.messages[1].content).toBe('Compressed ✓ '.repeat(50));
      expect(sseTurn.messages[1].content).toBe('Squeezed and streamed');
      expect(sseTurn.messages[1].toolCalls?.[0]?.args).toEqual({ city: 'Paris' });
      expect(sseTurn.usage?.totalTokens).toBe(18);
    });
  });

  it('reports its own failures and lets the request continue', async () => {
    const errors: unknown[] = [];
    const trail = {
      record: () => {
        throw new Error('recorder exploded');
      },
    };
    const app = express();
    app.use(express.json());
    app.post(
      '/chat',
      chatTrail({
        trail,
        onError: (error) => errors.push(error),
        extract: {
          request: () => {
            throw new Error('extractor exploded');
          },
          streamEvent: () => {
            throw new Error('stream extractor exploded');
          },
        },
      }),
      (_req, res) => {
        res.setHeader('content-type', 'text/event-stream');
        for (const event of openAIChatStream(['fine'])) res.write(event);
        res.end();
      },
    );
    server = await listen(app);
    const response = await postJson(`${server.url}/chat`, { ...chatBody, stream: true });
    expect(response.status).toBe(200);
    expect(response.text).toContain('"content":"fine"');
    // Reported as the response finishes: waited for, not looked at after a fixed 60 ms.
    await vi.waitFor(
      () => {
        const messages = errors.map((e) => (e as Error).message);
        expect(messages).toContain('extractor exploded');
        expect(messages).toContain('stream extractor exploded');
        expect(messages).toContain('recorder exploded');
      },
      { timeout: 10_000 },
    );
  });

  it('records the history as it was when the response started, whatever the route does to req.body', async () => {
    const trail = new RecordingTrail();
    const app = express();
    app.use(express.json());
    app.post('/chat', chatTrail({ trail }), (req, res) => {
      res.setHeader('content-type', 'text/event-stream');
      for (const event of openAIChatStream(['stored'])) res.write(event);
      // Routes keep the conversation by appending the answer to the body's own array.
      req.body.messages.push({ role: 'assistant', content: 'stored' });
      res.end();
    });
    server = await listen(app);
    await postJson(`${server.url}/chat`, { ...chatBody, stream: true });
    const [turn] = await trail.waitFor(1);
    expect(turn.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it('records once when mounted twice on the same path', async () => {
    const trail = new RecordingTrail();
    const app = express();
    app.use(express.json());
    app.use(chatTrail({ trail }));
    app.post('/chat', chatTrail({ trail }), (_req, res) => {
      res.json(chatCompletion('once'));
    });
    server = await listen(app);
    await postJson(`${server.url}/chat`, chatBody);
    await trail.waitFor(1);
    await settle();
    expect(trail.turns).toHaveLength(1);
  });

  it('keeps the exact bytes, their order, and the write() backpressure signal', async () => {
    const trail = new RecordingTrail();
    const app = express();
    app.use(express.json());
    const results: boolean[] = [];
    app.post('/chat', chatTrail({ trail }), (_req, res) => {
      res.setHeader('content-type', 'text/event-stream');
      const big = sse(chatChunk({ content: 'x'.repeat(256 * 1024) }));
      // A large write fills the socket buffer: write() must say so (false), as it does without us.
      results.push(res.write(big));
      res.end('data: [DONE]\n\n');
    });
    server = await listen(app);
    const raw = await postStreaming(`${server.url}/chat`, { ...chatBody, stream: true });
    expect(results).toEqual([false]);
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(raw.length).toBe(sse(chatChunk({ content: 'x'.repeat(256 * 1024) })).length + 14);
    const [turn] = await trail.waitFor(1);
    expect(turn.messages[1].content).toHaveLength(256 * 1024);
  });

  it('hands every byte on at once: the client reads the first event while the route is still streaming', async () => {
    const trail = new RecordingTrail();
    const app = express();
    app.use(express.json());
    let firstSeen!: () => void;
    const clientHasFirstEvent = new Promise<void>((resolve) => {
      firstSeen = resolve;
    });
    app.post('/chat', chatTrail({ trail }), async (_req, res) => {
      res.setHeader('content-type', 'text/event-stream');
      res.flushHeaders();
      res.write(sse(chatChunk({ role: 'assistant', content: 'Hel' })));
      // The route goes on only once the client has the first event: were it held back anywhere, this
      // test would never finish.
      await clientHasFirstEvent;
      res.write(sse(chatChunk({ content: 'lo' })));
      res.end('data: [DONE]\n\n');
    });
    server = await listen(app);
    const raw = await postStreaming(`${server.url}/chat`, { ...chatBody, stream: true }, (text) => {
      if (text.includes('Hel')) firstSeen();
    });
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
    const [turn] = await trail.waitFor(1);
    expect(turn.messages.at(-1)!.content).toBe('Hello');
  });

  it('records structure without content when captureContent is false', async () => {
    const trail = new RecordingTrail();
    const app = express();
    app.use(express.json());
    app.post('/chat', chatTrail({ trail, captureContent: false }), (_req, res) => {
      res.setHeader('content-type', 'text/event-stream');
      for (const event of openAIChatStream(['secret'])) res.write(event);
      res.end();
    });
    server = await listen(app);
    await postJson(`${server.url}/chat`, { ...chatBody, stream: true });
    const [turn] = await trail.waitFor(1);
    expect(JSON.stringify(turn.messages)).not.toMatch(/Hello|secret|Paris/);
    expect(turn.messages[1].toolCalls).toEqual([{ id: 'call_1', name: 'get_weather', args: null }]);
    expect(turn.usage?.totalTokens).toBe(18);
  });
});

describe('the middleware function', () => {
  it('is synchronous and refuses a missing trail', () => {
    const mw = chatTrail({ trail: new RecordingTrail() });
    expect(mw.constructor.name).toBe('Function');
    expect(() => chatTrail({} as never)).toThrow(TypeError);
  });

  it('refuses a bad maxBodyBytes when the app is wired, naming the value (nothing is replaced silently)', () => {
    const trail = new RecordingTrail();
    expect(() => chatTrail({ trail, maxBodyBytes: 0 })).toThrow(
      new TypeError('chatTrail({ trail }): maxBodyBytes must be a positive integer, got 0'),
    );
    expect(() => chatTrail({ trail, maxBodyBytes: Number.NaN })).toThrow(/got NaN$/);
    expect(() => chatTrail({ trail, maxBodyBytes: '1mb' as never })).toThrow(/got "1mb"$/);
  });
});
