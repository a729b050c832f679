import { afterEach, describe, expect, it } from 'vitest';
import { inSequence, type ScriptedServer, startScriptedServer } from '../../test/scripted-http-server';
import { ConversationScript, MELODI_KEY, MIELTO_KEY, PROJECT_ID } from '../../test/trail-test-kit';
import { melodi } from '../destinations/melodi-destination';
import { APIConnectionError, ChatTrailError, RateLimitError } from '../errors';
import { MelodiClient } from '../melodi/melodi-client';
import { MieltoClient } from '../mielto/mielto-client';
import { createChatTrail } from '../pipeline/create-chat-trail';
import { headersOf, type Transport, type TransportRequest } from './transport';

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
async function server(...replies: Parameters<typeof inSequence>) {
  const started = await startScriptedServer(inSequence(...replies));
  servers.push(started);
  return started;
}

/** A user's transport, over the real global fetch: what it is given, and plain-object headers back. */
function recordingTransport(): { transport: Transport; seen: TransportRequest[] } {
  const seen: TransportRequest[] = [];
  const transport: Transport = async (request) => {
    seen.push(request);
    const { url, method, headers, body, signal } = request;
    const response = await fetch(url, { method, headers, body, signal });
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: await response.text(),
    };
  };
  return { transport, seen };
}

describe('the transport option', () => {
  it('gets method, URL, lower-cased headers, a string body and a signal; its answers drive the client', async () => {
    const backend = await server(
      { status: 429, headers: { 'retry-after': '0' }, json: { detail: 'slow down' } },
      { status: 201, json: { id: 'conv_1' } },
    );
    const { transport, seen } = recordingTransport();
    const client = new MieltoClient({
      apiKey: MIELTO_KEY,
      baseUrl: `${backend.url}/api/v1`,
      transport,
      defaultHeaders: { 'X-Extra': 'yes' },
    });
    expect(await client.conversations.create({ title: 'é' })).toMatchObject({ id: 'conv_1' });
    expect(seen).toHaveLength(2); // the 429 was retried on its Retry-After
    const [first] = seen;
    expect(first).toMatchObject({
      method: 'POST',
      url: `${backend.url}/api/v1/conversations`,
      body: JSON.stringify({ title: 'é' }),
      discardBody: false,
    });
    expect(first!.headers).toMatchObject({ 'content-type': 'application/json', 'x-extra': 'yes' });
    expect(first!.headers.authorization).toBe(`Bearer ${MIELTO_KEY}`);
    expect(first!.signal).toBeInstanceOf(AbortSignal);

    const limited = new MelodiClient({
      apiKey: MELODI_KEY,
      projectId: PROJECT_ID,
      baseUrl: (await server({ status: 429, headers: { 'retry-after': '120' }, json: {} })).url,
      transport,
    });
    const error = await limited.threads.upsert({ externalId: 't', messages: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(120_000); // read from plain-object headers
  });

  it('a transport that rejects or answers nonsense fails the attempt as a connection error', async () => {
    const rejecting: Transport = () =>
      Promise.reject(Object.assign(new Error('boom'), { code: 'ECONNRESET' }));
    const nonsense = (() => Promise.resolve({ status: 'ok' })) as unknown as Transport;
    for (const transport of [rejecting, nonsense]) {
      const client = new MieltoClient({
        apiKey: MIELTO_KEY,
        baseUrl: 'http://127.0.0.1:9',
        transport,
        maxRetries: 0,
      });
      await expect(client.conversations.list()).rejects.toBeInstanceOf(APIConnectionError);
    }
  });

  it('is refused beside fetch, and is what destinations built from the environment use', async () => {
    const { transport, seen } = recordingTransport();
    expect(() => new MieltoClient({ apiKey: MIELTO_KEY, fetch, transport })).toThrow(
      /pass fetch or transport, not both/,
    );
    expect(() => melodi({ apiKey: MELODI_KEY, projectId: 1, fetch, transport })).toThrow(ChatTrailError);
    expect(() => createChatTrail({ fetch, transport })).toThrow(/pass fetch or transport, not both/);

    const backend = await server({ json: { id: 1, externalId: 't' } });
    const trail = createChatTrail({
      env: { MELODI_API_KEY: MELODI_KEY, MELODI_PROJECT_ID: '7', MELODI_BASE_URL: backend.url },
      transport,
    });
    trail.record(new ConversationScript('t', { id: 'u1' }).turn());
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
    expect(seen.map((request) => [request.method, request.discardBody])).toEqual([['PUT', true]]);
  });

  it('headersOf takes a Headers as it is and builds one from a plain object', () => {
    const headers = new Headers({ a: '1' });
    expect(headersOf(headers)).toBe(headers);
    const built = headersOf({
      'retry-after': '7',
      'set-cookie': ['a=1', 'b=2'],
      gone: undefined,
      'bad\n': 'x',
    });
    expect([...built]).toEqual([
      ['retry-after', '7'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
  });
});
