import { afterEach, describe, expect, it } from 'vitest';
import { chatTrail } from '../src/index';
import { chatCompletion, EXPRESS, type Listening, listen, postJson, RecordingTrail, sse } from './helpers';

describe.each(EXPRESS)('custom extract on $name', ({ express }) => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('describes a shape detection does not know, JSON and streamed', async () => {
    const trail = new RecordingTrail();
    const app = express();
    app.use(express.json());
    const mw = chatTrail<import('express').Request>({
      trail,
      extract: {
        request: (req, body) => {
          if (!req.path.startsWith('/ask')) return undefined;
          const b = body as { conversation: string; question: string; asker: string };
          return {
            threadId: b.conversation,
            user: { id: b.asker, name: 'Ada' },
            model: 'house-model',
            messages: [{ role: 'user', content: b.question }],
          };
        },
        response: (body) => {
          const b = body as { reply?: string; tokens?: number };
          return b.reply === undefined
            ? undefined
            : { content: b.reply, usage: { outputTokens: b.tokens }, metadata: { kind: 'json' } };
        },
        streamEvent: (event) => {
          if (event.event === 'token') return event.data;
          if (event.event === 'tool')
            return { toolCalls: [{ id: 't1', name: 'search', args: JSON.parse(event.data) }] };
          return undefined;
        },
      },
    });
    app.post('/ask', mw, (_req, res) => {
      res.json({ reply: 'Forty-two.', tokens: 3 });
    });
    app.post('/ask/stream', mw, (_req, res) => {
      res.setHeader('content-type', 'text/event-stream');
      res.write('event: token\ndata: Forty\n\n');
      res.write('event: tool\ndata: {"q":"meaning"}\n\n');
      res.write('event: token\ndata: -two.\n\n');
      res.end('event: done\ndata: {}\n\n');
    });
    // Detection still applies where the extractor returns undefined.
    app.post('/v1/chat/completions', mw, (_req, res) => {
      res.json(chatCompletion('detected'));
    });
    server = await listen(app);

    await postJson(`${server.url}/ask`, { conversation: 'c-1', question: 'Meaning of life?', asker: 'ada' });
    await postJson(`${server.url}/ask/stream`, { conversation: 'c-1', question: 'Again?', asker: 'ada' });
    await postJson(`${server.url}/v1/chat/completions`, {
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    });
    const [json, stream, detected] = await trail.waitFor(3);

    expect(json).toMatchObject({
      threadId: 'c-1',
      user: { id: 'ada', name: 'Ada' },
      model: { id: 'house-model' },
      usage: { outputTokens: 3 },
      metadata: { chatFormat: 'custom', kind: 'json' },
    });
    expect(json.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Meaning of life?'],
      ['assistant', 'Forty-two.'],
    ]);
    expect(stream.messages[1]).toMatchObject({
      role: 'assistant',
      content: 'Forty-two.',
      toolCalls: [{ id: 't1', name: 'search', args: { q: 'meaning' } }],
    });
    expect(detected.messages[1].content).toBe('detected');
    expect(detected.metadata?.chatFormat).toBe('openai-chat');
  });

  it('returns null from extract.request to leave a route alone', async () => {
    const trail = new RecordingTrail();
    const app = express();
    app.use(express.json());
    app.post('/v1/chat/completions', chatTrail({ trail, extract: { request: () => null } }), (_req, res) => {
      res.json(chatCompletion('not recorded'));
    });
    server = await listen(app);
    await postJson(`${server.url}/v1/chat/completions`, {
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(trail.turns).toHaveLength(0);
  });
});

it('uses the sse helper', () => {
  expect(sse('x', 'e')).toBe('event: e\ndata: x\n\n');
});
