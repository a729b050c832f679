import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ScriptedServer, startScriptedServer } from '../../test/scripted-http-server';
import {
  AuthenticationError,
  ChatTrailError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
} from '../errors';
import { MelodiClient } from './melodi-client';
import type { MelodiThread, MelodiThreadUpsert } from './melodi-models';

const API_KEY = 'melodi-test-key-0123456789';

let servers: ScriptedServer[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

/** A stand-in for Melodi's threads and feedback endpoints, over real HTTP. */
async function startFakeMelodi() {
  const threads = new Map<string, MelodiThread>();
  const server = await startScriptedServer((request) => {
    if (request.headers['api-key'] !== API_KEY) return { status: 401, json: { error: 'Unauthorized' } };
    if (request.method === 'PUT' && request.path === '/api/external/threads') {
      const body = request.json as MelodiThreadUpsert;
      if (typeof body.projectId !== 'number')
        return { status: 400, json: { error: 'projectId is required' } };
      if (body.projectId !== 7) return { status: 403, json: { error: 'Project not in your organization' } };
      const now = '2025-01-01T00:00:00Z';
      const thread: MelodiThread = {
        id: threads.size + 1,
        externalId: body.externalId ?? null,
        organizationId: 1,
        project: { id: body.projectId, name: 'Demo' },
        messages: body.messages,
        externalUser: body.externalUser
          ? {
              id: 1,
              organizationId: 1,
              externalId: body.externalUser.externalId,
              name: body.externalUser.name ?? null,
              email: body.externalUser.email ?? null,
              username: body.externalUser.username ?? null,
              segments: Object.entries(body.externalUser.segments ?? {}).map(([type, name], i) => ({
                id: i,
                organizationId: 1,
                name,
                userSegmentTypeId: i,
                createdAt: now,
                updatedAt: now,
                type: { id: i, organizationId: 1, name: type, createdAt: now, updatedAt: now },
              })),
              createdAt: now,
              updatedAt: now,
            }
          : null,
        metadata: body.metadata ?? null,
        createdAt: now,
        updatedAt: now,
      };
      threads.set(body.externalId ?? String(thread.id), thread);
      return { json: thread };
    }
    if (request.method === 'POST' && request.path === '/api/external/feedback') {
      return { status: 201, json: { id: 1, ...request.json } };
    }
    return { status: 404, json: { error: 'Not found' } };
  });
  servers.push(server);
  return { server, threads, baseUrl: `${server.url}/api/external` };
}

describe('MelodiClient', () => {
  describe('construction', () => {
    it('requires an API key', () => {
      vi.stubEnv('MELODI_API_KEY', '');
      expect(() => new MelodiClient()).toThrow(
        'MelodiClient: no API key. Pass { apiKey } or set MELODI_API_KEY.',
      );
    });

    it('reads its settings from the environment', () => {
      vi.stubEnv('MELODI_API_KEY', API_KEY);
      vi.stubEnv('MELODI_PROJECT_ID', '123');
      vi.stubEnv('MELODI_BASE_URL', 'http://localhost:4000/api/external');
      const client = new MelodiClient();
      expect(client.projectId).toBe(123);
      expect(client.baseUrl).toBe('http://localhost:4000/api/external');
    });

    it('rejects a project id that is not an integer', () => {
      vi.stubEnv('MELODI_PROJECT_ID', 'abc');
      expect(() => new MelodiClient({ apiKey: API_KEY })).toThrow(/MELODI_PROJECT_ID must be an integer/);
    });

    it('defaults to the production base URL', () => {
      vi.stubEnv('MELODI_BASE_URL', '');
      expect(new MelodiClient({ apiKey: API_KEY }).baseUrl).toBe('https://app.melodi.fyi/api/external');
    });

    it('never shows the key in JSON or inspect output', () => {
      const client = new MelodiClient({ apiKey: API_KEY, projectId: 7 });
      for (const rendering of [
        JSON.stringify(client),
        inspect(client, { depth: 10 }),
        inspect(client.threads, { depth: 10 }),
      ]) {
        expect(rendering).not.toContain(API_KEY);
      }
      expect(JSON.parse(JSON.stringify(client))).toEqual({
        baseUrl: 'https://app.melodi.fyi/api/external',
        projectId: 7,
        apiKey: '[redacted]',
      });
    });
  });

  describe('threads.upsert', () => {
    it('PUTs the full thread with the api-key header and the client project id', async () => {
      const { server, baseUrl } = await startFakeMelodi();
      const client = new MelodiClient({ apiKey: API_KEY, projectId: 7, baseUrl });
      const thread = await client.threads.upsert({
        externalId: 'thread-1',
        messages: [
          { externalId: 'msg_1', role: 'user', type: 'markdown', content: 'What is the weather?' },
          {
            externalId: 'msg_2',
            role: 'assistant',
            type: 'json',
            jsonContent: { toolCalls: [{ id: 'call_1', name: 'weather', args: { city: 'Paris' } }] },
          },
        ],
        externalUser: { externalId: 'user-1', email: 'a@b.test', segments: { team: 'engineering' } },
        metadata: { model: 'gpt-4o', inputTokens: 12 },
      });
      const [request] = server.requests;
      expect(request!.method).toBe('PUT');
      expect(request!.path).toBe('/api/external/threads');
      expect(request!.headers['api-key']).toBe(API_KEY);
      expect(request!.headers.authorization).toBeUndefined();
      expect(request!.json.projectId).toBe(7);
      expect(request!.json.messages).toHaveLength(2);
      expect(thread.externalId).toBe('thread-1');
      expect(thread.project).toEqual({ id: 7, name: 'Demo' });
      expect(thread.externalUser?.segments[0]).toMatchObject({ name: 'engineering', type: { name: 'team' } });
      expect(thread.metadata).toEqual({ model: 'gpt-4o', inputTokens: 12 });
    });

    it('lets the call override the project id', async () => {
      const { server, baseUrl } = await startFakeMelodi();
      const client = new MelodiClient({ apiKey: API_KEY, projectId: 1, baseUrl });
      await client.threads.upsert({ projectId: 7, externalId: 't', messages: [] });
      expect(server.requests[0]!.json.projectId).toBe(7);
    });

    it('rejects before sending when no project id is known', async () => {
      vi.stubEnv('MELODI_PROJECT_ID', '');
      const { server, baseUrl } = await startFakeMelodi();
      const client = new MelodiClient({ apiKey: API_KEY, baseUrl });
      await expect(client.threads.upsert({ externalId: 't', messages: [] })).rejects.toThrow(ChatTrailError);
      await expect(client.threads.upsert({ externalId: 't', messages: [] })).rejects.toThrow(
        /MELODI_PROJECT_ID/,
      );
      expect(server.requests).toHaveLength(0);
    });

    it('maps failures to typed errors naming Melodi', async () => {
      const { baseUrl } = await startFakeMelodi();
      const wrongKey = new MelodiClient({ apiKey: 'wrong-key-0000000', projectId: 7, baseUrl });
      const auth = await wrongKey.threads.upsert({ messages: [] }).catch((e) => e);
      expect(auth).toBeInstanceOf(AuthenticationError);
      expect(auth.message).toBe('Melodi PUT /api/external/threads failed with 401: Unauthorized');

      const otherProject = new MelodiClient({ apiKey: API_KEY, projectId: 8, baseUrl });
      const denied = await otherProject.threads.upsert({ messages: [] }).catch((e) => e);
      expect(denied).toBeInstanceOf(PermissionDeniedError);
      expect(denied.message).toBe(
        'Melodi PUT /api/external/threads failed with 403: Project not in your organization',
      );
    });

    it('reports 413 without retrying and retries 429', async () => {
      const server = await startScriptedServer((_request, index) =>
        index === 0
          ? { status: 413, text: 'Request Entity Too Large' }
          : { status: 429, headers: { 'retry-after': '0' } },
      );
      servers.push(server);
      const client = new MelodiClient({ apiKey: API_KEY, projectId: 7, baseUrl: server.url, maxRetries: 1 });
      await expect(client.threads.upsert({ messages: [] })).rejects.toBeInstanceOf(PayloadTooLargeError);
      expect(server.requests).toHaveLength(1);
      await expect(client.threads.upsert({ messages: [] })).rejects.toBeInstanceOf(RateLimitError);
      expect(server.requests).toHaveLength(3);
    });
  });

  describe('feedback.create', () => {
    it('POSTs feedback with the client project id', async () => {
      const { server, baseUrl } = await startFakeMelodi();
      const client = new MelodiClient({ apiKey: API_KEY, projectId: 7, baseUrl });
      const result = await client.feedback.create({
        feedbackType: 'NEGATIVE',
        externalThreadId: 'thread-1',
        externalMessageId: 'msg_2',
        feedbackText: 'Wrong city',
        attributes: { accuracy: 'wrong' },
      });
      expect(server.requests[0]!.path).toBe('/api/external/feedback');
      expect(server.requests[0]!.json).toEqual({
        feedbackType: 'NEGATIVE',
        externalThreadId: 'thread-1',
        externalMessageId: 'msg_2',
        feedbackText: 'Wrong city',
        attributes: { accuracy: 'wrong' },
        projectId: 7,
      });
      expect(result).toMatchObject({ id: 1, feedbackType: 'NEGATIVE' });
    });

    it('sends no project id when none is known (it is optional for feedback)', async () => {
      vi.stubEnv('MELODI_PROJECT_ID', '');
      const { server, baseUrl } = await startFakeMelodi();
      const client = new MelodiClient({ apiKey: API_KEY, baseUrl });
      await client.feedback.create({ feedbackType: 'POSITIVE', externalThreadId: 't' });
      expect(server.requests[0]!.json).toEqual({ feedbackType: 'POSITIVE', externalThreadId: 't' });
    });
  });
});
