import { getChatTrailContext, type Turn, withChatTrail } from '@chattrail/core';
import { afterEach, describe, expect, it } from 'vitest';
import { chatTrail } from '../src/index';
import { chatCompletion, EXPRESS, type Listening, listen, postJson, RecordingTrail, settle } from './helpers';

/** A turn as another adapter (here standing in for `@chattrail/ai-sdk`) would record it inside the route. */
function innerTurn(source: Turn['source']): Turn {
  const context = getChatTrailContext();
  const now = new Date().toISOString();
  return {
    id: `turn_inner_${source}`,
    threadId: context?.threadId ?? 'none',
    user: context?.user,
    messages: [{ id: 'msg_inner', role: 'assistant', content: 'from the model adapter' }],
    startedAt: now,
    endedAt: now,
    status: 'ok',
    source,
  };
}

describe.each(EXPRESS)('the recorded-once rule on $name', ({ express }) => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(trail: RecordingTrail, innerSource: Turn['source'] | undefined) {
    const app = express();
    app.use(express.json());
    const seen: unknown[] = [];
    app.post(
      '/api/chat',
      chatTrail({
        trail,
        user: (req) => req.headers['x-user'] as string | undefined,
        metadata: { app: 'demo' },
      }),
      async (_req, res) => {
        // The route runs inside the middleware's context: adapters inherit thread, user and metadata…
        seen.push(getChatTrailContext());
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (innerSource !== undefined) {
          // …even in a nested context an adapter may open, after an await.
          withChatTrail({ metadata: { step: 1 } }, () => trail.record(innerTurn(innerSource)));
        }
        res.json(chatCompletion('answer'));
      },
    );
    server = await listen(app);
    return { url: `${server.url}/api/chat`, seen };
  }

  const useChatBody = {
    id: 'chat-7',
    messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Hi' }] }],
  };

  it('passes thread, user and metadata to adapters inside the route', async () => {
    const trail = new RecordingTrail();
    const { url, seen } = await start(trail, undefined);
    await postJson(url, useChatBody, { 'x-user': 'user-1' });
    await trail.waitFor(1);
    expect(seen[0]).toMatchObject({ threadId: 'chat-7', user: { id: 'user-1' }, metadata: { app: 'demo' } });
  });

  it('skips its own turn when another adapter recorded inside the request', async () => {
    const trail = new RecordingTrail();
    const { url } = await start(trail, 'ai-sdk');
    await postJson(url, useChatBody, { 'x-user': 'user-1' });
    await trail.waitFor(1);
    await settle();
    expect(trail.turns).toHaveLength(1);
    expect(trail.turns[0]).toMatchObject({ source: 'ai-sdk', threadId: 'chat-7', user: { id: 'user-1' } });
  });

  it('still records when only express-level turns were recorded inside', async () => {
    const trail = new RecordingTrail();
    const { url } = await start(trail, 'express');
    await postJson(url, useChatBody);
    await trail.waitFor(2);
    expect(trail.turns.map((t) => t.source)).toEqual(['express', 'express']);
  });
});
