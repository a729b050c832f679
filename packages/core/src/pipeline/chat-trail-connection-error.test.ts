import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ScriptedServer, startScriptedServer } from '../../test/scripted-http-server';
import { ConversationScript, MELODI_KEY, MIELTO_KEY, PROJECT_ID } from '../../test/trail-test-kit';
import { melodi } from '../destinations/melodi-destination';
import { mielto } from '../destinations/mielto-destination';
import { APIConnectionError, ChatTrailConnectionError, type ChatTrailError } from '../errors';
import { undiciTransport } from '../node/undici-transport';
import type { ChatTrailOptions } from './chat-trail-options';
import { createChatTrail } from './create-chat-trail';

/**
 * Network failures (no response at all) reach `onError` once per destination and cause, as soon as the
 * first attempt fails, with a message that says what happened, and every flush that sees them lists them.
 */

const servers: ScriptedServer[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A loopback port nothing listens on: bound by a server, which is then closed. */
async function refusedBaseUrl(): Promise<string> {
  const server = await startScriptedServer(() => ({ json: {} }));
  await server.close();
  return server.url;
}

/** A server that takes every request and never answers. */
async function hangingBaseUrl(): Promise<string> {
  const server = await startScriptedServer(() => ({ hang: true }));
  servers.push(server);
  return server.url;
}

const transports = [
  ['global fetch', {}],
  ['undiciTransport()', { transport: undiciTransport() }],
] as const;

function trailAt(baseUrl: string, sender: (typeof transports)[number][1], options: ChatTrailOptions = {}) {
  const errors: ChatTrailError[] = [];
  const trail = createChatTrail({
    destinations: [
      mielto({ apiKey: MIELTO_KEY, baseUrl, ...sender }),
      melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl, ...sender }),
    ],
    onError: (error) => errors.push(error),
    ...options,
  });
  return { trail, errors };
}

/** Each destination's reports, by name: exactly one each is what "once per destination and cause" means. */
function byDestination(errors: readonly ChatTrailError[]): Record<string, string[]> {
  const grouped: Record<string, string[]> = {};
  for (const error of errors) {
    expect(error).toBeInstanceOf(ChatTrailConnectionError);
    const { destination } = error as ChatTrailConnectionError;
    grouped[destination] = [...(grouped[destination] ?? []), error.message];
  }
  return grouped;
}

describe.each(transports)('network failures through %s', (_name, sender) => {
  it('reports a refused connection once per destination, however often it is retried', async () => {
    const baseUrl = await refusedBaseUrl();
    const host = new URL(baseUrl).host;
    // Short backoffs: the lanes retry many times while the test waits.
    const { trail, errors } = trailAt(baseUrl, sender, {
      maxRetries: 1,
      backoff: { initialMs: 10, maxMs: 20 },
    });
    trail.record(new ConversationScript('thread-refused').turn());
    const flushing = trail.flush({ timeoutMs: 60_000 });
    await vi.waitFor(
      () => {
        for (const destination of Object.values(trail.stats().destinations)) {
          expect(destination.retried).toBeGreaterThanOrEqual(6);
        }
      },
      { timeout: 20_000, interval: 20 },
    );
    expect(byDestination(errors)).toEqual({
      mielto: [`mielto: connection refused ${host}`],
      melodi: [`melodi: connection refused ${host}`],
    });
    const [first] = errors as ChatTrailConnectionError[];
    expect(first).toMatchObject({ code: 'ECONNREFUSED', host });
    expect(first!.cause).toBeInstanceOf(APIConnectionError);

    await trail.shutdown({ timeoutMs: 100 });
    const report = await flushing;
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual(
      expect.arrayContaining([`mielto: connection refused ${host}`, `melodi: connection refused ${host}`]),
    );
  });

  it('reports a host that does not resolve, and flush resolves with it without waiting out the backoff', async () => {
    // `.invalid` never resolves (RFC 6761), network or not.
    const baseUrl = 'http://api.chattrail.invalid';
    // The lanes back off for a minute after a failed batch: past the flush's deadline, so the flush has
    // nothing left to wait for once both destinations failed.
    const { trail, errors } = trailAt(baseUrl, sender, { backoff: { initialMs: 60_000, maxMs: 60_000 } });
    trail.record(new ConversationScript('thread-dns').turn());
    const started = performance.now();
    const report = await trail.flush({ timeoutMs: 20_000 });
    // Well short of the timeout (a few lookups and the client's short retry delays); the bound only has
    // to tell it from the 20 s the flush took when it waited for nothing.
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(byDestination(errors)).toEqual({
      mielto: ['mielto: cannot resolve host api.chattrail.invalid'],
      melodi: ['melodi: cannot resolve host api.chattrail.invalid'],
    });
    expect(report).toEqual({
      ok: false,
      pendingTurns: 2,
      errors: expect.arrayContaining([
        'mielto: cannot resolve host api.chattrail.invalid',
        'melodi: cannot resolve host api.chattrail.invalid',
      ]),
    });
    expect(report.errors).toHaveLength(2);
    await trail.shutdown({ timeoutMs: 100 });
  });

  it('reports a backend that never answers after the first timed-out attempt', async () => {
    const baseUrl = await hangingBaseUrl();
    const host = new URL(baseUrl).host;
    const { trail, errors } = trailAt(baseUrl, sender, {
      timeoutMs: 300,
      maxRetries: 3,
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    trail.record(new ConversationScript('thread-hang').turn());
    const report = await trail.flush({ timeoutMs: 30_000 });
    const message = (name: string) => `${name}: no response within 300 ms from ${host}`;
    expect(byDestination(errors)).toEqual({ mielto: [message('mielto')], melodi: [message('melodi')] });
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual(expect.arrayContaining([message('mielto'), message('melodi')]));
    await trail.shutdown({ timeoutMs: 100 });
  });
});

describe('network failure reports', () => {
  it('reach the default warn line when there is no onError', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const baseUrl = await refusedBaseUrl();
    const trail = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl, maxRetries: 0 })],
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    trail.record(new ConversationScript('thread-warn').turn());
    await trail.flush({ timeoutMs: 20_000 });
    expect(warn.mock.calls).toEqual([[`[chattrail] mielto: connection refused ${new URL(baseUrl).host}`]]);
    await trail.shutdown({ timeoutMs: 100 });
  });
});
