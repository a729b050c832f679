import { describe, expect, it } from 'vitest';
import { startDevServer } from '../src/index.js';
import { useDevServer } from './use-dev-server.js';

const dev = useDevServer({ apiKeys: { melodi: ['dev-key'] } });

const thread = (messages: unknown[], extra: Record<string, unknown> = {}) => ({
  externalId: 'thread-1',
  projectId: 123,
  messages,
  ...extra,
});

describe('PUT /api/external/threads', () => {
  it('keeps a markdown message that also carries jsonContent (the seed example message has both)', async () => {
    const message = {
      externalId: 'm1',
      role: 'assistant',
      type: 'markdown',
      content: 'Looking it up.',
      jsonContent: { toolCalls: [{ id: 'c1', name: 'search', args: { q: 'x' } }] },
      metadata: { position: 0 },
    };
    const res = await dev.melodi('/threads', { method: 'PUT', body: thread([message]) });
    expect(res.status).toBe(200);
    expect(res.body.messages).toEqual([message]);
  });

  it('creates a thread and answers in the seed shape', async () => {
    const res = await dev.melodi('/threads', {
      method: 'PUT',
      body: thread(
        [
          { externalId: 'm1', role: 'user', type: 'markdown', content: 'Hi', metadata: { a: 1 } },
          { externalId: 'm2', role: 'assistant', content: 'Hello!' },
          {
            externalId: 'm3',
            role: 'tool',
            type: 'json',
            jsonContent: { name: 'weather', output: { temp: 21 } },
          },
        ],
        {
          metadata: { model: 'gpt-x', inputTokens: 10 },
          externalUser: {
            externalId: 'u1',
            email: 'ada@example.com',
            name: 'Ada',
            username: 'ada',
            segments: { team: 'engineering', role: 'developer' },
          },
        },
      ),
    });
    expect(res.status).toBe(200);
    const body = res.body;
    expect(Object.keys(body).sort()).toEqual(
      [
        'id',
        'externalId',
        'organizationId',
        'project',
        'messages',
        'externalUser',
        'metadata',
        'createdAt',
        'updatedAt',
      ].sort(),
    );
    expect(body).toMatchObject({
      externalId: 'thread-1',
      project: { id: 123, name: expect.any(String) },
      metadata: { model: 'gpt-x', inputTokens: 10 },
    });
    expect(body.id).toBeTypeOf('number');
    expect(body.messages).toEqual([
      { externalId: 'm1', role: 'user', type: 'markdown', content: 'Hi', metadata: { a: 1 } },
      { externalId: 'm2', role: 'assistant', type: 'markdown', content: 'Hello!' },
      {
        externalId: 'm3',
        role: 'tool',
        type: 'json',
        jsonContent: { name: 'weather', output: { temp: 21 } },
      },
    ]);
    const user = body.externalUser;
    expect(user).toMatchObject({
      externalId: 'u1',
      email: 'ada@example.com',
      name: 'Ada',
      username: 'ada',
      organizationId: body.organizationId,
    });
    expect(
      user.segments.map((s: { name: string; type: { name: string } }) => [s.type.name, s.name]).sort(),
    ).toEqual([
      ['role', 'developer'],
      ['team', 'engineering'],
    ]);
    for (const s of user.segments) {
      expect(s).toMatchObject({
        id: expect.any(Number),
        organizationId: body.organizationId,
        userSegmentTypeId: s.type.id,
      });
    }
  });

  it('upserts by (projectId, externalId), merging messages by externalId in order', async () => {
    const first = await dev.melodi('/threads', {
      method: 'PUT',
      body: thread([{ externalId: 'm1', role: 'user', content: 'Hi' }]),
    });
    const second = await dev.melodi('/threads', {
      method: 'PUT',
      body: thread([
        { externalId: 'm1', role: 'user', content: 'Hi' },
        { externalId: 'm2', role: 'assistant', content: 'Hello' },
        { externalId: 'm3', role: 'user', content: 'Bye' },
      ]),
    });
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.messages.map((m: { externalId: string }) => m.externalId)).toEqual(['m1', 'm2', 'm3']);
    // The same full thread again changes nothing.
    const third = await dev.melodi('/threads', { method: 'PUT', body: thread(second.body.messages) });
    expect(third.body.messages).toHaveLength(3);
    // Another project keeps its own thread under the same externalId.
    const other = await dev.melodi('/threads', {
      method: 'PUT',
      body: thread([{ role: 'user', content: 'x' }], { projectId: 7 }),
    });
    expect(other.body.id).not.toBe(first.body.id);
    const all = await dev.admin('/melodi/threads');
    expect(all.body).toHaveLength(2);
  });

  it.each(['merge', 'replace'] as const)(
    'treats a known thread with melodiThreadMessages: %s',
    async (mode) => {
      const server = await startDevServer({ melodiThreadMessages: mode });
      try {
        const put = async (ids: string[], metadata: Record<string, string>) => {
          const res = await fetch(`${server.melodiBaseUrl}/threads`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json', 'api-key': 'k' },
            body: JSON.stringify(
              thread(
                ids.map((externalId) => ({ externalId, role: 'user', content: externalId })),
                { metadata },
              ),
            ),
          });
          const body = await res.json();
          return [body.messages.map((m: { externalId: string }) => m.externalId), body.metadata];
        };
        expect(await put(['m1', 'm2'], { status: 'error', error_name: 'E' })).toEqual([
          ['m1', 'm2'],
          { status: 'error', error_name: 'E' },
        ]);
        // Replace reads the body as "the full thread object" (the seed): messages and metadata alike.
        expect(await put(['m2', 'm3'], { status: 'ok' })).toEqual(
          mode === 'replace'
            ? [['m2', 'm3'], { status: 'ok' }]
            : [['m1', 'm2', 'm3'], { status: 'ok', error_name: 'E' }],
        );
        expect(server.stats().melodi.messages).toBe(mode === 'replace' ? 2 : 3);
      } finally {
        await server.close();
      }
    },
  );

  it('upserts the external user by externalId and replaces a segment value per type', async () => {
    await dev.melodi('/threads', {
      method: 'PUT',
      body: thread([], { externalUser: { externalId: 'u1', segments: { plan: 'free' } } }),
    });
    const res = await dev.melodi('/threads', {
      method: 'PUT',
      body: thread([], {
        externalId: 'thread-2',
        externalUser: { externalId: 'u1', name: 'Ada', segments: { plan: 'pro' } },
      }),
    });
    expect(res.body.externalUser.name).toBe('Ada');
    expect(res.body.externalUser.segments.map((s: { name: string }) => s.name)).toEqual(['pro']);
  });

  it('400s a body that breaks the documented shape, listing each problem', async () => {
    const res = await dev.melodi('/threads', {
      method: 'PUT',
      body: {
        externalId: 5,
        messages: [{ content: 'no role' }, { role: 'user', type: 'html', content: 'x' }],
        externalUser: { name: 'no id', segments: { a: 1 } },
        extra: true,
      },
    });
    expect(res.status).toBe(400);
    const paths = res.body.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'projectId',
        'externalId',
        'messages.0.role',
        'messages.1.type',
        'externalUser.externalId',
        'externalUser.segments.a',
        'extra',
      ]),
    );
  });

  it('401s without the api-key header or with a wrong key', async () => {
    expect((await dev.melodi('/threads', { method: 'PUT', body: thread([]), key: null })).status).toBe(401);
    expect(
      (
        await dev.melodi('/threads', {
          method: 'PUT',
          body: thread([]),
          headers: { authorization: 'Bearer dev-key' },
          key: null,
        })
      ).status,
    ).toBe(401);
    expect((await dev.melodi('/threads', { method: 'PUT', body: thread([]), key: 'nope' })).status).toBe(401);
  });
});

describe('POST /api/external/feedback', () => {
  it('attaches feedback to a message or to the last message of the thread', async () => {
    await dev.melodi('/threads', {
      method: 'PUT',
      body: thread([
        { externalId: 'm1', role: 'user', content: 'Hi' },
        { externalId: 'm2', role: 'assistant', content: 'Hello' },
      ]),
    });
    const onMessage = await dev.melodi('/feedback', {
      body: {
        feedbackType: 'NEGATIVE',
        externalThreadId: 'thread-1',
        externalMessageId: 'm1',
        feedbackText: 'meh',
        attributes: { tone: 'rude' },
      },
    });
    expect(onMessage.status).toBe(201);
    expect(onMessage.body).toMatchObject({
      feedbackType: 'NEGATIVE',
      externalMessageId: 'm1',
      feedbackText: 'meh',
      attributes: { tone: 'rude' },
    });
    const onThread = await dev.melodi('/feedback', {
      body: { feedbackType: 'POSITIVE', externalThreadId: 'thread-1', projectId: 123 },
    });
    expect(onThread.body.externalMessageId).toBe('m2');
    expect((await dev.admin('/melodi/feedback')).body).toHaveLength(2);
  });

  it('404s an unknown thread or message and 400s a bad type', async () => {
    expect(
      (await dev.melodi('/feedback', { body: { feedbackType: 'POSITIVE', externalThreadId: 'none' } }))
        .status,
    ).toBe(404);
    await dev.melodi('/threads', {
      method: 'PUT',
      body: thread([{ externalId: 'm1', role: 'user', content: 'Hi' }]),
    });
    expect(
      (
        await dev.melodi('/feedback', {
          body: { feedbackType: 'POSITIVE', externalThreadId: 'thread-1', externalMessageId: 'zz' },
        })
      ).status,
    ).toBe(404);
    expect(
      (await dev.melodi('/feedback', { body: { feedbackType: 'MEH', externalThreadId: 'thread-1' } })).status,
    ).toBe(400);
  });
});
