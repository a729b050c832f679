import { chatTrailMiddleware } from '@chattrail/ai-sdk';
import { convertToModelMessages, streamText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
import { chatTrail } from '../src/index';
import { EXPRESS, type Listening, listen, postJson, RecordingTrail, settle } from './helpers';

function modelStream(deltas: string[]): ReadableStream<any> {
  const parts = [
    { type: 'stream-start', warnings: [] },
    { type: 'response-metadata', id: 'resp-1', modelId: 'mock-model', timestamp: new Date(0) },
    { type: 'text-start', id: 't0' },
    ...deltas.map((delta) => ({ type: 'text-delta', id: 't0', delta })),
    { type: 'text-end', id: 't0' },
    {
      type: 'finish',
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: {
        inputTokens: { total: 9, noCache: 9, cacheRead: undefined, cacheWrite: undefined },
        outputTokens: { total: deltas.length, text: deltas.length, reasoning: undefined },
      },
    },
  ];
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}

describe.each(EXPRESS)('with @chattrail/ai-sdk inside the route on $name', ({ express }) => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('records the turn once (the AI SDK adapter’s), with the thread and user the middleware set', async () => {
    const trail = new RecordingTrail();
    const app = express();
    app.use(express.json());
    const model = wrapLanguageModel({
      model: new MockLanguageModelV4({ doStream: async () => ({ stream: modelStream(['Hello ', 'Ada!']) }) }),
      middleware: chatTrailMiddleware({ trail }),
    });
    app.post(
      '/api/chat',
      chatTrail({ trail, user: (req) => req.headers['x-user-id'] as string | undefined }),
      async (req, res) => {
        const result = streamText({ model, messages: await convertToModelMessages(req.body.messages) });
        result.pipeUIMessageStreamToResponse(res);
      },
    );
    server = await listen(app);

    const response = await postJson(
      `${server.url}/api/chat`,
      {
        id: 'chat-9',
        trigger: 'submit-message',
        messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Hi, I am Ada.' }] }],
      },
      { 'x-user-id': 'user-ada' },
    );
    expect(response.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    expect(response.text).toContain('"delta":"Ada!"');

    await trail.waitFor(1);
    await settle(100);
    expect(trail.turns).toHaveLength(1);
    const [turn] = trail.turns;
    expect(turn).toMatchObject({ source: 'ai-sdk', threadId: 'chat-9', user: { id: 'user-ada' } });
    expect(turn.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Hi, I am Ada.'],
      ['assistant', 'Hello Ada!'],
    ]);
  });

  it('records the same request itself when the model is not wrapped', async () => {
    const trail = new RecordingTrail();
    const app = express();
    app.use(express.json());
    const model = new MockLanguageModelV4({
      doStream: async () => ({ stream: modelStream(['Hello ', 'Ada!']) }),
    });
    app.post('/api/chat', chatTrail({ trail }), async (req, res) => {
      const result = streamText({ model, messages: await convertToModelMessages(req.body.messages) });
      result.pipeUIMessageStreamToResponse(res);
    });
    server = await listen(app);
    await postJson(`${server.url}/api/chat`, {
      id: 'chat-10',
      messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Hi, I am Ada.' }] }],
    });
    const [turn] = await trail.waitFor(1);
    expect(turn).toMatchObject({
      source: 'express',
      threadId: 'chat-10',
      metadata: { chatFormat: 'ai-sdk-ui' },
    });
    expect(turn.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Hi, I am Ada.'],
      ['assistant', 'Hello Ada!'],
    ]);
  });
});
