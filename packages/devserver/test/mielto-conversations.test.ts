import { describe, expect, it } from 'vitest';
import { useDevServer } from './use-dev-server.js';

const dev = useDevServer({ apiKeys: { mielto: ['dev-key', 'other-key'] } });

describe('POST /api/v1/conversations', () => {
  it('creates a conversation shaped like the docs', async () => {
    const res = await dev.mielto('/conversations', {
      body: {
        user_id: 'user-1',
        title: 'Onboarding conversation',
        meta_data: { thread_id: 't-1' },
        collections: ['col_1'],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^conv_[0-9a-f]{17}$/);
    expect(res.body).toMatchObject({
      title: 'Onboarding conversation',
      status: 'active',
      is_public: false,
      collections: ['col_1'],
      meta_data: { thread_id: 't-1' },
      settings: {},
      ended_at: null,
      summary: null,
    });
    for (const key of ['owner_id', 'workspace_id', 'created_by', 'created_at', 'updated_at'])
      expect(res.body[key]).toBeTypeOf('string');
  });

  it('stores initial messages given at creation', async () => {
    const res = await dev.mielto('/conversations', {
      body: { user_id: 'u', messages: [{ content: 'hi', role: 'user' }] },
    });
    const stored = await dev.admin(`/mielto/conversations/${res.body.id}`);
    expect(stored.body.messages).toHaveLength(1);
    expect(stored.body.messages[0]).toMatchObject({ content: 'hi', role: 'user', sender_id: 'u' });
  });

  it('answers a wrong body with a FastAPI 422', async () => {
    const res = await dev.mielto('/conversations', { body: { user_id: 5, title: ['x'], colour: 'red' } });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ loc: ['body', 'user_id'], type: 'string_type' }),
        expect.objectContaining({ loc: ['body', 'title'], type: 'string_type' }),
        expect.objectContaining({ loc: ['body', 'colour'], type: 'extra_forbidden' }),
      ]),
    );
  });
});

describe('auth', () => {
  it('accepts Bearer and x-api-key', async () => {
    const bearer = await dev.mielto('/conversations', {
      headers: { authorization: 'Bearer dev-key' },
      key: null,
    });
    const apiKey = await dev.mielto('/conversations', { headers: { 'x-api-key': 'dev-key' }, key: null });
    expect(bearer.status).toBe(200);
    expect(apiKey.status).toBe(200);
  });

  it('401s a missing or wrong key, and never echoes the key', async () => {
    const missing = await dev.mielto('/conversations', { key: null });
    const wrong = await dev.mielto('/conversations', { key: 'sk-wrong-secret' });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ detail: 'Not authenticated' });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(wrong.body)).not.toContain('sk-wrong-secret');
    const log = await dev.admin('/requests');
    expect(JSON.stringify(log.body)).not.toContain('sk-wrong-secret');
  });

  it('keeps workspaces apart: a key sees only its own conversations', async () => {
    await dev.mielto('/conversations', { body: { title: 'mine' } });
    const other = await dev.mielto('/conversations', { key: 'other-key' });
    expect(other.body).toEqual({ data: [], total_count: 0 });
    const explicit = await dev.mielto('/conversations', {
      body: { title: 'ws' },
      headers: { 'x-workspace-id': 'wsp_team' },
    });
    expect(explicit.body.workspace_id).toBe('wsp_team');
  });
});

describe('GET /api/v1/conversations', () => {
  it('paginates with skip/limit, newest first, with total_count', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 25; i++)
      ids.push(
        (await dev.mielto('/conversations', { body: { title: `c${i}`, user_id: i % 2 ? 'odd' : 'even' } }))
          .body.id,
      );
    const seen: string[] = [];
    for (let skip = 0; skip < 25; skip += 10) {
      const page = await dev.mielto(`/conversations?skip=${skip}&limit=10`);
      expect(page.body.total_count).toBe(25);
      seen.push(...page.body.data.map((c: { id: string }) => c.id));
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by status, search (title, case-insensitive), user_id and collection_id', async () => {
    await dev.mielto('/conversations', {
      body: { title: 'Product Strategy', user_id: 'a', collections: ['col_x'] },
    });
    await dev.mielto('/conversations', { body: { title: 'Customer feedback', user_id: 'b' } });
    const search = await dev.mielto('/conversations?search=strat');
    expect(search.body.data.map((c: { title: string }) => c.title)).toEqual(['Product Strategy']);
    expect((await dev.mielto('/conversations?user_id=b')).body.total_count).toBe(1);
    expect((await dev.mielto('/conversations?collection_id=col_x')).body.total_count).toBe(1);
    expect((await dev.mielto('/conversations?status=active')).body.total_count).toBe(2);
    expect((await dev.mielto('/conversations?status=ended')).body.total_count).toBe(0);
  });

  it('422s a limit outside 1..1000 and a bad status', async () => {
    for (const [q, type] of [
      ['limit=0', 'greater_than_equal'],
      ['limit=1001', 'less_than_equal'],
      ['limit=ten', 'int_parsing'],
      ['skip=-1', 'greater_than_equal'],
      ['status=deleted', 'enum'],
    ]) {
      const res = await dev.mielto(`/conversations?${q}`);
      expect(res.status, q).toBe(422);
      expect(res.body.detail[0].type, q).toBe(type);
      expect(res.body.detail[0].loc[0], q).toBe('query');
    }
    expect((await dev.mielto('/conversations?limit=1000')).status).toBe(200);
  });
});
