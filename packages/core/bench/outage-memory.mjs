// Memory while the backend hangs: 100,000 turns recorded against a devserver (its own process) that never
// answers. Each destination's queue must stop at its bound (maxQueueTurns / maxQueueBytes, dropping the
// oldest), so the heap after each 10,000 turns must plateau. Run with --expose-gc (bench/run.mjs does).
//
// `window` (the default): 1,000 threads, each turn a sliding window of its thread's last ten messages.
// `resent`: bench-kit's chatWorkload (200 threads at a time resending their whole history, ~100 messages on
// average, each replaced after 100 turns), whose queued turns share their history's message objects; the
// byte bound counts a shared history once per thread, and the heap must still plateau under it.
// Usage: node --expose-gc bench/outage-memory.mjs [turns] [maxQueueTurns] [window|resent]
import { createChatTrail } from '../dist/index.js';
import { chatWorkload, hangingDestinations, report, startDevServerChild } from './bench-kit.mjs';

const TURNS = Number(process.argv[2] ?? 100_000);
const MAX_QUEUE_TURNS = Number(process.argv[3] ?? 10_000);
const WORKLOAD = process.argv[4] === 'resent' ? 'resent' : 'window';
const THREADS = 1_000;
const resent = WORKLOAD === 'resent' ? chatWorkload(200, { turnsPerThread: 100 }) : undefined;
const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('run with --expose-gc');

const server = await startDevServerChild();
try {
  await server.setFaults([{ route: '*', hang: true }]);
  const trail = createChatTrail({
    destinations: hangingDestinations(server),
    maxQueueTurns: MAX_QUEUE_TURNS,
    onError: () => {},
  });
  const settle = async () => {
    // A flush hands everything over and waits for the worker's report (the backend hangs: it times out), so
    // a worker still taking the last burst is not counted as queued.
    await trail.flush({ timeoutMs: 200 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    gc();
    gc();
  };
  await settle();
  const baseline = process.memoryUsage().heapUsed;
  const series = [];
  const sample = async (turns) => {
    await settle();
    const stats = trail.stats();
    const heapMiB = (process.memoryUsage().heapUsed - baseline) / 1024 / 1024;
    console.log(
      `after ${String(turns).padStart(6)} turns: heap +${heapMiB.toFixed(1).padStart(6)} MiB, queued ${stats.queuedTurns} turn deliveries (${(stats.queuedBytes / 1024 / 1024).toFixed(1)} MiB est.), dropped (queue_full) ${stats.dropped.queue_full}`,
    );
    return {
      turns,
      heapMiB: Number(heapMiB.toFixed(1)),
      queuedTurns: stats.queuedTurns,
      queuedMiB: Number((stats.queuedBytes / 1024 / 1024).toFixed(1)),
      droppedQueueFull: stats.dropped.queue_full,
    };
  };
  for (let n = 0; n < TURNS; n++) {
    if (resent !== undefined) {
      trail.record(resent.turn(n));
      if ((n + 1) % 10_000 === 0) series.push(await sample(n + 1));
      continue;
    }
    const thread = n % THREADS;
    const round = Math.floor(n / THREADS);
    const threadId = `outage-thread-${thread}`;
    // Ten messages per turn (a sliding window of the thread), fresh strings as a server parsing requests has.
    const messages = [];
    for (let i = 0; i < 10; i++) {
      const position = round * 2 + i;
      messages.push({
        id: `${threadId}-m${position}`,
        role: i % 2 ? 'assistant' : 'user',
        content: `Message ${position} of ${threadId}: ordinary chat text of about eighty characters.`,
      });
    }
    trail.record({
      id: `${threadId}-turn-${round}`,
      threadId,
      user: { id: `user-${thread}` },
      messages,
      startedAt: '2025-01-01T00:00:00.000Z',
      endedAt: '2025-01-01T00:00:01.000Z',
      status: 'ok',
      source: 'manual',
    });
    if ((n + 1) % 10_000 === 0) series.push(await sample(n + 1));
  }
  const tail = series.slice(Math.floor(series.length / 2)).map((point) => point.heapMiB);
  const plateau = {
    minMiB: Math.min(...tail),
    maxMiB: Math.max(...tail),
    flat: Math.max(...tail) - Math.min(...tail) <= 0.1 * Math.max(...tail) + 2,
  };
  console.log(
    `second half of the run: heap between ${plateau.minMiB} and ${plateau.maxMiB} MiB above baseline → ${plateau.flat ? 'flat' : 'NOT flat'}`,
  );
  const shutdownStarted = performance.now();
  const final = await trail.shutdown({ timeoutMs: 1_000 });
  console.log(
    `shutdown({ timeoutMs: 1000 }) with the backend still hanging: ${Math.round(performance.now() - shutdownStarted)} ms, ${final.pendingTurns} pending`,
  );
  report({
    outageMemory: { turns: TURNS, maxQueueTurns: MAX_QUEUE_TURNS, workload: WORKLOAD, series, plateau },
  });
} finally {
  await server.close();
}
process.exit(0);
