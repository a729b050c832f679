// Heap held per queued turn while the backend hangs: 20,000 turns over 200 threads that resend their whole
// history, each turn adding a question and an answer (100 turns a thread: histories grow by 200 messages,
// from `start` messages on). Nothing is dropped (the queue bounds are raised), so the heap is what the
// queued turns and the thread log hold; the queues' byte estimate is printed beside it.
// Usage: node --expose-gc bench/queued-turn-memory.mjs [start=0] [turns=20000] [threads=200]
import { createChatTrail } from '../dist/index.js';
import { hangingDestinations, report, startDevServerChild } from './bench-kit.mjs';

const START = Number(process.argv[2] ?? 0);
const TURNS = Number(process.argv[3] ?? 20_000);
const THREADS = Number(process.argv[4] ?? 200);
const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('run with --expose-gc');

const message = (threadId, k) => ({
  id: `${threadId}-m${k}`,
  role: k % 2 === 0 ? 'user' : 'assistant',
  content: `Message ${k} in ${threadId}: ordinary chat text.`,
});
// Made after the baseline (at each thread's first turn), so that what the trail keeps of them counts.
const histories = [];

const server = await startDevServerChild();
try {
  await server.setFaults([{ route: '*', hang: true }]);
  const trail = createChatTrail({
    destinations: hangingDestinations(server),
    maxQueueTurns: 1_000_000,
    maxQueueBytes: 4 * 1024 * 1024 * 1024,
    onError: () => {},
  });
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    gc();
    gc();
  };
  await settle();
  const baseline = process.memoryUsage().heapUsed;
  for (let n = 0; n < TURNS; n++) {
    const t = n % THREADS;
    const threadId = `mem-thread-${t}`;
    histories[t] ??= Array.from({ length: START }, (_, k) => message(threadId, k));
    const history = histories[t];
    history.push(message(threadId, history.length), message(threadId, history.length + 1));
    trail.record({
      id: `${threadId}-turn-${history.length}`,
      threadId,
      user: { id: `user-${t}` },
      messages: history.map((m) => ({ ...m })),
      model: { provider: 'openai', id: 'gpt-4o' },
      usage: { inputTokens: 100, outputTokens: 20, totalTokens: 120 },
      startedAt: '2025-01-01T00:00:00.000Z',
      endedAt: '2025-01-01T00:00:01.000Z',
      status: 'ok',
      source: 'manual',
    });
  }
  // The app's own copies of the histories are not the trail's.
  histories.length = 0;
  await settle();
  const heap = process.memoryUsage().heapUsed - baseline;
  const stats = trail.stats();
  const perTurn = Math.round(heap / TURNS);
  const estimateRatio = stats.queuedBytes / heap;
  console.log(
    `histories ${START}→${START + (TURNS / THREADS) * 2} messages: ${TURNS} turns queued (${stats.queuedTurns} deliveries, ${stats.dropped.queue_full} dropped), heap +${(heap / 1024 / 1024).toFixed(1)} MiB = ${perTurn} bytes per queued turn; queues' estimate ${(stats.queuedBytes / 1024 / 1024).toFixed(1)} MiB (${estimateRatio.toFixed(2)}× the heap)`,
  );
  if (process.env.SNAP) {
    const v8 = await import('node:v8');
    console.log(v8.writeHeapSnapshot(process.env.SNAP));
  }
  await trail.shutdown({ timeoutMs: 100 });
  report({
    queuedTurnMemory: {
      start: START,
      turns: TURNS,
      heapBytes: heap,
      perTurn,
      queuedBytes: stats.queuedBytes,
      estimateRatio,
    },
  });
} finally {
  await server.close();
}
process.exit(0);
