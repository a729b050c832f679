import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
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
import { isAmbiguousError } from '../http/is-ambiguous-error';
import type { TransportRequest } from '../http/transport';
import { MelodiClient } from '../melodi/melodi-client';
import { MieltoClient } from '../mielto/mielto-client';
import { createChatTrail } from '../pipeline/create-chat-trail';
import { type UndiciTransport, undiciTransport, usesEnvProxy } from './undici-transport';

closeServersAfterEach();

const transports: UndiciTransport[] = [];
/** A transport closed after the test. */
function transportFor(options?: Parameters<typeof undiciTransport>[0]): UndiciTransport {
  const transport = undiciTransport(options);
  transports.push(transport);
  return transport;
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A node:http server on 127.0.0.1:0, closed after the test, counting the connections it accepted. */
async function httpServer(handler: Parameters<typeof createHttpServer>[1]) {
  const server = createHttpServer(handler);
  const accepted = { count: 0 };
  server.on('connection', () => accepted.count++);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, accepted };
}
const servers: Server[] = [];
afterEach(async () => {
  // Transports first: a proxy's tunnels stay open until the client ends them.
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

const request = (url: string, over: Partial<TransportRequest> = {}): TransportRequest => ({
  method: 'PUT',
  url,
  headers: { 'content-type': 'application/json' },
  body: '{"a":"é"}',
  signal: new AbortController().signal,
  discardBody: false,
  ...over,
});

describe('undiciTransport', () => {
  it('answers any status with its headers and whole body; discarded 2xx bodies drained on kept-alive connections', async () => {
    const big = JSON.stringify({ detail: 'x'.repeat(1 << 20) });
    const server = await httpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(req.url === '/missing' ? 404 : 200, {
          'content-type': 'application/json',
          'retry-after': '7',
        });
        res.end(big);
      });
    });
    const send = transportFor();
    for (let i = 0; i < 10; i++) {
      const response = await send(request(`${server.url}/thread`, { discardBody: true }));
      expect([response.status, response.body]).toEqual([200, '']);
    }
    // Each discarded body was read to the end, so the sockets were reused. undici frees a connection a
    // tick after its response ends: a request sent at once may open a second one, never more.
    expect(server.accepted.count).toBeLessThanOrEqual(2);
    expect((await send(request(`${server.url}/thread`))).body).toBe(big);
    const missing = await send(request(`${server.url}/missing`, { discardBody: true })); // error bodies are kept
    expect([missing.status, missing.body.length]).toEqual([404, big.length]);
    expect(missing.headers).toMatchObject({ 'retry-after': '7' });
    expect(server.accepted.count).toBeLessThanOrEqual(2);
  });

  it('reads chunked bodies, a character split across chunks included, and sends UTF-8 bodies whole', async () => {
    const server = await httpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const echoed = Buffer.from(`{"echo":${Buffer.concat(chunks).toString()}}`);
        res.writeHead(200, { 'content-type': 'application/json' }); // no length: chunked
        const split = echoed.indexOf(0xc3) + 1; // inside the two bytes of "é"
        res.write(echoed.subarray(0, split));
        setImmediate(() => res.end(echoed.subarray(split)));
      });
    });
    const response = await transportFor()(request(server.url));
    expect(response.headers).toMatchObject({ 'transfer-encoding': 'chunked' });
    expect(JSON.parse(response.body)).toEqual({ echo: { a: 'é' } });
  });

  it('keeps at most `connections` open per origin; further requests wait for one', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const held: (() => void)[] = [];
    const server = await httpServer((req, res) => {
      req.resume();
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      held.push(() => {
        inFlight--;
        res.end('{}');
      });
      // Answered two at a time: with a bound of 2, the next pair can only come on the same sockets.
      if (held.length === 2) for (const answer of held.splice(0)) answer();
    });
    const send = transportFor({ connections: 2 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => send(request(server.url))));
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    expect(server.accepted.count).toBe(2);
    expect(maxInFlight).toBe(2);
  });

  it('serves every client method, error class and Retry-After', async () => {
    const server = await devServer();
    const transport = transportFor();
    const retries: RetryInfo[] = [];
    const mieltoClient = new MieltoClient({
      apiKey: MIELTO_KEY,
      baseUrl: server.mieltoBaseUrl,
      transport,
      onRetry: (info) => retries.push(info),
    });
    const conversation = await mieltoClient.conversations.create({ user_id: 'u1', title: 'héllo — ünïcode' });
    expect(conversation.title).toBe('héllo — ünïcode');
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
      transport,
    });
    const thread = await melodiClient.threads.upsert({
      externalId: 't1',
      messages: [{ externalId: 'm1', role: 'user', content: 'Hi' }],
    });
    expect(thread.externalId).toBe('t1');
  });

  it('times out, aborts and fails to connect as the global fetch does, ambiguous or not as today', async () => {
    const server = await devServer();
    server.setFaults([{ route: '*', hang: true }]);
    const transport = transportFor();
    const client = new MieltoClient({
      apiKey: MIELTO_KEY,
      baseUrl: server.mieltoBaseUrl,
      transport,
      maxRetries: 0,
    });
    const timedOut = await client.conversations
      .create({ title: 'x' }, { timeoutMs: 300 })
      .catch((error: unknown) => error);
    expect(timedOut).toBeInstanceOf(APIConnectionTimeoutError);
    expect(isAmbiguousError(timedOut)).toBe(true);
    const controller = new AbortController();
    const aborted = client.conversations.create({ title: 'x' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(aborted).rejects.toBeInstanceOf(APIUserAbortError);

    const nowhere = new MieltoClient({
      apiKey: MIELTO_KEY,
      baseUrl: `http://127.0.0.1:${await closedPort()}/api/v1`,
      transport,
      maxRetries: 0,
    });
    const refused = await nowhere.conversations.create({ title: 'x' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(APIConnectionError);
    expect((refused as Error).message).toContain('ECONNREFUSED');
    expect((refused as Error).message).not.toContain(MIELTO_KEY);
    expect(isAmbiguousError(refused)).toBe(false); // never sent
  });

  it('classifies a connection reset after the request as an ambiguous connection error', async () => {
    let received = 0;
    const server = await httpServer((req) => {
      received++;
      req.socket.destroy(); // the request arrived; the answer never comes
    });
    const client = new MieltoClient({
      apiKey: MIELTO_KEY,
      baseUrl: `${server.url}/api/v1`,
      transport: transportFor(),
      maxRetries: 0,
    });
    const reset = await client.conversations.create({ title: 'x' }).catch((error: unknown) => error);
    expect(reset).toBeInstanceOf(APIConnectionError);
    expect((reset as APIConnectionError).message).toMatch(/closed before the response/);
    expect(isAmbiguousError(reset)).toBe(true);
    expect(received).toBe(1);
    // With retryAmbiguous: false it is not sent again, whatever maxRetries says.
    const once = await client.conversations
      .create({ title: 'x' }, { maxRetries: 2, retryAmbiguous: false })
      .catch((error: unknown) => error);
    expect(once).toBeInstanceOf(APIConnectionError);
    expect(received).toBe(2);
  });

  it('speaks TLS, verifying the certificate against the trusted CAs; a refused one is never sent', async () => {
    const cert = readFileSync(new URL('../../test/fixtures/localhost-cert.pem', import.meta.url), 'utf8');
    const key = readFileSync(new URL('../../test/fixtures/localhost-key.pem', import.meta.url), 'utf8');
    const https = createHttpsServer({ cert, key }, (req, res) => {
      req.resume();
      res.end('{"id":"conv_tls"}');
    });
    servers.push(https);
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const baseUrl = `https://127.0.0.1:${(https.address() as { port: number }).port}`;
    const client = new MieltoClient({
      apiKey: MIELTO_KEY,
      baseUrl,
      transport: transportFor(),
      maxRetries: 0,
    });
    // Not trusted yet: the handshake fails rather than talking to an unverified server.
    const untrusted = await client.conversations.list().catch((error: unknown) => error);
    expect(untrusted).toBeInstanceOf(APIConnectionError);
    expect((untrusted as APIConnectionError).code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/);
    expect(isAmbiguousError(untrusted)).toBe(false);

    const defaults = tls.getCACertificates('default');
    tls.setDefaultCACertificates([...defaults, cert]);
    try {
      const trusted = new MieltoClient({ apiKey: MIELTO_KEY, baseUrl, transport: transportFor() });
      expect(await trusted.conversations.create({ title: 'x' })).toMatchObject({ id: 'conv_tls' });
    } finally {
      tls.setDefaultCACertificates(defaults);
    }
  });

  it("goes through a proxy when told to (proxyEnv), with undici's EnvHttpProxyAgent", async () => {
    const proxied: string[] = [];
    // A proxy as undici uses one, for http:// targets too: a CONNECT tunnel per connection.
    const proxy = await httpServer((_req, res) => res.writeHead(405).end());
    servers.at(-1)!.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
      proxied.push(`${req.method} ${req.url}`);
      const [host, port] = req.url!.split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    const server = await devServer();
    const viaProxy = transportFor({ proxyEnv: { HTTP_PROXY: proxy.url, NO_PROXY: '' } });
    const client = new MieltoClient({
      apiKey: MIELTO_KEY,
      baseUrl: server.mieltoBaseUrl,
      transport: viaProxy,
    });
    const created = await client.conversations.create({ title: 'through the proxy', user_id: 'u1' });
    expect(created.title).toBe('through the proxy');
    await client.conversations.list();
    // Tunnels kept alive for the next request (a second one may open as the first is freed: see above).
    expect(new Set(proxied)).toEqual(new Set([`CONNECT ${new URL(server.mieltoBaseUrl).host}`]));
    const tunnels = proxied.length;

    const bypassed = transportFor({ proxyEnv: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    const direct = transportFor({ proxyEnv: null });
    for (const transport of [bypassed, direct]) {
      await new MieltoClient({
        apiKey: MIELTO_KEY,
        baseUrl: server.mieltoBaseUrl,
        transport,
      }).conversations.list();
    }
    expect(proxied).toHaveLength(tunnels);
  });

  it('follows NODE_USE_ENV_PROXY / --use-env-proxy for its default', () => {
    expect(usesEnvProxy({}, [])).toBe(false);
    expect(usesEnvProxy({ NODE_USE_ENV_PROXY: '1' }, [])).toBe(true);
    expect(usesEnvProxy({ NODE_USE_ENV_PROXY: '0' }, [])).toBe(false);
    expect(usesEnvProxy({}, ['--use-env-proxy'])).toBe(true);
    expect(usesEnvProxy({ NODE_OPTIONS: '--max-old-space-size=512 --use-env-proxy' }, [])).toBe(true);
  });

  it('refuses malformed options when it is made', () => {
    expect(() => undiciTransport({ connections: 0 })).toThrow(/connections must be a positive integer/);
    expect(() => undiciTransport({ idleTimeoutMs: -1 })).toThrow(/idleTimeoutMs must be a positive/);
  });

  it('delivers a trail through both destinations', async () => {
    const server = await devServer();
    const transport = transportFor();
    const trail = createChatTrail({
      destinations: [
        mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, transport }),
        melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl, transport }),
      ],
    });
    const script = new ConversationScript('thread-undici', { id: 'u1' });
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
