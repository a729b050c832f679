// Shared helpers of the core benchmarks: turns shaped like an adapter's, and the devserver as a child.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { turnMessageId } from '../dist/adapter.js';
import { createChatTrail, melodi, mielto } from '../dist/index.js';

/** A turn of `messageCount` ordinary messages (~80 characters each), with ids as an adapter sets them. */
export function makeTurn(messageCount, threadId = 'bench-thread', turnId = 'bench-turn') {
  const messages = [];
  for (let i = 0; i < messageCount; i++) {
    const message = {
      role: i % 2 ? 'assistant' : 'user',
      content: `Message ${i} of ${threadId}: an ordinary sentence of chat text, about eighty chars.`,
    };
    message.id = turnMessageId(threadId, i, message);
    messages.push(message);
  }
  return {
    id: turnId,
    threadId,
    user: { id: 'bench-user', email: 'bench@example.com' },
    messages,
    model: { provider: 'openai', id: 'gpt-4o' },
    usage: { inputTokens: 1200, outputTokens: 80, totalTokens: 1280 },
    startedAt: '2025-01-01T00:00:00.000Z',
    endedAt: '2025-01-01T00:00:01.250Z',
    status: 'ok',
    source: 'manual',
  };
}

/**
 * The delivery benchmarks' chat: `threads` threads taking turns in rotation, each turn adding a user
 * message and an answer to its thread and resending the whole history, as adapters do. `turn(n)` builds
 * the n-th turn (n counting from 0, in order) with fresh message objects, as a server parsing each request
 * body would have.
 *
 * `turnsPerThread`: a thread ends after that many turns and a new one (new id, new user) takes its slot,
 * so a run of any length keeps the same mix of history lengths; the first threads end after 1 to
 * `turnsPerThread` turns (spread evenly by slot) so that threads end one at a time, not all together.
 * Without it, threads never end.
 */
export function chatWorkload(threads, { turnsPerThread = Number.POSITIVE_INFINITY } = {}) {
  const slots = Array.from({ length: threads }, (_, slot) => ({
    threadId: `bench-thread-${slot}`,
    userId: `user-${slot}`,
    history: [],
    generation: 0,
    // The first thread of each slot is shorter by the slot's share, so the slots' ends are staggered.
    length: Number.isFinite(turnsPerThread)
      ? Math.max(1, Math.ceil(((slot + 1) * turnsPerThread) / threads))
      : turnsPerThread,
  }));
  return {
    turn(n) {
      const slot = slots[n % threads];
      if (slot.history.length / 2 >= slot.length) {
        slot.generation++;
        slot.threadId = `bench-thread-${n % threads}-${slot.generation}`;
        slot.userId = `user-${n % threads}-${slot.generation}`;
        slot.history = [];
        slot.length = turnsPerThread;
      }
      const { threadId, history } = slot;
      const turnNumber = history.length / 2 + 1;
      history.push(
        {
          id: `${threadId}-u${turnNumber}`,
          role: 'user',
          content: `Question ${turnNumber} in ${threadId}: what about it?`,
        },
        {
          id: `${threadId}-a${turnNumber}`,
          role: 'assistant',
          content: `Answer ${turnNumber} in ${threadId}: here it is.`,
        },
      );
      return {
        id: `${threadId}-turn-${turnNumber}`,
        threadId,
        user: { id: slot.userId },
        messages: history.map((message) => ({ ...message })),
        model: { provider: 'openai', id: 'gpt-4o' },
        usage: { inputTokens: 100, outputTokens: 20, totalTokens: 120 },
        startedAt: '2025-01-01T00:00:00.000Z',
        endedAt: '2025-01-01T00:00:01.000Z',
        status: 'ok',
        source: 'manual',
      };
    },
  };
}

// Queue bounds of the delivery benchmarks, sized for the run (turns carry ~100 messages of history on
// average, ~13 KB each): the measurement is delivery capacity, not what the default 32 MiB bound keeps
// during an outage.
const DELIVERY_QUEUE_TURNS = 20_000;
const DELIVERY_QUEUE_BYTES = 512 * 1024 * 1024;

/**
 * The delivery benchmarks' destinations on a devserver (or sink) child: Mielto and/or Melodi (`only`:
 * `'mielto'`, `'melodi'` or `'both'`), each with the `transport` that `transportFor(name)` gives
 * (default: none, the global `fetch`).
 */
export function deliveryDestinations(server, only, transportFor = () => undefined) {
  const destinations = [];
  if (only !== 'melodi')
    destinations.push(
      mielto({ apiKey: 'bench', baseUrl: server.mieltoBaseUrl, transport: transportFor('mielto') }),
    );
  if (only !== 'mielto')
    destinations.push(
      melodi({
        apiKey: 'bench',
        projectId: 1,
        baseUrl: server.melodiBaseUrl,
        transport: transportFor('melodi'),
      }),
    );
  return destinations;
}

/** Both destinations on a devserver child whose backends hang: requests wait 10 minutes, nothing is sent. */
export function hangingDestinations(server) {
  return [
    mielto({ apiKey: 'bench', baseUrl: server.mieltoBaseUrl, timeoutMs: 600_000 }),
    melodi({ apiKey: 'bench', projectId: 1, baseUrl: server.melodiBaseUrl, timeoutMs: 600_000 }),
  ];
}

/** The delivery benchmarks' trail: one batch may take half a queue, the most the trail allows. */
export function deliveryTrail(destinations, delivery = 'inline') {
  return createChatTrail({
    destinations,
    delivery,
    maxQueueTurns: DELIVERY_QUEUE_TURNS,
    maxQueueBytes: DELIVERY_QUEUE_BYTES,
    maxBatchTurns: DELIVERY_QUEUE_TURNS / 2,
    onError: (error) => console.error(error.message),
  });
}

/**
 * The producer's pause after each round of threads: it yields to the event loop, then waits while the
 * queues are half full, so the measurement is delivery, not queue drops.
 */
export async function paceProducer(trail, lanes) {
  await new Promise((resolve) => setImmediate(resolve));
  for (;;) {
    const { queuedTurns, queuedBytes } = trail.stats();
    if (queuedTurns / lanes <= DELIVERY_QUEUE_TURNS / 2 && queuedBytes / lanes <= DELIVERY_QUEUE_BYTES / 2)
      return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The `transport` each of the delivery benchmarks' destinations uses, by destination name, from `flags`
 * (the command line's trailing words): `undici` → its own `undiciTransport()` from `@chattrail/core/node`;
 * `legacy-http1` → the hand-written HTTP/1 client that `undiciTransport()` replaced (bench/legacy-http1-
 * transport.mjs); neither → undefined (the global `fetch`). Their own, because Mielto and Melodi are two
 * hosts in production, each with its own connections; the devserver serves both on one port, where one
 * shared transport would hold both destinations to one host's connection bound.
 */
export async function transportFromFlags(flags) {
  let make;
  if (flags.includes('undici')) make = (await import('../dist/node.js')).undiciTransport;
  else if (flags.includes('legacy-http1'))
    make = (await import('./legacy-http1-transport.mjs')).legacyHttp1Transport;
  else return undefined;
  const byName = new Map();
  const transportFor = (name) => {
    if (!byName.has(name)) byName.set(name, make());
    return byName.get(name);
  };
  transportFor.label = flags.includes('undici') ? 'undiciTransport' : 'legacy http1';
  return transportFor;
}

/** A destination whose send never completes: only record() (and the queue) is measured. */
export const neverCompletes = { name: 'never', send: () => new Promise(() => {}) };

/** Starts `node packages/devserver/dist/cli.js --port 0 --quiet` and resolves with its URL. */
export async function startDevServerChild({ sink = false, nice = 0 } = {}) {
  // sink: bench/sink-server.mjs instead, a backend that accepts everything and does nothing with it.
  const script = sink
    ? fileURLToPath(new URL('./sink-server.mjs', import.meta.url))
    : fileURLToPath(new URL('../../devserver/dist/cli.js', import.meta.url));
  const args = sink ? [script] : [script, '--port', '0', '--quiet'];
  // nice: the backend at a lower priority (`nice -n`, all its threads), as if on another machine; 'idle':
  // SCHED_IDLE (Linux's `chrt`; nice 19 where it cannot run), only ever on a CPU nothing else wants.
  if (nice === 'idle' && spawnSync('chrt', ['--idle', '0', 'true']).status !== 0) nice = 19;
  const command =
    nice === 'idle'
      ? ['chrt', ['--idle', '0', process.execPath, ...args]]
      : nice > 0
        ? ['nice', ['-n', String(nice), process.execPath, ...args]]
        : [process.execPath, args];
  const child = spawn(command[0], command[1], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (data) => {
      out += data;
      const match = /listening on (http:\S+)/.exec(out);
      if (match) resolve(match[1].replace(/\/$/, ''));
    });
    child.once('exit', (code) => reject(new Error(`devserver exited with ${code}`)));
  });
  return {
    url,
    mieltoBaseUrl: `${url}/api/v1`,
    melodiBaseUrl: `${url}/api/external`,
    /** CPU seconds (user + system, all threads) the devserver has used so far; undefined off Linux. */
    cpuSeconds() {
      try {
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100/s)
      } catch {
        return undefined;
      }
    },
    async stats() {
      if (sink) return undefined;
      return (await fetch(`${url}/_devserver/stats`)).json();
    },
    async setFaults(rules) {
      await fetch(`${url}/_devserver/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(rules),
      });
    },
    close() {
      return new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      });
    },
  };
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * How late the event loop runs, sampled every `resolutionMs` from now until `stop()`, which gives the p99
 * and the worst in milliseconds. monitorEventLoopDelay records the time between its samples (never less
 * than the resolution: 10.2 ms on average for an idle loop at 10 ms), so how late a sample came is that
 * less the resolution.
 */
export function eventLoopLateness(resolutionMs) {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  const lateMs = (ns) => Math.round(Math.max(0, ns / 1e6 - resolutionMs) * 10) / 10;
  return {
    stop() {
      histogram.disable();
      return { p99Ms: lateMs(histogram.percentile(99)), maxMs: lateMs(histogram.max) };
    },
  };
}

/** Prints the result as the last line, for bench/run.mjs to collect. */
export function report(result) {
  console.log(`RESULT ${JSON.stringify(result)}`);
}

/**
 * The trail's delivery worker thread (Linux, one trail with a worker in this process), once it has started
 * (waiting up to 5 s): its CPU so far (seconds), its nice value, and `niceBelowApp(steps)`, which sets it
 * `steps` below the app's priority (0: the app's; raising it needs CAP_SYS_NICE, e.g. root). Undefined off Linux.
 */
export async function deliveryWorkerThread() {
  if (process.platform !== 'linux') return undefined;
  const stat = (tid) => readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
  const app = getPriority(process.pid);
  let tid;
  for (let tries = 0; tries < 500; tries++) {
    for (const task of readdirSync('/proc/self/task')) {
      if (readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim() === 'WorkerThread') tid = task;
    }
    if (tid !== undefined) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (tid === undefined) throw new Error('no delivery worker thread');
  return {
    cpuSeconds: () => (Number(stat(tid)[11]) + Number(stat(tid)[12])) / 100, // utime + stime, USER_HZ
    nice: () => Number(stat(tid)[16]),
    niceBelowApp: (steps) => setPriority(Number(tid), Math.min(19, app + steps)),
  };
}
