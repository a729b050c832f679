// The many-instances step of `npm run demo`: four app instances (child processes) share one Redis
// through @chattrail/redis, and the six turns of one conversation are recorded by a different instance
// each time, as behind a load balancer. The backends end up with one conversation, each message once.
// Needs Debian's redis-server (npm test installs it as root); without it the step says so and is skipped.
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../scripts/free-port.mjs';
import { printTranscript } from './print-transcript.mjs';

const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
const INSTANCE = fileURLToPath(new URL('./instance.mjs', import.meta.url));
const THREAD = 'demo-many-instances';
const QUESTIONS = [
  ['Hi! I need a train from Lyon to Geneva on Friday.', 'There is a direct TER at 9:04, arriving 10:56.'],
  ['Is there anything later?', 'Yes: 12:34, arriving 14:26, and 17:04, arriving 18:56.'],
  ['How much is the 12:34?', 'From 27 € in second class.'],
  ['Can I bring a bike?', 'Yes, bikes ride free on TER trains, space permitting.'],
  ['Great, book the 12:34 please.', 'Done: Lyon Part-Dieu 12:34 → Genève 14:26, Friday.'],
  ['Thanks!', 'Have a good trip!'],
];

function startRedis(port, dir) {
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code})`)));
  });
}

export async function runManyInstancesStep(server) {
  console.log(
    'Many instances: four app processes share one Redis (@chattrail/redis); each turn goes to another\n',
  );
  if (REDIS_SERVER === undefined) {
    console.log(
      '  skipped: no redis-server installed (apt-get install redis-server; `npm test` installs it as root)\n',
    );
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'chattrail-demo-redis-'));
  const port = await freePort();
  const redis = await startRedis(port, dir);
  const children = [];
  try {
    const config = JSON.stringify({
      redisUrl: `redis://127.0.0.1:${port}`,
      mieltoBaseUrl: server.mieltoBaseUrl,
      melodiBaseUrl: server.melodiBaseUrl,
    });
    for (let i = 0; i < 4; i++) {
      const child = fork(INSTANCE, [config]);
      children.push(child);
      await new Promise((resolve) => child.once('message', resolve));
    }
    const history = [];
    for (let k = 0; k < QUESTIONS.length; k++) {
      const [question, answer] = QUESTIONS[k];
      history.push(
        { id: '', role: 'user', content: question },
        { id: '', role: 'assistant', content: answer },
      );
      const at = new Date(Date.UTC(2026, 0, 1, 9, k)).toISOString();
      const turn = {
        id: `many-${k}`,
        threadId: THREAD,
        messages: history.slice(),
        startedAt: at,
        endedAt: at,
        status: 'ok',
        source: 'manual',
      };
      const instance = k % children.length;
      children[instance].send({ type: 'turn', turn });
      await new Promise((resolve) => children[instance].once('message', resolve));
      console.log(
        `  turn ${k + 1} (resending ${history.length - 2} earlier messages) recorded by instance ${instance + 1} (pid ${children[instance].pid})`,
      );
    }
  } finally {
    await Promise.all(
      children.map((child) => {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.send({ type: 'end' });
        return exited;
      }),
    );
    redis.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  const { threads } = await (await fetch(`${server.url}/_devserver/threads`)).json();
  const mine = threads.filter((thread) => thread.externalId === THREAD || thread.title === THREAD);
  console.log(`\nRead back: ${mine.length} threads (one per backend), each message once:\n`);
  for (const thread of mine) printTranscript(thread);
}
