import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { melodi } from '../src/destinations/melodi-destination';
import { mielto } from '../src/destinations/mielto-destination';
import type { ChatTrailError } from '../src/errors';
import { MelodiClient } from '../src/melodi/melodi-client';
import { MieltoClient } from '../src/mielto/mielto-client';
import { undiciTransport } from '../src/node/undici-transport';
import { createChatTrail } from '../src/pipeline/create-chat-trail';
import type { ChatTrailDrop } from '../src/spec/chat-trail';
import { type ScriptedServer, startScriptedServer } from './scripted-http-server';
import { ConversationScript } from './trail-test-kit';

/**
 * A backend that echoes the API key back, in the body and in a header, in every form servers use, must
 * not get it into anything an app logs or reports: not the default warn line, `onError`, `onDrop`,
 * `flush().errors`, `stats()`, nor any rendering of an error (message, stack, `util.inspect` with hidden
 * properties at any depth, `JSON.stringify`). Neither may the password of a base URL's `user:pass@`.
 */

// `+`, `/` and `=` make every encoding of the key differ from the key itself.
const KEY = 'mk_live_ab+cd/ef==';
const PASSWORD = 'pw-s3cret-0123';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** How the key is echoed: as it appears in the body's JSON text, and as a header value. */
const ECHOES = [
  { form: 'verbatim', json: KEY, header: KEY },
  { form: 'JSON-escaped', json: 'mk_live_ab+cd\\/ef==', header: 'mk_live_ab+cd\\/ef==' },
  {
    form: '\\u escapes',
    json: 'mk_live_ab\\u002Bcd\\u002Fef\\u003D\\u003D',
    header: 'mk_live_ab\\u002Bcd\\u002Fef\\u003D\\u003D',
  },
  { form: 'URL-encoded', json: encodeURIComponent(KEY), header: encodeURIComponent(KEY) },
  { form: 'base64 of user:key', json: b64(`user:${KEY}`), header: `Basic ${b64(`user:${KEY}`)}` },
] as const;

/** Whether a text shows the key (or the base URL's password) in any form a reader could take it back from. */
function leaked(text: string): string | undefined {
  const lower = text.toLowerCase();
  const signs = [
    KEY,
    'mk_live_ab+cd\\/ef==',
    'mk_live_ab\\u002bcd',
    encodeURIComponent(KEY).toLowerCase(),
    b64(KEY).slice(0, 20).toLowerCase(),
    // The part of base64("user:" + key) that encodes the key's bytes alone.
    b64(`user:${KEY}`).slice(8, 28).toLowerCase(),
    PASSWORD,
  ];
  return signs.find((sign) => lower.includes(sign.toLowerCase()));
}

/** Every way an app may render an error. */
function renderings(error: unknown): string[] {
  const asError = error as Error;
  return [
    String(error),
    asError.message ?? '',
    asError.stack ?? '',
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    JSON.stringify(error) ?? '',
  ];
}

function expectNoLeak(surface: string, texts: readonly string[]): void {
  for (const text of texts) {
    const sign = leaked(text);
    expect(sign, `${surface} shows ${sign}: ${text.slice(0, 2000)}`).toBeUndefined();
  }
}

const servers: ScriptedServer[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function echoingServer(status: number, body: (echo: string) => string, echo: (typeof ECHOES)[number]) {
  const server = await startScriptedServer(() => ({
    status,
    headers: {
      'content-type': body('').startsWith('{') ? 'application/json' : 'text/plain',
      'x-echo': echo.header,
      'www-authenticate': `Basic realm="${echo.header}"`,
    },
    text: body(echo.json),
  }));
  servers.push(server);
  // With credentials: they must be neither sent nor shown.
  return server.url.replace('http://', `http://user:${PASSWORD}@`);
}

const BODIES = [
  // 401: a permanent failure, reported through onError and onDrop.
  {
    kind: 'JSON 401',
    status: 401,
    body: (echo: string) => `{"detail":"invalid key ${echo}","echo":{"${echo}":["${echo}"]}}`,
  },
  // 503 with a text body: a transient failure, which reaches flush().errors.
  { kind: 'text 503', status: 503, body: (echo: string) => `upstream refused key=${echo}; retry later` },
] as const;

const TRANSPORTS = [
  ['global fetch', {}],
  ['undiciTransport()', { transport: undiciTransport() }],
] as const;

describe.each(TRANSPORTS)('the API key echoed back, through %s', (_transport, sender) => {
  describe.each(BODIES)('in a $kind', ({ status, body }) => {
    it.each(ECHOES)('$form: never leaves the client', async (echo) => {
      const baseUrl = await echoingServer(status, body, echo);
      const errors: unknown[] = [];
      const mieltoClient = new MieltoClient({ apiKey: KEY, baseUrl, ...sender, maxRetries: 0 });
      const melodiClient = new MelodiClient({ apiKey: KEY, projectId: 7, baseUrl, ...sender, maxRetries: 0 });
      await mieltoClient.conversations.list().catch((error: unknown) => errors.push(error));
      await melodiClient.threads
        .upsert({ externalId: 't', messages: [{ externalId: 'm', role: 'user', content: 'hi' }] })
        .catch((error: unknown) => errors.push(error));
      expect(errors).toHaveLength(2);
      for (const error of errors) {
        expectNoLeak('a client error', renderings(error));
        // The echo did arrive, redacted: the test would prove nothing otherwise.
        const { headers } = error as { headers: Headers };
        expect(headers.get('x-echo')).toBe(
          echo.form === 'base64 of user:key' ? 'Basic [redacted]' : '[redacted]',
        );
        expect(inspect(error, { depth: Number.POSITIVE_INFINITY })).toContain('[redacted]');
      }
    });

    it.each(ECHOES)('$form: never leaves a trail', async (echo) => {
      const baseUrl = await echoingServer(status, body, echo);
      const destinations = () => [
        mielto({ apiKey: KEY, baseUrl, ...sender, maxRetries: 0 }),
        melodi({ apiKey: KEY, projectId: 7, baseUrl, ...sender, maxRetries: 0 }),
      ];
      // Backoffs past the flush's deadline: one attempt per destination, then the flush resolves.
      const backoff = { initialMs: 60_000, maxMs: 60_000 };

      const reported: ChatTrailError[] = [];
      const drops: ChatTrailDrop[] = [];
      const trail = createChatTrail({
        destinations: destinations(),
        backoff,
        onError: (error) => reported.push(error),
        onDrop: (drop) => drops.push(drop),
      });
      trail.record(new ConversationScript('thread-echo').turn());
      const report = await trail.flush({ timeoutMs: 20_000 });
      expect(report.ok).toBe(false);
      expect(report.errors?.length ?? 0).toBeGreaterThan(0);
      expectNoLeak('flush().errors', [JSON.stringify(report)]);
      expectNoLeak('stats()', [JSON.stringify(trail.stats())]);
      for (const error of reported) expectNoLeak('onError', renderings(error));
      expectNoLeak('onDrop', [inspect(drops, { depth: Number.POSITIVE_INFINITY, showHidden: true })]);
      if (status === 401) expect(reported.length).toBeGreaterThan(0);
      await trail.shutdown({ timeoutMs: 100 });

      // Without onError: the default warn line.
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const quiet = createChatTrail({ destinations: destinations(), backoff });
      quiet.record(new ConversationScript('thread-echo-2').turn());
      await quiet.flush({ timeoutMs: 20_000 });
      await quiet.shutdown({ timeoutMs: 100 });
      const lines = warn.mock.calls.map((call) => call.map(String).join(' '));
      if (status === 401) expect(lines.length).toBeGreaterThan(0);
      expectNoLeak('the warn line', lines);
    });
  });
});
