import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../src/index.js';

interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
}

/** A real HTTP request over loopback with headers fetch will not let us set (Host). */
function send(
  server: DevServer,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, method, path, headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const storedConversations = async (server: DevServer) =>
  JSON.parse((await send(server, 'GET', '/_devserver/mielto/conversations')).text) as unknown[];

const createConversation = (server: DevServer) =>
  send(
    server,
    'POST',
    '/api/v1/conversations',
    { authorization: 'Bearer k', 'content-type': 'application/json' },
    JSON.stringify({ title: 'kept' }),
  );

describe('devserver Host check (DNS rebinding)', () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer({ port: 0, host: '127.0.0.1', allowedHosts: ['dev.example'] });
  });
  beforeEach(() => server.reset());
  afterAll(() => server.close());

  it('answers 403 with a clear message to a foreign Host on the read-back API, the viewer and the backends', async () => {
    await createConversation(server);
    for (const host of [
      'evil.example',
      `evil.example:${server.port}`,
      `localhost.evil.example:${server.port}`,
    ]) {
      const threads = await send(server, 'GET', '/_devserver/threads', { host });
      expect(threads.status).toBe(403);
      expect(threads.text).toContain('is not allowed');
      expect(threads.text).toContain('DNS rebinding');
      expect(threads.text).not.toContain('kept'); // no data leaks with the refusal
      expect((await send(server, 'GET', '/', { host })).status).toBe(403);
      const api = await send(server, 'GET', '/api/v1/conversations', { host, authorization: 'Bearer k' });
      expect(api.status).toBe(403);
      expect(JSON.parse(api.text).detail).toContain('not allowed'); // Mielto's error shape
    }
    expect(server.stats().refused.host).toBe(9);
  });

  it('answers loopback names and addresses with any port, and allowedHosts', async () => {
    for (const host of [
      `localhost:${server.port}`,
      'localhost',
      `app.localhost:${server.port}`,
      `127.0.0.1:${server.port}`,
      `127.0.0.2:${server.port}`,
      `[::1]:${server.port}`,
      `dev.example:${server.port}`,
    ]) {
      expect((await send(server, 'GET', '/_devserver/threads', { host })).status, host).toBe(200);
    }
    expect(server.stats().refused.host).toBe(0);
  });
});

describe('devserver admin routes against cross-site requests', () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer({ port: 0, host: '127.0.0.1' });
  });
  beforeEach(() => server.reset());
  afterAll(() => server.close());

  it('refuses POST /_devserver/reset without a JSON content type or the admin header, and keeps the data', async () => {
    await createConversation(server);
    const simple: Record<string, string>[] = [
      { 'content-type': 'text/plain' }, // what a cross-site fetch(no-cors) or text/plain form sends
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'multipart/form-data; boundary=x' },
      { 'content-type': 'text/plain; application/json' },
      {}, // no body, no type
    ];
    for (const headers of simple) {
      const res = await send(
        server,
        'POST',
        '/_devserver/reset',
        { origin: 'https://evil.example', ...headers },
        '',
      );
      expect(res.status, JSON.stringify(headers)).toBe(415);
      expect(JSON.parse(res.text).error).toContain('content-type: application/json');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(await storedConversations(server)).toHaveLength(1);
    expect(server.stats().refused.admin).toBe(simple.length);
  });

  it('refuses fault changes the same way', async () => {
    server.setFaults([{ route: 'melodi', status: 500 }]);
    const body = JSON.stringify([{ route: '*', hang: true }]);
    expect(
      (await send(server, 'PUT', '/_devserver/faults', { 'content-type': 'text/plain' }, body)).status,
    ).toBe(415);
    expect(
      (await send(server, 'POST', '/_devserver/faults', { 'content-type': 'text/plain' }, body)).status,
    ).toBe(415);
    expect((await send(server, 'DELETE', '/_devserver/faults')).status).toBe(415);
    expect(JSON.parse((await send(server, 'GET', '/_devserver/faults')).text)).toEqual([
      expect.objectContaining({ route: 'melodi', status: 500 }),
    ]);
  });

  it('resets with a JSON content type or with the admin header', async () => {
    await createConversation(server);
    const json = await send(
      server,
      'POST',
      '/_devserver/reset',
      { 'content-type': 'application/json' },
      '{}',
    );
    expect(json.status).toBe(200);
    expect(await storedConversations(server)).toHaveLength(0);
    await createConversation(server);
    expect((await send(server, 'POST', '/_devserver/reset', { 'x-chattrail-devserver': '1' })).status).toBe(
      200,
    );
    expect(await storedConversations(server)).toHaveLength(0);
    expect(
      (await send(server, 'DELETE', '/_devserver/faults', { 'x-chattrail-devserver': '1' })).status,
    ).toBe(200);
  });

  it('grants no CORS: a preflight and cross-origin reads get no Access-Control-Allow-* header', async () => {
    const preflight = await send(server, 'OPTIONS', '/_devserver/reset', {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    const read = await send(server, 'GET', '/_devserver/threads', { origin: 'https://evil.example' });
    expect(read.status).toBe(200);
    for (const res of [preflight, read]) {
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });
});

describe('devserver cap on request-body bytes in flight', () => {
  const MiB = 1024 * 1024;
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer({ port: 0, host: '127.0.0.1', maxInFlightBodyBytes: 8 * MiB });
  });
  beforeEach(() => server.reset());
  afterAll(() => server.close());

  /** A conversation-create body of exactly `bytes` bytes, split in a head and a tail to send apart. */
  const bodyOf = (bytes: number) => {
    const head = '{"title":"big","meta_data":{"pad":"';
    const tail = '"}}';
    const whole = head + 'x'.repeat(bytes - head.length - tail.length) + tail;
    return { head: whole.slice(0, whole.length - tail.length), tail, whole };
  };

  /** Starts a POST that has sent its headers (and `first`, if any) and waits for the rest. */
  const open = (headers: Record<string, string>, first?: string) => {
    let req!: ClientRequest;
    const response = new Promise<RawResponse>((resolve) => {
      req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          method: 'POST',
          path: '/api/v1/conversations',
          agent: false,
          headers: { authorization: 'Bearer k', 'content-type': 'application/json', ...headers },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        },
      );
      // A refused upload's socket is closed under our remaining writes; the answer came before.
      req.on('error', () => resolve({ status: -1, headers: {}, text: '' }));
    });
    req.flushHeaders();
    if (first !== undefined) req.write(first);
    return { req, response };
  };

  it('reserves declared bodies up front: 5 × 3 MiB under an 8 MiB cap lets 2 in and 503s 3 with Retry-After', async () => {
    const body = bodyOf(3 * MiB);
    const uploads = Array.from({ length: 5 }, () =>
      open({ 'content-length': String(Buffer.byteLength(body.whole)) }),
    );
    // Nothing has been sent past the headers, so the 2 that got in hold 6 MiB until we send their bodies:
    // exactly 3 answers arrive now, whatever order the server saw the requests in.
    const settled = new Map<number, RawResponse>();
    await new Promise<void>((resolve) => {
      for (const [i, u] of uploads.entries()) {
        u.response.then((r) => {
          settled.set(i, r);
          if (settled.size === 3) resolve();
        });
      }
    });
    for (const r of settled.values()) {
      expect(r.status).toBe(503);
      expect(r.headers['retry-after']).toBe('1');
      expect(JSON.parse(r.text).detail).toContain('Server busy');
    }
    expect(server.stats().bodies).toMatchObject({ inFlightBytes: 6 * MiB, maxInFlightBytes: 8 * MiB });
    const admitted = uploads.filter((_, i) => !settled.has(i));
    for (const u of admitted) u.req.end(body.whole);
    expect((await Promise.all(admitted.map((u) => u.response))).map((r) => r.status)).toEqual([201, 201]);
    expect(server.stats().bodies).toEqual({
      inFlightBytes: 0,
      peakInFlightBytes: 6 * MiB,
      maxInFlightBytes: 8 * MiB,
      refused: 3,
    });
    // Room again once they are done.
    expect((await createConversation(server)).status).toBe(201);
  });

  it('counts chunked bodies as they arrive and never holds more than the cap', async () => {
    const body = bodyOf(3 * MiB);
    // 4 × 3 MiB = 12 MiB sent before any body ends: at least one cannot fit under 8 MiB.
    const uploads = Array.from({ length: 4 }, () => open({ 'transfer-encoding': 'chunked' }, body.head));
    const firstAnswer = await Promise.race(uploads.map((u) => u.response));
    expect(firstAnswer.status).toBe(503);
    for (const u of uploads) u.req.end(body.tail);
    const statuses = (await Promise.all(uploads.map((u) => u.response))).map((r) => r.status);
    // A refused upload is answered 503, or its socket is gone by the time the answer could be read.
    expect(statuses.filter((s) => s === 503 || s === -1).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 503 || s === -1)).toBe(true);
    const { bodies } = server.stats();
    expect(bodies.refused).toBeGreaterThanOrEqual(1);
    expect(bodies.peakInFlightBytes).toBeLessThanOrEqual(8 * MiB);
    expect(bodies.inFlightBytes).toBe(0);
    expect(await storedConversations(server)).toHaveLength(statuses.filter((s) => s === 201).length);
  });

  it('answers 413 to a body that could never fit under the cap, however idle the server', async () => {
    const small = await startDevServer({ port: 0, host: '127.0.0.1', maxInFlightBodyBytes: 1 * MiB });
    try {
      const res = await send(
        small,
        'POST',
        '/api/v1/conversations',
        { authorization: 'Bearer k', 'content-type': 'application/json' },
        bodyOf(2 * MiB).whole,
      );
      expect(res.status).toBe(413);
      expect(small.stats().bodies.inFlightBytes).toBe(0);
    } finally {
      await small.close();
    }
  });
});
