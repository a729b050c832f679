import { describe, expect, it } from 'vitest';
import { useDevServer } from './use-dev-server.js';

const dev = useDevServer();

describe('/_devserver read-back API', () => {
  it('lists threads of both backends in one neutral shape, newest first', async () => {
    const conv = await dev.mielto('/conversations', {
      body: { title: 'Mielto one', user_id: 'u1', meta_data: { thread_id: 'app-thread' } },
    });
    await dev.mielto('/messages', {
      body: {
        conversation_id: conv.body.id,
        content: [{ content: 'hi' }, { content: '', role: 'assistant', tool_calls: [{ id: 'c1' }] }],
      },
    });
    await dev.melodi('/threads', {
      method: 'PUT',
      body: {
        projectId: 1,
        externalId: 'melodi-one',
        messages: [{ externalId: 'a', role: 'tool', type: 'json', jsonContent: { ok: true } }],
      },
    });
    const res = await dev.admin('/threads');
    expect(res.body.version).toBeGreaterThan(0);
    const [newest, older] = res.body.threads;
    expect(newest).toMatchObject({
      backend: 'melodi',
      externalId: 'melodi-one',
      messages: [{ role: 'tool', json: { ok: true }, content: null }],
    });
    expect(older).toMatchObject({
      backend: 'mielto',
      id: conv.body.id,
      externalId: 'app-thread',
      title: 'Mielto one',
      user: { id: 'u1' },
    });
    expect(older.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
    expect(older.messages[1].toolCalls).toEqual([{ id: 'c1' }]);
  });

  it('exposes the version, conversations, Melodi threads by externalId, stats and the request log', async () => {
    const before = (await dev.admin('/version')).body.version;
    await dev.mielto('/conversations', { body: { title: 'x' } });
    expect((await dev.admin('/version')).body.version).toBe(before + 1);
    expect((await dev.admin('/mielto/conversations')).body).toHaveLength(1);
    await dev.melodi('/threads', { method: 'PUT', body: { projectId: 1, externalId: 'a', messages: [] } });
    await dev.melodi('/threads', { method: 'PUT', body: { projectId: 1, externalId: 'b', messages: [] } });
    const byId = await dev.admin('/melodi/threads?externalId=b');
    expect(byId.body.map((t: { externalId: string }) => t.externalId)).toEqual(['b']);
    const stats = (await dev.admin('/stats')).body;
    expect(stats).toMatchObject({
      requests: 3,
      mielto: { conversations: 1 },
      melodi: { threads: 2 },
      byStatus: { 200: 2, 201: 1 },
    });
    const log = (await dev.admin('/requests?limit=2')).body;
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({
      method: 'PUT',
      path: '/api/external/threads',
      status: 200,
      backend: 'melodi',
      auth: 'api-key',
    });
    expect(log[0].bodyPreview).toContain('"externalId":"b"');
    expect((await dev.admin('/mielto/conversations/conv_missing')).status).toBe(404);
    expect((await dev.admin('/nope')).status).toBe(404);
  });

  it('resets everything', async () => {
    await dev.mielto('/conversations', { body: { title: 'x' } });
    expect((await dev.admin('/reset', { method: 'POST' })).status).toBe(200);
    expect((await dev.admin('/threads')).body.threads).toEqual([]);
    expect((await dev.admin('/requests')).body).toEqual([]);
  });

  it('serves the viewer page at /', async () => {
    const res = await fetch(`${dev.server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('chattrail devserver');
  });
});

describe('/_devserver robustness', () => {
  it('400s a malformed percent-escape instead of failing', async () => {
    const res = await fetch(`${dev.server.url}/_devserver/mielto/conversations/%E0%A4%A`);
    expect(res.status).toBe(400);
  });
});

describe('/_devserver/threads user segments', () => {
  it("carries a Melodi user's segments as { type: value }", async () => {
    await dev.melodi('/threads', {
      method: 'PUT',
      body: {
        projectId: 1,
        externalId: 's',
        messages: [],
        externalUser: { externalId: 'u', segments: { plan: 'pro', team: 'eng' } },
      },
    });
    const [thread] = (await dev.admin('/threads')).body.threads;
    expect(thread.user).toMatchObject({ id: 'u', segments: { plan: 'pro', team: 'eng' } });
  });
});
