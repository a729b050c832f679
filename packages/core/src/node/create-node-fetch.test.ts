import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  ConversationScript,
  closeServersAfterEach,
  devServer,
  MELODI_KEY,
  MIELTO_KEY,
  melodiThreads,
  mieltoConversations,
  PROJECT_ID,
} from '../../test/trail-test-kit';
import { melodi } from '../destinations/melodi-destination';
import { mielto } from '../destinations/mielto-destination';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  NotFoundError,
  UnprocessableEntityError,
} from '../errors';
import type { RetryInfo } from '../http/http-options';
import { rawRequestOf } from '../http/raw-request';
import { MelodiClient } from '../melodi/melodi-client';
import { MieltoClient } from '../mielto/mielto-client';
import { createChatTrail } from '../pipeline/create-chat-trail';
import { createNodeFetch, usesEnvProxy } from './create-node-fetch';

closeServersAfterEach();

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('createNodeFetch', () => {
  const fetch = createNodeFetch();

  it('answers like fetch: status, headers, body', async () => {
    const server = await devServer();
    const response = await fetch(`${server.mieltoBaseUrl}/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MIELTO_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'héllo — ünïcode', user_id: 'u1' }),
    });
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('content-type')).toContain('application/json');
    const created = (await response.json()) as { id: string; title: string };
    expect(created.title).toBe('héllo — ünïcode'); // content-length counted in bytes, not characters

    const missing = await fetch(`${server.mieltoBaseUrl}/nowhere`, {
      headers: new Headers({ authorization: `Bearer ${MIELTO_KEY}` }),
    });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('detail');
  });

  it('serves every client method, error class and Retry-After', async () => {
    const server = await devServer();
    const retries: RetryInfo[] = [];
    const mieltoClient = new MieltoClient({
      apiKey: MIELTO_KEY,
      baseUrl: server.mieltoBaseUrl,
      fetch,
      onRetry: (info) => retries.push(info),
    });
    const conversation = await mieltoClient.conversations.create({ user_id: 'u1', title: 'node fetch' });
    server.setFaults([{ route: 'POST /api/v1/messages', status: 429, retryAfter: 1, times: 1 }]);
    const stored = await mieltoClient.messages.create({
      conversation_id: conversation.id,
      content: [{ role: 'user', content: 'Hi', sender_id: 'u1' }],
    });
    expect(stored).toHaveLength(1);
    expect(retries.map((r) => [r.error.status, r.delayMs])).toEqual([[429, 1000]]);
    const page = await mieltoClient.conversations.list({ user_id: 'u1' });
    expect(page.data.map((c) => c.id)).toEqual([conversation.id]);
    await expect(
      mieltoClient.messages.create({ conversation_id: 'conv_missing', content: [{ content: 'x' }] }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      mieltoClient.messages.create({
        conversation_id: conversation.id,
        content: [{ role: 'user' } as never],
      }),
    ).rejects.toBeInstanceOf(UnprocessableEntityError);

    const melodiClient = new MelodiClient({
      apiKey: MELODI_KEY,
      projectId: PROJECT_ID,
      baseUrl: server.melodiBaseUrl,
      fetch,
    });
    const thread = await melodiClient.threads.upsert({
      externalId: 't1',
      messages: [{ externalId: 'm1', role: 'user', content: 'Hi' }],
    });
    expect(thread.externalId).toBe('t1');
  });

  it('times out, aborts and fails to connect the way the global fetch does', async () => {
    const server = await devServer();
    server.setFaults([{ route: '*', hang: true }]);
    const client = new MieltoClient({
      apiKey: MIELTO_KEY,
      baseUrl: server.mieltoBaseUrl,
      fetch,
      maxRetries: 0,
    });
    await expect(client.conversations.create({ title: 'x' }, { timeoutMs: 300 })).rejects.toBeInstanceOf(
      APIConnectionTimeoutError,
    );
    const controller = new AbortController();
    const aborted = client.conversations.create({ title: 'x' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(aborted).rejects.toBeInstanceOf(APIUserAbortError);

    const nowhere = new MieltoClient({
      apiKey: MIELTO_KEY,
      baseUrl: `http://127.0.0.1:${await closedPort()}/api/v1`,
      fetch,
      maxRetries: 0,
    });
    const refused = await nowhere.conversations.create({ title: 'x' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(APIConnectionError);
    expect((refused as Error).message).toContain('ECONNREFUSED');
    expect((refused as Error).message).not.toContain(MIELTO_KEY);
  });

  it('as a plain fetch, rejects with the signal reason when aborted and with the cause when refused', async () => {
    const server = await devServer();
    server.setFaults([{ route: '*', hang: true }]);
    const controller = new AbortController();
    const hanging = fetch(`${server.mieltoBaseUrl}/conversations`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(hanging).rejects.toMatchObject({ name: 'AbortError' });
    const refused = await fetch(`http://127.0.0.1:${await closedPort()}/`).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('gives the clients a raw request: no Response, discarded bodies drained on a kept-alive connection', async () => {
    const raw = rawRequestOf(fetch)!;
    expect(raw).toBeTypeOf('function');
    expect(rawRequestOf(globalThis.fetch)).toBeUndefined();
    let connections = 0;
    const big = JSON.stringify({ detail: 'x'.repeat(1 << 20) });
    const server = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(req.url === '/missing' ? 404 : 200, {
          'content-type': 'application/json',
          'retry-after': '7',
        });
        res.end(big);
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const send = (path: string, discard: boolean) =>
        raw(url + path, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: '{"a":"é"}',
          signal: new AbortController().signal,
          discard,
        });
      for (let i = 0; i < 3; i++) {
        const response = await send('/thread', true);
        expect([response.ok, response.status, response.text]).toEqual([true, 200, '']);
      }
      expect(connections).toBe(1); // each discarded body was read to the end, so the socket was reused
      const kept = await send('/thread', false);
      expect(kept.text).toBe(big);
      const missing = await send('/missing', true); // an error body is kept even when discarding
      expect([missing.ok, missing.status, missing.text.length]).toEqual([false, 404, big.length]);
      expect(missing.headers().get('retry-after')).toBe('7');
      expect(connections).toBe(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("goes through a proxy when told to (proxyEnv), as Node's agents do", async () => {
    const proxied: string[] = [];
    // A forward proxy for plain HTTP: the client sends it the absolute URL.
    const proxy = createHttpServer((req, res) => {
      proxied.push(`${req.method} ${req.url}`);
      const target = new URL(req.url!);
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    const servers: Server[] = [proxy];
    try {
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
      const server = await devServer();
      const viaProxy = createNodeFetch({ proxyEnv: { HTTP_PROXY: proxyUrl, NO_PROXY: '' } });
      const client = new MieltoClient({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, fetch: viaProxy });
      const created = await client.conversations.create({ title: 'through the proxy', user_id: 'u1' });
      expect(created.title).toBe('through the proxy');
      const plain = await viaProxy(`${server.mieltoBaseUrl}/conversations`, {
        headers: { authorization: `Bearer ${MIELTO_KEY}` },
      });
      expect(plain.status).toBe(200);
      expect(proxied).toEqual([
        `POST ${server.mieltoBaseUrl}/conversations`,
        `GET ${server.mieltoBaseUrl}/conversations`,
      ]);

      const direct = createNodeFetch({ proxyEnv: null });
      await new MieltoClient({
        apiKey: MIELTO_KEY,
        baseUrl: server.mieltoBaseUrl,
        fetch: direct,
      }).conversations.list();
      expect(proxied).toHaveLength(2);
    } finally {
      for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('follows NODE_USE_ENV_PROXY / --use-env-proxy for its default', () => {
    expect(usesEnvProxy({}, [])).toBe(false);
    expect(usesEnvProxy({ NODE_USE_ENV_PROXY: '1' }, [])).toBe(true);
    expect(usesEnvProxy({ NODE_USE_ENV_PROXY: '0' }, [])).toBe(false);
    expect(usesEnvProxy({}, ['--use-env-proxy'])).toBe(true);
    expect(usesEnvProxy({ NODE_OPTIONS: '--max-old-space-size=512 --use-env-proxy' }, [])).toBe(true);
  });

  it('sends methods as fetch does, and rejects (never throws) on bad headers', async () => {
    const server = createHttpServer((req, res) => res.end(req.method));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
      expect(await (await fetch(url, { method: 'post', body: '{}' })).text()).toBe('POST');
      expect(await (await fetch(url, { method: 'PATCH', body: '{}' })).text()).toBe('PATCH');
      const bad = fetch(url, { headers: { 'x a': 'v' } });
      await expect(bad).rejects.toThrow(TypeError);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses what it does not do, clearly', async () => {
    await expect(fetch('ftp://example.com/')).rejects.toThrow(/only http and https/);
    await expect(
      fetch('http://127.0.0.1:1/', { method: 'POST', body: new URLSearchParams({ a: '1' }) }),
    ).rejects.toThrow(/only string and byte bodies/);
    await expect(fetch(new Request('http://127.0.0.1:1/'))).rejects.toThrow(/not a Request/);
  });

  it('delivers a trail through both destinations', async () => {
    const server = await devServer();
    const trail = createChatTrail({
      destinations: [
        mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, fetch }),
        melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl, fetch }),
      ],
    });
    const script = new ConversationScript('thread-node-fetch', { id: 'u1' });
    for (let i = 0; i < 5; i++) {
      trail.record(script.turn());
      if (i % 2 === 0) expect((await trail.flush()).ok).toBe(true);
    }
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
    const [conversation] = await mieltoConversations(server);
    expect(conversation!.messages.map((m) => m.meta_data?.chattrail_message_id)).toEqual(
      script.history.map((m) => m.id),
    );
    const [thread] = await melodiThreads(server);
    expect(thread!.messages.map((m) => m.externalId)).toEqual(script.history.map((m) => m.id));
  });
});
