// SIGKILL half-way, then resume, at full size (the CI test, test/cli-process.test.ts, does it at 6,000):
// the built CLI imports a generated JSONL file into the devserver (in this process) with its default
// options, is killed with SIGKILL once the checkpoint passes half the file, and is run again; then every
// thread and every message must be at each backend exactly once.
// Usage: node bench/kill-resume.mjs [conversations=20000] [messages per conversation=10]
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '@chattrail/devserver';

const conversations = Number(process.argv[2] ?? 20_000);
const perConversation = Number(process.argv[3] ?? 10);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'chattrail-cli-kill-'));
const server = await startDevServer({ port: 0, host: '127.0.0.1' });
try {
  const file = join(dir, 'big.jsonl');
  const out = createWriteStream(file);
  const write = (s) => (out.write(s) ? undefined : new Promise((r) => out.once('drain', r)));
  for (let i = 0; i < conversations; i++) {
    const messages = Array.from({ length: perConversation }, (_, m) => ({
      role: m % 2 ? 'assistant' : 'user',
      content: `Message ${m} of conversation ${i}`,
    }));
    // Every other line without a thread id: its thread comes from the file name and line number.
    const line = i % 2 ? { messages } : { thread_id: `kill-${i}`, user: `u-${i % 50}`, messages };
    await write(`${JSON.stringify(line)}\n`);
  }
  await new Promise((r) => out.end(r));

  const env = {
    PATH: process.env.PATH ?? '',
    MIELTO_API_KEY: 'kill-test-mielto-key',
    MIELTO_BASE_URL: server.mieltoBaseUrl,
    MELODI_API_KEY: 'kill-test-melodi-key',
    MELODI_PROJECT_ID: '1',
    MELODI_BASE_URL: server.melodiBaseUrl,
  };
  const checkpoint = `${file}.chattrail-checkpoint.json`;
  const run = () => {
    const child = spawn(process.execPath, [cli, 'import', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
    });
    child.stderr.on('data', (d) => {
      text += d;
    });
    const exit = new Promise((resolve) =>
      child.once('close', (code, signal) => resolve({ code, signal, text })),
    );
    return { child, exit };
  };
  const acknowledged = () => {
    try {
      return Object.values(JSON.parse(readFileSync(checkpoint, 'utf8')).inputs)[0]?.line ?? 0;
    } catch {
      return 0; // not written yet, or renamed over while read
    }
  };

  const first = run();
  let killedAt = 0;
  await new Promise((resolve) => {
    const poll = setInterval(() => {
      killedAt = acknowledged();
      if (killedAt >= conversations / 2) {
        clearInterval(poll);
        first.child.kill('SIGKILL');
        resolve();
      }
    }, 20);
    first.exit.then(() => {
      clearInterval(poll);
      resolve();
    });
  });
  const killed = await first.exit;
  // A copy: the stats object is live.
  const { mielto: mieltoAtKill, melodi: melodiAtKill } = structuredClone(server.stats());
  const second = await run().exit;

  const [stored, threads] = await Promise.all([
    fetch(`${server.url}/_devserver/mielto/conversations`).then((r) => r.json()),
    fetch(`${server.url}/_devserver/melodi/threads`).then((r) => r.json()),
  ]);
  const count = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
  const mieltoThreads = new Map();
  const mieltoMessages = new Map();
  for (const c of stored) {
    count(mieltoThreads, String(c.meta_data.thread_id));
    for (const m of c.messages) count(mieltoMessages, String(m.meta_data?.chattrail_message_id));
  }
  const melodiThreads = new Map();
  const melodiMessages = new Map();
  for (const t of threads) {
    count(melodiThreads, t.externalId);
    for (const m of t.messages) count(melodiMessages, `${t.externalId} ${m.externalId}`);
  }
  const max = (map) => {
    let most = 0;
    for (const n of map.values()) if (n > most) most = n;
    return most;
  };
  const sum = (map) => [...map.values()].reduce((a, b) => a + b, 0);
  const expected = conversations * perConversation;
  const result = {
    conversations,
    messages: expected,
    killed: {
      signal: killed.signal,
      checkpointAt: killedAt,
      storedAtKill: { mielto: mieltoAtKill, melodi: melodiAtKill },
    },
    resumed: /resumed after line (\d+)/.exec(second.text)?.[1],
    secondRun: { code: second.code, summary: second.text.trim().split('\n').at(-1) },
    mielto: {
      threads: mieltoThreads.size,
      maxPerThread: max(mieltoThreads),
      messages: sum(mieltoMessages),
      distinctMessages: mieltoMessages.size,
      maxPerMessage: max(mieltoMessages),
    },
    melodi: {
      threads: melodiThreads.size,
      maxPerThread: max(melodiThreads),
      messages: sum(melodiMessages),
      distinctMessages: melodiMessages.size,
      maxPerMessage: max(melodiMessages),
    },
  };
  const exactlyOnce =
    killed.signal === 'SIGKILL' &&
    second.code === 0 &&
    [result.mielto, result.melodi].every(
      (b) =>
        b.threads === conversations &&
        b.maxPerThread === 1 &&
        b.messages === expected &&
        b.distinctMessages === expected &&
        b.maxPerMessage === 1,
    );
  console.log(JSON.stringify({ ...result, exactlyOnce }, null, 2));
  process.exitCode = exactlyOnce ? 0 : 1;
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
