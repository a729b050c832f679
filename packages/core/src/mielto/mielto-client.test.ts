import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ScriptedServer, startScriptedServer } from '../../test/scripted-http-server';
import {
  AuthenticationError,
  ChatTrailError,
  InvalidResponseError,
  UnprocessableEntityError,
} from '../errors';
import { MieltoClient, MieltoPage } from './mielto-client';
import type { Conversation } from './mielto-models';

const API_KEY = 'mielto-test-key-0123456789';

let servers: ScriptedServer[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

/** A small stand-in for Mielto's conversations and messages endpoints, over real HTTP. */
async function startFakeMielto(conversationCount = 0) {
  const conversations: Conversation[] = Array.from({ length: conversationCount }, (_, i) => ({
    id: `conv_${String(i).padStart(5, '0')}`,
    title: `Conversation ${i}`,
    meta_data: { n: i },
  }));
  const server = await startScriptedServer((request) => {
    if (request.headers.authorization !== `Bearer ${API_KEY}` && request.headers['x-api-key'] !== API_KEY) {
      return { status: 401, json: { detail: 'Invalid API key' } };
    }
    if (request.method === 'POST' && request.path === '/api/v1/conversations') {
      const created = { id: `conv_new_${conversations.length}`, status: 'active', ...request.json };
      conversations.push(created);
      return { status: 201, json: created };
    }
    if (request.method === 'GET' && request.path === '/api/v1/conversations') {
      const skip = Number(request.query.get('skip') ?? 0);
      const limit = Number(request.query.get('limit') ?? 100);
      if (limit < 1 || limit > 1000) {
        return {
          status: 422,
          json: { detail: [{ loc: ['query', 'limit'], msg: 'out of range', type: 'value_error' }] },
        };
      }
      return { json: { data: conversations.slice(skip, skip + limit), total_count: conversations.length } };
    }
    if (request.method === 'POST' && request.path === '/api/v1/messages') {
      const body = request.json;
      if (typeof body?.content !== 'object') {
        return {
          status: 422,
          json: { detail: [{ loc: ['body', 'content'], msg: 'Field required', type: 'missing' }] },
        };
      }
      const items = Array.isArray(body.content) ? body.content : [body.content];
      return {
        status: 201,
        json: items.map((item: Record<string, unknown>, i: number) => ({
          id: `msg_${i}`,
          conversation_id: body.conversation_id,
          sender_id: item.sender_id ?? 'owner',
          role: item.role ?? 'user',
          content: item.content,
          message_type: item.message_type ?? 'text',
          workspace_id: request.headers['x-workspace-id'] ?? 'ws_default',
          meta_data: item.meta_data ?? null,
        })),
      };
    }
    return { status: 404, json: { detail: 'Not Found' } };
  });
  servers.push(server);
  return { server, conversations, baseUrl: `${server.url}/api/v1` };
}

describe('MieltoClient', () => {
  describe('construction', () => {
    it('requires an API key', () => {
      vi.stubEnv('MIELTO_API_KEY', '');
      expect(() => new MieltoClient()).toThrow(ChatTrailError);
      expect(() => new MieltoClient()).toThrow(
        'MieltoClient: no API key. Pass { apiKey } or set MIELTO_API_KEY.',
      );
    });

    it('reads its settings from the environment', () => {
      vi.stubEnv('MIELTO_API_KEY', API_KEY);
      vi.stubEnv('MIELTO_BASE_URL', 'http://127.0.0.1:1/api/v1/');
      vi.stubEnv('MIELTO_WORKSPACE_ID', 'ws_env');
      const client = new MieltoClient();
      expect(client.baseUrl).toBe('http://127.0.0.1:1/api/v1');
      expect(client.workspaceId).toBe('ws_env');
    });

    it('defaults to the production base URL', () => {
      vi.stubEnv('MIELTO_BASE_URL', '');
      expect(new MieltoClient({ apiKey: API_KEY }).baseUrl).toBe('https://api.mielto.com/api/v1');
    });

    it('never shows the key in JSON, inspect, string or spread', () => {
      const client = new MieltoClient({ apiKey: API_KEY, workspaceId: 'ws_1' });
      const renderings = [
        JSON.stringify(client),
        inspect(client, { depth: 10 }),
        String(client),
        JSON.stringify({ ...client }),
      ];
      for (const rendering of renderings) expect(rendering).not.toContain(API_KEY);
      expect(JSON.parse(JSON.stringify(client))).toEqual({
        baseUrl: 'https://api.mielto.com/api/v1',
        workspaceId: 'ws_1',
        apiKey: '[redacted]',
      });
      expect(inspect(client)).toContain('[redacted]');
    });
  });

  describe('conversations', () => {
    it('creates a conversation with bearer auth and the workspace header', async () => {
      const { server, baseUrl } = await startFakeMielto();
      const client = new MieltoClient({ apiKey: API_KEY, baseUrl, workspaceId: 'ws_42' });
      const conversation = await client.conversations.create({
        user_id: 'user-1',
        title: 'Onboarding',
        meta_data: { chattrail_thread_id: 'thread-1' },
      });
      expect(conversation).toMatchObject({ id: 'conv_new_0', user_id: 'user-1', title: 'Onboarding' });
      const [request] = server.requests;
      expect(request!.method).toBe('POST');
      expect(request!.path).toBe('/api/v1/conversations');
      expect(request!.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(request!.headers['x-workspace-id']).toBe('ws_42');
      expect(request!.json).toEqual({
        user_id: 'user-1',
        title: 'Onboarding',
        meta_data: { chattrail_thread_id: 'thread-1' },
      });
    });

    it('sends the key as x-api-key when asked', async () => {
      const { server, baseUrl } = await startFakeMielto();
      const client = new MieltoClient({ apiKey: API_KEY, baseUrl, authStyle: 'x-api-key' });
      await client.conversations.create({ title: 't' });
      expect(server.requests[0]!.headers['x-api-key']).toBe(API_KEY);
      expect(server.requests[0]!.headers.authorization).toBeUndefined();
      expect(server.requests[0]!.headers['x-workspace-id']).toBeUndefined();
    });

    it('returns one page when awaited, with its filters in the query', async () => {
      const { server, baseUrl } = await startFakeMielto(25);
      const client = new MieltoClient({ apiKey: API_KEY, baseUrl });
      const page = await client.conversations.list({ user_id: 'user-1', status: 'active', limit: 10 });
      expect(page).toBeInstanceOf(MieltoPage);
      expect(page.data.map((c) => c.id)).toEqual(
        Array.from({ length: 10 }, (_, i) => `conv_${String(i).padStart(5, '0')}`),
      );
      expect(page.total_count).toBe(25);
      expect(page.hasNextPage()).toBe(true);
      expect(Object.fromEntries(server.requests[0]!.query)).toEqual({
        user_id: 'user-1',
        status: 'active',
        limit: '10',
        skip: '0',
      });
      const next = await page.getNextPage();
      expect(next.skip).toBe(10);
      expect(next.data[0]!.id).toBe('conv_00010');
      const last = await next.getNextPage();
      expect(last.data).toHaveLength(5);
      expect(last.hasNextPage()).toBe(false);
      await expect(last.getNextPage()).rejects.toThrow(ChatTrailError);
    });

    it('walks 2,500 conversations across pages with for await', async () => {
      const { server, baseUrl } = await startFakeMielto(2500);
      const client = new MieltoClient({ apiKey: API_KEY, baseUrl });
      const ids: string[] = [];
      for await (const conversation of client.conversations.list({ user_id: 'user-1', limit: 1000 })) {
        ids.push(conversation.id);
      }
      expect(ids).toHaveLength(2500);
      expect(new Set(ids).size).toBe(2500);
      expect(ids[0]).toBe('conv_00000');
      expect(ids[2499]).toBe('conv_02499');
      expect(server.requests.map((r) => r.query.get('skip'))).toEqual(['0', '1000', '2000']);
      expect(
        server.requests.every((r) => r.query.get('user_id') === 'user-1' && r.query.get('limit') === '1000'),
      ).toBe(true);
    });

    it('starts iterating at the given skip and stops early on break', async () => {
      const { server, baseUrl } = await startFakeMielto(50);
      const client = new MieltoClient({ apiKey: API_KEY, baseUrl });
      const ids: string[] = [];
      for await (const conversation of client.conversations.list({ skip: 45, limit: 2 }))
        ids.push(conversation.id);
      expect(ids).toEqual(['conv_00045', 'conv_00046', 'conv_00047', 'conv_00048', 'conv_00049']);
      const before = server.requests.length;
      for await (const _ of client.conversations.list({ limit: 10 })) break;
      expect(server.requests.length - before).toBe(1);
    });

    it('walks pages with iterPages and handles an empty list', async () => {
      const { baseUrl } = await startFakeMielto(0);
      const client = new MieltoClient({ apiKey: API_KEY, baseUrl });
      const items: Conversation[] = [];
      for await (const conversation of client.conversations.list()) items.push(conversation);
      expect(items).toEqual([]);
      const page = await client.conversations.list();
      const pages = [];
      for await (const p of page.iterPages()) pages.push(p);
      expect(pages).toHaveLength(1);
    });

    it('sends nothing until the list is awaited or iterated', async () => {
      const { server, baseUrl } = await startFakeMielto(3);
      const client = new MieltoClient({ apiKey: API_KEY, baseUrl });
      const pending = client.conversations.list();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.requests).toHaveLength(0);
      await pending;
      await pending;
      expect(server.requests).toHaveLength(1);
    });

    it('rejects with the typed error, through await and through iteration', async () => {
      const { baseUrl } = await startFakeMielto(3);
      const client = new MieltoClient({ apiKey: API_KEY, baseUrl });
      await expect(client.conversations.list({ limit: 5000 })).rejects.toBeInstanceOf(
        UnprocessableEntityError,
      );
      const iterate = async () => {
        for await (const _ of client.conversations.list({ limit: 0 })) {
          // unreachable
        }
      };
      await expect(iterate()).rejects.toBeInstanceOf(UnprocessableEntityError);
      await expect(client.conversations.list({ limit: 0 }).catch((e: Error) => e.name)).resolves.toBe(
        'UnprocessableEntityError',
      );
    });
  });

  describe('messages', () => {
    it('creates one message', async () => {
      const { server, baseUrl } = await startFakeMielto();
      const client = new MieltoClient({ apiKey: API_KEY, baseUrl });
      const created = await client.messages.create({
        conversation_id: 'conv_1',
        content: { role: 'user', content: 'Hello', sender_id: 'user-1' },
        enable_memories: false,
      });
      expect(created).toEqual([
        expect.objectContaining({
          conversation_id: 'conv_1',
          role: 'user',
          content: 'Hello',
          sender_id: 'user-1',
        }),
      ]);
      expect(server.requests[0]!.json).toEqual({
        conversation_id: 'conv_1',
        content: { role: 'user', content: 'Hello', sender_id: 'user-1' },
        enable_memories: false,
      });
    });

    it('creates many messages in one request', async () => {
      const { server, baseUrl } = await startFakeMielto();
      const client = new MieltoClient({ apiKey: API_KEY, baseUrl, workspaceId: 'ws_9' });
      const created = await client.messages.create({
        conversation_id: 'conv_1',
        content: [
          { role: 'user', content: 'Hi', sender_id: 'user-1', meta_data: { chattrail_message_id: 'msg_a' } },
          {
            role: 'assistant',
            content: '',
            sender_id: 'agent',
            tool_calls: [{ id: 'call_1', name: 'weather', args: { city: 'Paris' } }],
          },
        ],
      });
      expect(created.map((m) => [m.role, m.workspace_id])).toEqual([
        ['user', 'ws_9'],
        ['assistant', 'ws_9'],
      ]);
      expect(created[0]!.meta_data).toEqual({ chattrail_message_id: 'msg_a' });
      expect(server.requests).toHaveLength(1);
    });

    it('accepts a server that answers a single message with an object', async () => {
      const server = await startScriptedServer(() => ({ status: 201, json: { id: 'm1', content: 'x' } }));
      servers.push(server);
      const client = new MieltoClient({ apiKey: API_KEY, baseUrl: server.url });
      await expect(
        client.messages.create({ conversation_id: 'c', content: { content: 'x' } }),
      ).resolves.toEqual([{ id: 'm1', content: 'x' }]);
    });

    it('rejects a wrong key with AuthenticationError naming Mielto and the path', async () => {
      const { baseUrl } = await startFakeMielto();
      const client = new MieltoClient({ apiKey: 'wrong-key-123456', baseUrl });
      const error = await client.messages
        .create({ conversation_id: 'c', content: { content: 'x' } })
        .catch((e) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error.message).toBe('Mielto POST /api/v1/messages failed with 401: Invalid API key');
    });

    it('passes per-call options through', async () => {
      const server = await startScriptedServer(() => ({ hang: true }));
      servers.push(server);
      const retries: unknown[] = [];
      const client = new MieltoClient({
        apiKey: API_KEY,
        baseUrl: server.url,
        onRetry: (info) => retries.push(info),
      });
      const error = await client.messages
        .create({ conversation_id: 'c', content: { content: 'x' } }, { timeoutMs: 2_000, maxRetries: 0 })
        .catch((e) => e);
      expect(error.name).toBe('APIConnectionTimeoutError');
      // Told by the client, not counted on the server: on a loaded machine a request can time out before
      // the server has read it.
      expect(error.message).toContain('no response within 2000 ms'); // not the client's 10 s
      expect(retries).toEqual([]); // not the client's 2 retries
      expect(server.requests.length).toBeLessThanOrEqual(1);
    });
  });

  describe('openAICompatibleConfig', () => {
    it('returns what the OpenAI SDK and the AI SDK provider expect', () => {
      const client = new MieltoClient({ apiKey: API_KEY });
      expect(client.openAICompatibleConfig({ userId: 'user-1' })).toEqual({
        name: 'mielto',
        baseURL: 'https://api.mielto.com/api/v1',
        apiKey: API_KEY,
        headers: { 'x-user-id': 'user-1' },
        defaultHeaders: { 'x-user-id': 'user-1' },
      });
    });

    it('adds the workspace and extra headers, without sharing objects between the two header fields', () => {
      const client = new MieltoClient({
        apiKey: API_KEY,
        workspaceId: 'ws_1',
        baseUrl: 'http://localhost:4000/api/v1',
      });
      const config = client.openAICompatibleConfig({ userId: 'u', headers: { 'x-extra': '1' } });
      expect(config.baseURL).toBe('http://localhost:4000/api/v1');
      expect(config.headers).toEqual({ 'x-user-id': 'u', 'X-Workspace-Id': 'ws_1', 'x-extra': '1' });
      expect(config.defaultHeaders).toEqual(config.headers);
      expect(config.defaultHeaders).not.toBe(config.headers);
    });

    it('omits x-user-id when no user is given', () => {
      expect(new MieltoClient({ apiKey: API_KEY }).openAICompatibleConfig().headers).toEqual({});
    });
  });
});

describe('MieltoClient: a 2xx without what the caller needs', () => {
  it.each([
    ['a conversation without an id', '/conversations', { status: 201, json: { weird: true } }],
    ['a conversation that is not JSON', '/conversations', { status: 201, text: '<html>OK</html>' }],
    ['a list without data', '/list', { json: { weird: true } }],
    ['a list item without an id', '/list', { json: { data: [{ title: 'x' }], total_count: 1 } }],
    ['no stored messages', '/messages', { status: 201, json: 'ok' }],
  ])('rejects %s with InvalidResponseError, sent once', async (_, call, answer) => {
    const server = await startScriptedServer(() => answer);
    servers.push(server);
    const client = new MieltoClient({ apiKey: API_KEY, baseUrl: `${server.url}/api/v1` });
    const request =
      call === '/conversations'
        ? client.conversations.create({ title: 't' })
        : call === '/list'
          ? client.conversations.list()
          : client.messages.create({ conversation_id: 'c', content: { content: 'hi' } });
    const error = await Promise.resolve(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(server.requests).toHaveLength(1);
  });
});
