import { execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeServersAfterEach,
  devServer,
  MELODI_KEY,
  MIELTO_KEY,
  melodiThreads,
  mieltoConversations,
  PROJECT_ID,
} from '../../test/trail-test-kit';
import { mielto } from '../destinations/mielto-destination';
import { createChatTrail } from './create-chat-trail';

closeServersAfterEach();

// The fixture runs the built core; each test runs with its lanes inline and in a worker thread.
const DELIVERIES = ['inline', 'worker'] as const;

const script = fileURLToPath(new URL('../../test/fixtures/record-and-end.mjs', import.meta.url));

/** Runs the fixture (the built core) in its own Node process; resolves when it has exited. */
function recordAndEnd(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [script],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 50_000 },
      (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
    );
  });
}

async function envFor(): Promise<{
  env: Record<string, string>;
  server: Awaited<ReturnType<typeof devServer>>;
}> {
  const server = await devServer();
  return {
    server,
    env: {
      MIELTO_API_KEY: MIELTO_KEY,
      MIELTO_BASE_URL: server.mieltoBaseUrl,
      MELODI_API_KEY: MELODI_KEY,
      MELODI_PROJECT_ID: String(PROJECT_ID),
      MELODI_BASE_URL: server.melodiBaseUrl,
    },
  };
}

async function storedAnswers(server: Awaited<ReturnType<typeof devServer>>) {
  const conversations = await mieltoConversations(server);
  const threads = await melodiThreads(server);
  return {
    mielto: conversations.flatMap((c) => c.messages).filter((m) => m.role === 'assistant').length,
    melodi: threads.flatMap((t) => t.messages).filter((m) => m.role === 'assistant').length,
  };
}

describe.each(DELIVERIES)('exiting without flush() (beforeExit), delivery %s', (delivery) => {
  // flushAt above the turns recorded: nothing starts sending before the script ends, and only the
  // (unref'd) interval timer is left, so without the exit flush nothing at all would arrive.
  it('delivers all 100 turns of a script that records and simply ends', async () => {
    const { env, server } = await envFor();
    const { code, stderr } = await recordAndEnd({
      CHATTRAIL_DELIVERY: delivery,
      ...env,
      TURNS: '100',
      FLUSH_AT: '1000',
    });
    expect(code).toBe(0);
    expect(stderr).not.toContain('[chattrail]');
    // Each turn adds one answer to its thread.
    expect(await storedAnswers(server)).toEqual({ mielto: 100, melodi: 100 });
  });

  it('with exitFlushMs 0 does nothing: what was still queued is lost (the control for the test above)', async () => {
    const { env, server } = await envFor();
    const { code, stderr } = await recordAndEnd({
      CHATTRAIL_DELIVERY: delivery,
      ...env,
      TURNS: '100',
      FLUSH_AT: '1000',
      EXIT_FLUSH_MS: '0',
    });
    expect(code).toBe(0);
    expect(stderr).not.toContain('[chattrail]');
    expect(await storedAnswers(server)).toEqual({ mielto: 0, melodi: 0 });
  });

  describe('against a backend that never answers', () => {
    let hanging: Server | undefined;
    afterEach(async () => {
      hanging?.closeAllConnections();
      await new Promise((resolve) => hanging?.close(resolve) ?? resolve(undefined));
      hanging = undefined;
    });

    it('gives up after exitFlushMs, lets the process end, and says once on stderr how much was lost, counts only', async () => {
      hanging = createServer(() => {}); // reads every request, answers none
      await new Promise<void>((resolve) => hanging!.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
      const { code, stderr } = await recordAndEnd({
        CHATTRAIL_DELIVERY: delivery,
        MIELTO_API_KEY: MIELTO_KEY,
        MIELTO_BASE_URL: url,
        TURNS: '10',
        FLUSH_AT: '1000',
        EXIT_FLUSH_MS: '500',
      });
      // It exited on its own (execFile's 50 s timeout would have killed it: code null).
      expect(code).toBe(0);
      // Other lines may be onError's (the default warns on stderr); one is about exiting.
      const lines = stderr.split('\n').filter((line) => line.includes('exiting'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/after 500 ms \(exitFlushMs\), 10 turn deliveries pending \(mielto 10\)/);
      expect(stderr).not.toContain('secret');
      expect(stderr).not.toContain(MIELTO_KEY);
    });
  });
});

describe.each(DELIVERIES)('handleSignals, delivery %s', (delivery) => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s delivers what is queued, then the process ends by that signal',
    async (signal) => {
      const { env, server } = await envFor();
      const child = spawn(process.execPath, [script], {
        env: {
          PATH: process.env.PATH ?? '',
          ...env,
          CHATTRAIL_DELIVERY: delivery,
          TURNS: '100',
          FLUSH_AT: '1000',
          SERVE: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, s) => resolve(s)),
      );
      try {
        await new Promise<void>((resolve) =>
          child.stdout.on('data', (chunk) => String(chunk).includes('recorded') && resolve()),
        );
        // Nothing was sent yet: flushAt and the interval are far off; only the signal sends the turns.
        expect(await storedAnswers(server)).toEqual({ mielto: 0, melodi: 0 });
        child.kill(signal);
        expect(await exited).toBe(signal);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      expect(stderr).not.toContain('[chattrail]');
      expect(await storedAnswers(server)).toEqual({ mielto: 100, melodi: 100 });
    },
  );
});

describe('the beforeExit listener', () => {
  it('is one for the process however many trails, and is removed when the last shuts down', async () => {
    const before = process.listenerCount('beforeExit');
    const destinations = () => [mielto({ apiKey: MIELTO_KEY, baseUrl: 'http://127.0.0.1:9' })];
    const trails = Array.from({ length: 12 }, () => createChatTrail({ destinations: destinations() }));
    expect(process.listenerCount('beforeExit')).toBe(before + 1);
    await Promise.all(trails.map((trail) => trail.shutdown({ timeoutMs: 1_000 })));
    expect(process.listenerCount('beforeExit')).toBe(before);
  });

  it('is not registered with exitFlushMs 0, nor by a trail that records nothing', async () => {
    const before = process.listenerCount('beforeExit');
    const off = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: 'http://127.0.0.1:9' })],
      exitFlushMs: 0,
    });
    const disabled = createChatTrail({ disabled: true });
    expect(process.listenerCount('beforeExit')).toBe(before);
    await Promise.all([off.shutdown(), disabled.shutdown()]);
  });

  it('rejects a bad exitFlushMs or handleSignals, naming it', () => {
    expect(() => createChatTrail({ exitFlushMs: -1 })).toThrow(/exitFlushMs/);
    expect(() => createChatTrail({ handleSignals: 'yes' as never })).toThrow(/handleSignals/);
  });

  it('handleSignals adds one SIGTERM and one SIGINT listener for all trails, removed with the last shutdown', async () => {
    const before = [process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')];
    const destinations = () => [mielto({ apiKey: MIELTO_KEY, baseUrl: 'http://127.0.0.1:9' })];
    const trails = Array.from({ length: 3 }, () =>
      createChatTrail({ destinations: destinations(), handleSignals: true }),
    );
    const plain = createChatTrail({ destinations: destinations() });
    expect([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')]).toEqual(
      before.map((n) => n + 1),
    );
    await Promise.all([...trails, plain].map((trail) => trail.shutdown({ timeoutMs: 1_000 })));
    expect([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')]).toEqual(before);
  });
});
