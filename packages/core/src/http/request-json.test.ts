import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  inSequence,
  type ScriptedHandler,
  type ScriptedServer,
  startScriptedServer,
} from '../../test/scripted-http-server';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ChatTrailError,
  ConflictError,
  InternalServerError,
  InvalidResponseError,
  NotFoundError,
  PayloadTooLargeError,
  PaymentRequiredError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from '../errors';
import { VERSION } from '../version';
import type { HttpClientOptions, RetryInfo } from './http-options';
import { createHttpTransport, type HttpTransport } from './http-transport';
import { JsonText } from './json-text';
import { type JsonRequest, requestJson } from './request-json';

const API_KEY = 'sk-test-0123456789abcdefSECRET';

let servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function serve(handler: ScriptedHandler): Promise<ScriptedServer> {
  const server = await startScriptedServer(handler);
  servers.push(server);
  return server;
}

function transport(server: { url: string }, options: HttpClientOptions = {}): HttpTransport {
  return createHttpTransport({
    backend: 'Mielto',
    baseUrl: `${server.url}/api/v1/`,
    authHeaders: { Authorization: `Bearer ${API_KEY}` },
    secrets: [API_KEY],
    options,
  });
}

const post: JsonRequest = { method: 'POST', path: '/messages', body: { content: 'hi' } };

async function failure(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    return error as APIError;
  }
  throw new Error('expected the request to fail');
}

describe('requestJson', () => {
  it('sends JSON with the SDK and auth headers and parses the JSON answer', async () => {
    const server = await serve(() => ({ status: 201, json: [{ id: 'm1' }] }));
    const result = await requestJson(transport(server), { ...post, query: { a: 1, b: undefined, c: null } });
    expect(result).toEqual([{ id: 'm1' }]);
    const [request] = server.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/api/v1/messages');
    expect([...request!.query.entries()]).toEqual([['a', '1']]);
    expect(request!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers.accept).toBe('application/json');
    expect(request!.headers['x-chattrail-sdk']).toBe(`core/${VERSION}`);
    expect(request!.json).toEqual({ content: 'hi' });
  });

  it('sends a JsonText body as it is, as JSON', async () => {
    const server = await serve(() => ({ status: 200, json: {} }));
    const text = '{"externalId":"t1","messages":[{"externalId":"m1"}]}';
    await requestJson(transport(server), { method: 'PUT', path: '/threads', body: new JsonText(text) });
    const [request] = server.requests;
    expect(request!.body).toBe(text);
    expect(request!.headers['content-type']).toBe('application/json');
  });

  it('resolves undefined for an empty body', async () => {
    const server = await serve(() => ({ status: 204 }));
    await expect(requestJson(transport(server), post)).resolves.toBeUndefined();
  });

  it('lets default and per-call headers override, with no duplicate names', async () => {
    const server = await serve(() => ({ json: {} }));
    await requestJson(transport(server, { defaultHeaders: { 'X-Extra': 'a' } }), post, {
      headers: { 'x-extra': 'b', 'X-Call': 'c' },
    });
    expect(server.requests[0]!.headers['x-extra']).toBe('b');
    expect(server.requests[0]!.headers['x-call']).toBe('c');
  });

  it('uses an injected fetch', async () => {
    const server = await serve(() => ({ json: { ok: true } }));
    const seen: string[] = [];
    const passthrough: typeof fetch = (input, init) => {
      seen.push(String(input));
      return fetch(input, init);
    };
    await requestJson(transport(server, { fetch: passthrough }), post);
    expect(seen).toEqual([`${server.url}/api/v1/messages`]);
  });

  it('rejects a 2xx answer that is not JSON with InvalidResponseError, without resending it', async () => {
    const server = await serve(() => ({ status: 200, text: '<html>captive portal</html>' }));
    const error = await failure(requestJson(transport(server), post));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.status).toBe(200);
    expect(error.message).toBe('Mielto POST /api/v1/messages returned 200 with a body that is not JSON');
    // The server processed it: a resent POST could apply it twice.
    expect(server.requests).toHaveLength(1);
  });

  it('rejects a 2xx answer that validate finds wrong; a discarded answer is not checked', async () => {
    const server = await serve(() => ({ status: 201, json: { weird: true } }));
    const validate = (body: unknown) => ((body as { id?: unknown }).id === undefined ? 'no id' : undefined);
    const error = await failure(requestJson(transport(server), { ...post, validate }));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toBe('Mielto POST /api/v1/messages returned 201 with no id');
    await expect(
      requestJson(transport(server), { ...post, validate }, { discardResponse: true }),
    ).resolves.toBeUndefined();
    expect(server.requests).toHaveLength(2);
  });

  it('rejects a body that cannot be serialised without sending anything', async () => {
    const server = await serve(() => ({ json: {} }));
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const error = await failure(requestJson(transport(server), { ...post, body: circular }));
    expect(error).toBeInstanceOf(ChatTrailError);
    expect(error).not.toBeInstanceOf(APIError);
    expect(server.requests).toHaveLength(0);
  });

  describe('error classes', () => {
    it.each([
      [400, BadRequestError, { detail: 'bad' }, 'Mielto POST /api/v1/messages failed with 400: bad'],
      [401, AuthenticationError, { detail: 'Invalid API key' }, 'failed with 401: Invalid API key'],
      [403, PermissionDeniedError, { detail: 'Forbidden' }, 'failed with 403: Forbidden'],
      [404, NotFoundError, { detail: 'Conversation not found' }, 'failed with 404: Conversation not found'],
      [409, ConflictError, { message: 'exists' }, 'failed with 409: exists'],
      [
        413,
        PayloadTooLargeError,
        { error: 'Request entity too large' },
        'failed with 413: Request entity too large',
      ],
      [418, APIError, { error: { message: 'teapot' } }, 'failed with 418: teapot'],
    ])('maps %i to %s without retrying', async (status, ErrorClass, body, message) => {
      const server = await serve(() => ({ status, json: body }));
      const error = await failure(requestJson(transport(server), post));
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error.constructor).toBe(ErrorClass);
      expect(error.name).toBe(ErrorClass.name);
      expect(error.status).toBe(status);
      expect(error.message).toContain(message);
      expect(error.message).toMatch(/^Mielto POST \/api\/v1\/messages failed with \d{3}/);
      expect(error.backend).toBe('Mielto');
      expect(error.method).toBe('POST');
      expect(error.path).toBe('/api/v1/messages');
      expect(error.body).toEqual(body);
      expect(server.requests).toHaveLength(1);
    });

    it('carries error_code on 402', async () => {
      const body = { detail: 'Credit limit exceeded', error_code: 'CREDIT_LIMIT_EXCEEDED' };
      const server = await serve(() => ({ status: 402, json: body }));
      const error = await failure(requestJson(transport(server), post));
      expect(error).toBeInstanceOf(PaymentRequiredError);
      expect(error.errorCode).toBe('CREDIT_LIMIT_EXCEEDED');
      expect(error.detail).toBe('Credit limit exceeded');
      expect(error.message).toBe(
        'Mielto POST /api/v1/messages failed with 402 CREDIT_LIMIT_EXCEEDED: Credit limit exceeded',
      );
      expect(server.requests).toHaveLength(1);
    });

    it('parses the FastAPI detail of a 422', async () => {
      const detail = [
        { loc: ['body', 'content'], msg: 'Field required', type: 'missing' },
        { loc: ['body', 'content', 0, 'role'], msg: 'Input should be a valid string', type: 'string_type' },
      ];
      const server = await serve(() => ({ status: 422, json: { detail } }));
      const error = (await failure(requestJson(transport(server), post))) as UnprocessableEntityError;
      expect(error).toBeInstanceOf(UnprocessableEntityError);
      expect(error.detail).toEqual(detail);
      expect(error.message).toBe(
        'Mielto POST /api/v1/messages failed with 422: body.content: Field required; body.content.0.role: Input should be a valid string',
      );
      expect(server.requests).toHaveLength(1);
    });

    it('lists Zod-style issues after the message (Melodi validation errors)', async () => {
      const server = await serve(() => ({
        status: 400,
        json: {
          error: 'Invalid request body',
          issues: [
            { path: 'messages.0.type', message: 'Expected markdown or json' },
            { path: ['externalUser', 'externalId'], message: 'Required' },
            { message: 'Unrecognized key' },
          ],
        },
      }));
      const error = await failure(requestJson(transport(server), post));
      expect(error.message).toBe(
        'Mielto POST /api/v1/messages failed with 400: Invalid request body: messages.0.type: Expected markdown or json; externalUser.externalId: Required; Unrecognized key',
      );
    });

    it('keeps a 422 detail list empty when the body is not FastAPI-shaped', async () => {
      const server = await serve(() => ({ status: 422, text: 'nope' }));
      const error = (await failure(requestJson(transport(server), post))) as UnprocessableEntityError;
      expect(error.detail).toEqual([]);
      expect(error.body).toBe('nope');
      expect(error.message).toBe('Mielto POST /api/v1/messages failed with 422: nope');
    });

    it('exposes the request id and clips long details to one line', async () => {
      const server = await serve(() => ({
        status: 400,
        headers: { 'x-request-id': 'req_123' },
        text: `line one\nline two ${'x'.repeat(2000)}`,
      }));
      const error = await failure(requestJson(transport(server), post));
      expect(error.requestId).toBe('req_123');
      expect(error.message).not.toContain('\n');
      expect(error.message.length).toBeLessThan(600);
    });

    it('retries 5xx and throws InternalServerError when retries run out', async () => {
      const server = await serve(() => ({ status: 503, json: { detail: 'overloaded' } }));
      const retries: RetryInfo[] = [];
      const error = await failure(
        requestJson(transport(server, { maxRetries: 2, onRetry: (info) => retries.push(info) }), post),
      );
      expect(error).toBeInstanceOf(InternalServerError);
      expect(error.message).toBe('Mielto POST /api/v1/messages failed with 503: overloaded');
      expect(server.requests).toHaveLength(3);
      expect(retries.map((info) => info.retry)).toEqual([1, 2]);
      expect(retries[0]!.error).toBeInstanceOf(InternalServerError);
      expect(retries[0]!.delayMs).toBeLessThan(250);
      expect(retries[1]!.delayMs).toBeLessThan(500);
      expect(retries[0]).toMatchObject({ backend: 'Mielto', method: 'POST', path: '/api/v1/messages' });
    });
  });

  describe('retries', () => {
    it('recovers when a 5xx is followed by success', async () => {
      const server = await serve(inSequence({ status: 500 }, { status: 502 }, { status: 201, json: ['ok'] }));
      await expect(requestJson(transport(server), post)).resolves.toEqual(['ok']);
      expect(server.requests).toHaveLength(3);
      expect(server.requests[2]!.json).toEqual({ content: 'hi' });
    });

    it.each([408, 425, 429])('retries %i', async (status) => {
      const server = await serve(inSequence({ status }, { json: 'ok' }));
      await expect(requestJson(transport(server), post)).resolves.toBe('ok');
      expect(server.requests).toHaveLength(2);
    });

    it('honours Retry-After in seconds', async () => {
      const server = await serve(
        inSequence({ status: 429, headers: { 'retry-after': '1' } }, { json: 'ok' }),
      );
      const delays: number[] = [];
      await requestJson(transport(server, { onRetry: (info) => delays.push(info.delayMs) }), post);
      expect(delays).toEqual([1000]);
      const waited = server.requests[1]!.receivedAt - server.requests[0]!.receivedAt;
      expect(waited).toBeGreaterThanOrEqual(950);
    });

    it('honours retry-after-ms and an HTTP date', async () => {
      // The wall clock stands still (timers run as usual): a date two seconds ahead stays two seconds
      // ahead however long a loaded machine takes to answer, where it used to run out before it was read.
      vi.useFakeTimers({ toFake: ['Date'], now: new Date('2030-01-01T00:00:00Z') });
      try {
        const date = new Date(Date.now() + 2000).toUTCString();
        const server = await serve(
          inSequence(
            { status: 503, headers: { 'retry-after-ms': '300' } },
            { status: 429, headers: { 'retry-after': date } },
            { json: 'ok' },
          ),
        );
        const delays: number[] = [];
        await requestJson(transport(server, { onRetry: (info) => delays.push(info.delayMs) }), post);
        expect(delays).toEqual([300, 2000]);
      } finally {
        vi.useRealTimers();
      }
    });

    it('gives up at once when Retry-After is longer than a minute, reporting it', async () => {
      const server = await serve(() => ({ status: 429, headers: { 'retry-after': '3600' } }));
      const started = performance.now();
      const error = await failure(requestJson(transport(server), post));
      // Far below the hour it was asked to wait: it gave up instead of sleeping.
      expect(performance.now() - started).toBeLessThan(30_000);
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error.retryAfterMs).toBe(3_600_000);
      expect(server.requests).toHaveLength(1);
    });

    it('does not retry when maxRetries is 0, per client or per call', async () => {
      const server = await serve(() => ({ status: 503 }));
      await failure(requestJson(transport(server, { maxRetries: 0 }), post));
      expect(server.requests).toHaveLength(1);
      await failure(requestJson(transport(server), post, { maxRetries: 0 }));
      expect(server.requests).toHaveLength(2);
    });

    it('ignores an onRetry callback that throws', async () => {
      const server = await serve(inSequence({ status: 503 }, { json: 'ok' }));
      const onRetry = () => {
        throw new Error('observer bug');
      };
      await expect(requestJson(transport(server, { onRetry }), post)).resolves.toBe('ok');
    });
  });

  describe('connection failures', () => {
    it('times out a server that never answers, then retries', async () => {
      const server = await serve(() => ({ hang: true }));
      const retries: RetryInfo[] = [];
      const started = performance.now();
      const error = await failure(
        requestJson(
          transport(server, { timeoutMs: 200, maxRetries: 1, onRetry: (info) => retries.push(info) }),
          post,
        ),
      );
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(APIConnectionTimeoutError);
      expect(error).toBeInstanceOf(APIConnectionError);
      expect(error.status).toBeUndefined();
      const host = new URL(server.url).host;
      expect(error.message).toBe(
        `Mielto POST /api/v1/messages failed: no response within 200 ms from ${host}`,
      );
      expect(error).toMatchObject({ host, summary: `no response within 200 ms from ${host}` });
      // The retry is counted by the client, not by the server: on a loaded machine 200 ms can run out
      // before the server has read a request, which it then never records.
      expect(retries).toHaveLength(1);
      expect(retries[0]!.error).toBeInstanceOf(APIConnectionTimeoutError);
      expect(server.requests.length).toBeLessThanOrEqual(2);
      expect(elapsed).toBeGreaterThanOrEqual(390);
      // The server never answers: finishing at all proves both attempts timed out.
      expect(elapsed).toBeLessThan(20_000);
    });

    it('times out a server that stalls in the middle of the body', async () => {
      const { createServer } = await import('node:http');
      const stalling = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial":');
      });
      await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = stalling.address() as { port: number };
        const error = await failure(
          requestJson(
            transport({ url: `http://127.0.0.1:${port}` }, { timeoutMs: 200, maxRetries: 0 }),
            post,
          ),
        );
        expect(error).toBeInstanceOf(APIConnectionTimeoutError);
      } finally {
        stalling.closeAllConnections();
        await new Promise((resolve) => stalling.close(resolve));
      }
    });

    it('reports a dropped connection as APIConnectionError and retries it', async () => {
      const server = await serve(inSequence({ drop: true }, { json: 'ok' }));
      await expect(requestJson(transport(server), post)).resolves.toBe('ok');
      expect(server.requests).toHaveLength(2);

      const dropping = await serve(() => ({ drop: true }));
      const error = await failure(requestJson(transport(dropping, { maxRetries: 1 }), post));
      expect(error).toBeInstanceOf(APIConnectionError);
      expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
      const host = new URL(dropping.url).host;
      // undici says UND_ERR_SOCKET ("other side closed"), Node's sockets ECONNRESET.
      expect(error.message).toMatch(
        /^Mielto POST \/api\/v1\/messages failed: connection to 127\.0\.0\.1:\d+ closed before the response \((UND_ERR_SOCKET|ECONNRESET)\)$/,
      );
      expect((error as APIConnectionError).summary).toBe(`connection to ${host} closed before the response`);
      expect(dropping.requests).toHaveLength(2);
    });

    it('with retryAmbiguous: false, throws a connection lost after sending at once, and retries the rest', async () => {
      const options = { maxRetries: 2, retryAmbiguous: false };
      const dropping = await serve(() => ({ drop: true }));
      expect(await failure(requestJson(transport(dropping), post, options))).toBeInstanceOf(
        APIConnectionError,
      );
      expect(dropping.requests).toHaveLength(1);
      const hanging = await serve(() => ({ hang: true }));
      const timedOut = await failure(requestJson(transport(hanging, { timeoutMs: 200 }), post, options));
      expect(timedOut).toBeInstanceOf(APIConnectionTimeoutError);
      expect(hanging.requests).toHaveLength(1);
      // A 503 is an answer: the server says it did not do it.
      const flaky = await serve(inSequence({ status: 503, json: {} }, { json: 'ok' }));
      await expect(requestJson(transport(flaky), post, options)).resolves.toBe('ok');
      // A refused connection never carried the request.
      const refused = await startScriptedServer(() => ({ json: {} }));
      await refused.close();
      const retries: RetryInfo[] = [];
      await failure(
        requestJson(transport(refused, { onRetry: (info) => retries.push(info) }), post, options),
      );
      expect(retries).toHaveLength(2);
    });

    it('reports a refused connection as APIConnectionError', async () => {
      const server = await startScriptedServer(() => ({ json: {} }));
      await server.close();
      const error = await failure(requestJson(transport(server, { maxRetries: 0 }), post));
      expect(error).toBeInstanceOf(APIConnectionError);
      const host = new URL(server.url).host;
      expect(error.message).toBe(
        `Mielto POST /api/v1/messages failed: connection refused ${host} (ECONNREFUSED)`,
      );
      expect(error).toMatchObject({ code: 'ECONNREFUSED', host, summary: `connection refused ${host}` });
      expect(error.cause).toBeDefined();
    });

    it('names a host that does not resolve', async () => {
      // `.invalid` never resolves (RFC 6761): this fails the same way with or without a network.
      const error = await failure(
        requestJson(transport({ url: 'http://api.chattrail.invalid' }, { maxRetries: 0 }), post),
      );
      expect(error).toBeInstanceOf(APIConnectionError);
      expect((error as APIConnectionError).code).toMatch(/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)$/);
      expect((error as APIConnectionError).summary).toBe('cannot resolve host api.chattrail.invalid');
      expect(error.message).toMatch(
        /^Mielto POST \/api\/v1\/messages failed: cannot resolve host api\.chattrail\.invalid \(E[A-Z_]+\)$/,
      );
    });
  });

  describe('caller abort', () => {
    it('aborts an in-flight request with APIUserAbortError and does not retry', async () => {
      const server = await serve(() => ({ hang: true }));
      const controller = new AbortController();
      const pending = failure(requestJson(transport(server), post, { signal: controller.signal }));
      // Abort once the request is in flight (a fixed delay can fire before it arrives on a loaded machine).
      await vi.waitFor(() => expect(server.requests).toHaveLength(1), { timeout: 10_000, interval: 10 });
      const started = performance.now();
      controller.abort();
      const error = await pending;
      expect(error).toBeInstanceOf(APIUserAbortError);
      expect(error.message).toBe('Mielto POST /api/v1/messages was aborted by the caller');
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(server.requests).toHaveLength(1);
    });

    it('aborts during the backoff wait', async () => {
      const server = await serve(() => ({ status: 429, headers: { 'retry-after': '30' } }));
      const controller = new AbortController();
      let onRetry!: () => void;
      const retrying = new Promise<void>((resolve) => {
        onRetry = resolve;
      });
      const started = performance.now();
      const pending = failure(
        requestJson(transport(server, { onRetry }), post, {
          signal: controller.signal,
        }),
      );
      // Abort once the client has read the 429 and starts waiting out Retry-After: 30 (onRetry is called
      // just before the wait; a fixed delay after the server saw the request may come before that).
      await retrying;
      controller.abort();
      const error = await pending;
      expect(error).toBeInstanceOf(APIUserAbortError);
      // Well under the 30 s it was told to wait: the abort ended the wait.
      expect(performance.now() - started).toBeLessThan(25_000);
      expect(server.requests).toHaveLength(1);
    });

    it('does not send at all when the signal is already aborted', async () => {
      const server = await serve(() => ({ json: {} }));
      const error = await failure(requestJson(transport(server), post, { signal: AbortSignal.abort() }));
      expect(error).toBeInstanceOf(APIUserAbortError);
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('secrets', () => {
    it('never lets the API key or Authorization header into an error', async () => {
      // A hostile or buggy server that echoes every credential it was sent.
      const server = await serve((request) => ({
        status: 401,
        headers: { 'x-echo': 'nothing' },
        json: {
          detail: `Invalid API key ${API_KEY} (header: ${request.headers.authorization})`,
          echo: { nested: [request.headers.authorization] },
        },
      }));
      const error = await failure(requestJson(transport(server), post));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error.message).toBe(
        'Mielto POST /api/v1/messages failed with 401: Invalid API key [redacted] (header: Bearer [redacted])',
      );
      for (const rendering of [
        error.message,
        String(error),
        error.stack ?? '',
        JSON.stringify(error),
        JSON.stringify(error.body),
        inspect(error, { depth: 10 }),
      ]) {
        expect(rendering).not.toContain(API_KEY);
        expect(rendering).not.toContain(API_KEY.slice(0, 16));
      }
    });

    it('never puts the key into connection or timeout errors', async () => {
      const hanging = await serve(() => ({ hang: true }));
      const timeout = await failure(requestJson(transport(hanging, { timeoutMs: 50, maxRetries: 0 }), post));
      const closed = await startScriptedServer(() => ({ json: {} }));
      await closed.close();
      const refused = await failure(requestJson(transport(closed, { maxRetries: 0 }), post));
      for (const error of [timeout, refused]) {
        expect(inspect(error, { depth: 10 })).not.toContain(API_KEY);
        expect(error.message).not.toContain('Bearer');
      }
    });

    it('redacts the key from a connection error and its whole cause chain', async () => {
      // undici refuses a header value with a line break and quotes the value, key and all, in its error.
      const key = 'sk-line\nbreak-0123456789';
      const server = await serve(() => ({ json: {} }));
      const error = await failure(
        requestJson(
          createHttpTransport({
            backend: 'Mielto',
            baseUrl: server.url,
            authHeaders: { authorization: `Bearer ${key}` },
            secrets: [key],
            options: { maxRetries: 0 },
          }),
          post,
        ),
      );
      expect(error).toBeInstanceOf(APIConnectionError);
      expect(inspect(error.cause, { depth: Infinity, showHidden: true })).toContain('[redacted]');
      for (const rendering of [
        error.message,
        error.stack ?? '',
        JSON.stringify(error),
        inspect(error, { depth: Infinity, showHidden: true }),
      ]) {
        expect(rendering).not.toContain(key);
        expect(rendering).not.toContain('0123456789');
      }
    });
  });
});

describe('createHttpTransport', () => {
  const base = { backend: 'Melodi', authHeaders: {}, secrets: [], options: {} };

  it('rejects malformed base URLs and options when the client is built', () => {
    expect(() => createHttpTransport({ ...base, baseUrl: 'not a url' })).toThrow(ChatTrailError);
    expect(() => createHttpTransport({ ...base, baseUrl: 'ftp://x.test' })).toThrow(/absolute http\(s\) URL/);
    expect(() =>
      createHttpTransport({ ...base, baseUrl: 'https://x.test', options: { timeoutMs: 0 } }),
    ).toThrow(/timeoutMs/);
    expect(() =>
      createHttpTransport({ ...base, baseUrl: 'https://x.test', options: { maxRetries: -1 } }),
    ).toThrow(/maxRetries/);
    expect(() =>
      createHttpTransport({ ...base, baseUrl: 'https://x.test', options: { maxRetries: 1.5 } }),
    ).toThrow(/maxRetries/);
  });

  it('never sends nor shows credentials given in the base URL', async () => {
    const server = await serve((request) => ({
      status: 500,
      json: { detail: `you sent ${request.headers.authorization ?? 'no authorization'} to ${request.path}` },
    }));
    const withUserinfo = server.url.replace('http://', 'http://admin:pa%24%24word-0123@');
    const created = createHttpTransport({ ...base, baseUrl: `${withUserinfo}/api` });
    expect(created.baseUrl).toBe(`${server.url}/api`);
    const error = await failure(requestJson(created, { method: 'GET', path: '/x' }, { maxRetries: 0 }));
    expect(error.message).toBe('Melodi GET /api/x failed with 500: you sent no authorization to /api/x');

    // Echoed back (decoded or not, or as the Basic credentials of user:password), it is redacted.
    const echoing = await serve(() => ({
      status: 500,
      json: { detail: `pa$$word-0123 pa%24%24word-0123 ${btoa('admin:pa$$word-0123')}` },
    }));
    const echoed = await failure(
      requestJson(
        createHttpTransport({ ...base, baseUrl: echoing.url.replace('//', '//admin:pa%24%24word-0123@') }),
        { method: 'GET', path: '/x' },
        { maxRetries: 0 },
      ),
    );
    expect(echoed.message).not.toMatch(/word-0123|cGEkJHdvcmQtMDEy/);

    const malformed = () => createHttpTransport({ ...base, baseUrl: 'ftp://admin:pa55word-0123@x.test' });
    expect(malformed).toThrow('got "ftp://x.test"');
  });

  it('applies the defaults in one place', () => {
    const created = createHttpTransport({ ...base, baseUrl: 'https://x.test/api///' });
    expect(created.baseUrl).toBe('https://x.test/api');
    expect(created.timeoutMs).toBe(10_000);
    expect(created.maxRetries).toBe(2);
  });
});
