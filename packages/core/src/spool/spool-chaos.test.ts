import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DevServer } from '@chattrail/devserver';
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

closeServersAfterEach();

const script = fileURLToPath(new URL('../../test/fixtures/spool-chaos.mjs', import.meta.url));
const THREADS = 1_000;
const TURNS = 10_000;
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Starts the fixture (the built core); `lines` resolves each line it prints as it comes. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  /** The stats the fixture printed after `word`. */
  const line = (word: string) =>
    new Promise<any>((resolve, reject) => {
      const look = () => {
        const found = stdout.split('\n').find((l) => l.startsWith(`${word} `));
        if (found !== undefined) resolve(JSON.parse(found.slice(word.length + 1)));
      };
      child.stdout!.on('data', (chunk) => {
        stdout += chunk;
        look();
      });
      void exited.then(() => reject(new Error(`exited before "${word}": ${stderr}`)));
    });
  return { child, exited, line, stderr: () => stderr };
}

async function backends(replace: boolean) {
  const server = await devServer({ melodiThreadMessages: replace ? 'replace' : 'merge' });
  const env = {
    MIELTO_API_KEY: MIELTO_KEY,
    MIELTO_BASE_URL: server.mieltoBaseUrl,
    MELODI_API_KEY: MELODI_KEY,
    MELODI_PROJECT_ID: String(PROJECT_ID),
    MELODI_BASE_URL: server.melodiBaseUrl,
  };
  return { server, env };
}

/** Replace-mode backends hanging on `route`, and a fresh spool directory removed after the test. */
async function hangingBackends(route: string) {
  const { server, env } = await backends(true);
  server.setFaults([{ route, hang: true }]);
  const dir = mkdtempSync(join(tmpdir(), 'chattrail-chaos-'));
  dirs.push(dir);
  return { server, env, dir };
}

/** The texts a thread holds after `turns` turns of the fixture, in order. */
function expectedTexts(t: number, turns: number): string[] {
  return Array.from({ length: turns }, (_, i) => [
    `question ${i + 1} of ${t}`,
    `answer ${i + 1} of ${t}`,
  ]).flat();
}

/** The fixture's number of a thread id (`chaos-12`, `a-12`). */
function threadNumber(id: string): number {
  return Number(id.slice(id.lastIndexOf('-') + 1));
}

/** Every Mielto conversation and Melodi thread holds its thread's `turns` turns, in order. */
async function expectThreadsInOrder(server: DevServer, turns: number): Promise<void> {
  for (const conversation of await mieltoConversations(server)) {
    const t = threadNumber(String(conversation.meta_data.thread_id));
    expect(conversation.messages.map((m) => m.content)).toEqual(expectedTexts(t, turns));
  }
  for (const thread of await melodiThreads(server)) {
    expect(thread.messages.map((m) => m.content)).toEqual(
      expectedTexts(threadNumber(thread.externalId), turns),
    );
  }
}

/** SIGTERMs the child once it has recorded; the one line it wrote on stderr about the signal. */
async function signalLine(child: ReturnType<typeof start>): Promise<string> {
  await child.line('recorded');
  child.child.kill('SIGTERM');
  expect((await child.exited).signal).toBe('SIGTERM');
  const lines = child
    .stderr()
    .split('\n')
    .filter((l) => l.includes('signal'));
  expect(lines, child.stderr()).toHaveLength(1);
  return lines[0]!;
}

describe('spool chaos', () => {
  it('a process killed with 10,000 turns (1,000 threads) queued against a hanging backend loses none, and the next one delivers each message exactly once', {
    timeout: 120_000,
  }, async () => {
    const { server, env, dir } = await hangingBackends('*');

    const first = start({ ...env, MODE: 'kill', SPOOL_DIR: dir });
    const synced = await first.line('synced');
    expect(synced.recorded).toBe(TURNS);
    expect(synced.spool.state).toBe('on');
    expect(synced.spool.fsyncs).toBeGreaterThan(0);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(await mieltoConversations(server)).toEqual([]);

    server.clearFaults();
    const second = start({ ...env, MODE: 'replay', SPOOL_DIR: dir });
    const replaying = await second.line('replaying');
    expect(replaying.spool.replayed).toBe(TURNS);
    const done = await second.line('done');
    expect(done.sent).toBe(2 * TURNS);
    expect((await second.exited).code).toBe(0);

    const turnsPerThread = TURNS / THREADS;
    const conversations = await mieltoConversations(server);
    expect(conversations).toHaveLength(THREADS);
    const threads = await melodiThreads(server);
    expect(threads).toHaveLength(THREADS);
    await expectThreadsInOrder(server, turnsPerThread);
    for (const thread of threads) {
      expect(new Set(thread.messages.map((m) => m.externalId)).size).toBe(2 * turnsPerThread);
    }
    // Everything was acknowledged: no segment is left.
    expect(readdirSync(dir).filter((name) => name.endsWith('.jsonl'))).toEqual([]);
  });

  it('two processes on one directory: the second spools into its own subdirectory, and the next start replays both', {
    timeout: 120_000,
  }, async () => {
    const { server, env, dir } = await hangingBackends('*');
    const small = { ...env, MODE: 'kill', SPOOL_DIR: dir, TURNS: '300', THREADS: '30' };
    const a = start({ ...small, PREFIX: 'a' });
    expect((await a.line('synced')).spool.dir).toBe(dir);
    const b = start({ ...small, PREFIX: 'b' });
    const bDir: string = (await b.line('synced')).spool.dir;
    expect(bDir.startsWith(`${dir}/p`)).toBe(true);
    a.child.kill('SIGKILL');
    b.child.kill('SIGKILL');
    await Promise.all([a.exited, b.exited]);

    server.clearFaults();
    const next = start({ ...env, MODE: 'replay', SPOOL_DIR: dir });
    expect((await next.line('replaying')).spool.replayed).toBe(600);
    expect((await next.line('done')).sent).toBe(1200);
    expect(await melodiThreads(server)).toHaveLength(60);
    expect(await mieltoConversations(server)).toHaveLength(60);
    await expectThreadsInOrder(server, 10);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('with a spool, what SIGTERM under handleSignals could not send in time stays on disk, and the next start sends it', {
    timeout: 120_000,
  }, async () => {
    const { server, env, dir } = await hangingBackends('melodi');
    const small = { TURNS: '500', THREADS: '50', SPOOL_DIR: dir };
    const child = start({ ...env, ...small, MODE: 'term', EXIT_FLUSH_MS: '500' });
    expect(await signalLine(child)).toMatch(/melodi 500\).*these stay in the spool/);

    server.clearFaults();
    const next = start({ ...env, MODE: 'replay', SPOOL_DIR: dir });
    expect((await next.line('done')).destinations.melodi.sent).toBe(500);
    expect(await melodiThreads(server)).toHaveLength(50);
    // Mielto had them all before the signal, or got the rest now: each message once.
    await expectThreadsInOrder(server, 10);
    expect(readdirSync(dir).filter((name) => name.endsWith('.jsonl'))).toEqual([]);
  });

  it('without a spool, SIGTERM under handleSignals reports what it could not send in time, and all it sent is there', {
    timeout: 120_000,
  }, async () => {
    const { server, env } = await backends(true);
    // Mielto is slow, Melodi never answers: some turns go, some do not, within exitFlushMs.
    server.setFaults([{ route: 'melodi', hang: true }]);
    const child = start({ ...env, MODE: 'term', EXIT_FLUSH_MS: '1500', MAX_BATCH: '200' });
    const line = await signalLine(child);
    const pending = /pending \(([^)]*)\)/.exec(line)![1]!;
    const pendingOf = (name: string) => Number(new RegExp(`${name} (\\d+)`).exec(pending)?.[1] ?? 0);
    expect(pendingOf('melodi')).toBe(TURNS);
    expect(line).toMatch(/these are lost/);
    // Every turn not pending at Mielto was sent: its answer is there, once.
    const sentAnswers = TURNS - pendingOf('mielto');
    const answers = (await mieltoConversations(server))
      .flatMap((c) => c.messages)
      .filter((m) => m.role === 'assistant')
      .map((m) => m.content);
    expect(new Set(answers).size).toBe(answers.length);
    expect(answers.length).toBeGreaterThanOrEqual(sentAnswers);
  });
});
