import { withChatTrail } from '@chattrail/core';
import { afterEach, describe, expect, it } from 'vitest';
import { chatTrail } from '../src/index';
import { chatCompletion, EXPRESS, type Listening, listen, postJson, RecordingTrail } from './helpers';

const body = (extra: Record<string, unknown> = {}) => ({
  model: 'm',
  messages: [{ role: 'user', content: 'Hi' }],
  ...extra,
});

describe.each(EXPRESS)('identity on $name', ({ express }) => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(trail: RecordingTrail, options: Omit<Parameters<typeof chatTrail>[0], 'trail'>) {
    const app = express();
    // An app-level context (an auth middleware, say) around everything.
    app.use((req, _res, next) => {
      if (req.headers['x-outer'] === '1') withChatTrail({ metadata: { tenant: 'acme' } }, next);
      else next();
    });
    app.use(express.json());
    app.post('/chat', chatTrail({ trail, ...options }), (_req, res) => {
      res.json(chatCompletion('ok'));
    });
    server = await listen(app);
    return `${server.url}/chat`;
  }

  it('options win: static values and functions of the request', async () => {
    const trail = new RecordingTrail();
    const url = await start(trail, {
      threadId: (req) => (req as { body?: { metadata?: { chat?: string } } }).body?.metadata?.chat,
      user: { id: 'u-static', email: 'u@example.com' },
      metadata: { region: 'eu' },
    });
    await postJson(url, body({ user: 'body-user', metadata: { chat: 'from-fn' } }), { 'x-outer': '1' });
    const [turn] = await trail.waitFor(1);
    expect(turn.threadId).toBe('from-fn');
    expect(turn.user).toEqual({ id: 'u-static', email: 'u@example.com' });
    expect(turn.metadata).toMatchObject({ region: 'eu', tenant: 'acme', chat: 'from-fn' });
  });

  it('then the body (user, safety_identifier, metadata thread), then the headers the app names', async () => {
    const trail = new RecordingTrail();
    const url = await start(trail, { headers: { threadId: 'x-thread-id', userId: 'x-user-id' } });
    await postJson(url, body({ user: 'body-user', metadata: { thread_id: 'body-thread' } }), {
      'x-thread-id': 'header-thread',
      'x-user-id': 'header-user',
    });
    await postJson(url, body(), { 'x-thread-id': 'header-thread', 'x-user-id': 'header-user' });
    await postJson(url, body({ safety_identifier: 'sid-1' }));
    const [fromBody, fromHeaders, derived] = await trail.waitFor(3);
    expect([fromBody.threadId, fromBody.user?.id]).toEqual(['body-thread', 'body-user']);
    expect([fromHeaders.threadId, fromHeaders.user?.id]).toEqual(['header-thread', 'header-user']);
    expect(derived.user?.id).toBe('sid-1');
    expect(derived.threadId).toMatch(/^thread_[0-9a-f]{16}$/);
  });

  it('derives one thread per conversation opening and user, so resends stay together', async () => {
    const trail = new RecordingTrail();
    const url = await start(trail, {});
    await postJson(url, body({ user: 'a' }));
    await postJson(
      url,
      body({
        user: 'a',
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'ok' },
        ],
      }),
    );
    await postJson(url, body({ user: 'b' }));
    const [first, second, other] = await trail.waitFor(3);
    expect(second.threadId).toBe(first.threadId);
    expect(other.threadId).not.toBe(first.threadId);
  });
});
