// One app instance of the throughput benchmark: records its share of every round of turns at a fixed
// pace, through a trail with the Redis store (or none), then flushes and reports what it sent.
// Thread churn, as in core's bench/delivery-sustained.mjs: `threads` slots, each holding one thread at a
// time that ends after `turnsPerThread` turns and is replaced by a new thread (a new id: a new Mielto
// conversation, a new Melodi thread). The first thread of each slot is shorter by the slot's share, so the
// ends are staggered. Without churn every thread grows for the whole run and a long run measures history
// length (each Melodi PUT carries the whole thread), not the store.
// Every instance walks every slot every round (so both agree on the thread ids) and records its share.
import { createChatTrail, melodi, mielto } from '@chattrail/core';
import { redisStore } from '../dist/index.js';
import { nextTurn } from './backend.mjs';

const {
  redisUrl,
  mieltoBaseUrl,
  melodiBaseUrl,
  index,
  instances,
  threads,
  rounds,
  roundMs,
  turnsPerThread,
  delivery,
  withStore,
} = JSON.parse(process.argv[2]);
const store = withStore ? redisStore({ url: redisUrl }, { prefix: 'throughput' }) : undefined;
const errors = [];
const trail = createChatTrail({
  destinations: [
    mielto({ apiKey: 'k', baseUrl: mieltoBaseUrl }),
    melodi({ apiKey: 'k', baseUrl: melodiBaseUrl, projectId: 1 }),
  ],
  // A trail with a store delivers inline whatever this says (its client cannot cross to a worker thread).
  delivery,
  ...(store ? { store } : {}),
  onError: (error) => errors.push(error.message),
});
const slots = Array.from({ length: threads }, (_, t) => ({
  generation: 0,
  history: [],
  length: Math.max(1, Math.ceil(((t + 1) * turnsPerThread) / threads)),
}));
let late = 0;
let recorded = 0;
/** [seconds since start, backlog per destination (turns recorded here, neither delivered nor dropped)] */
const samples = [];
process.once('message', async ({ startAt }) => {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
  const started = Date.now();
  const sampler = setInterval(() => {
    const { destinations } = trail.stats();
    samples.push([
      (Date.now() - started) / 1000,
      Object.fromEntries(
        Object.entries(destinations).map(([name, d]) => [
          name,
          recorded - d.sent - Object.values(d.dropped).reduce((a, b) => a + b, 0),
        ]),
      ),
    ]);
  }, 20);
  for (let r = 0; r < rounds; r++) {
    const due = started + r * roundMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    else if (wait < -roundMs) late++;
    else await new Promise((resolve) => setImmediate(resolve)); // let deliveries run between rounds
    // Slot t's turn in round r goes to instance (t + r) % instances: each thread alternates between them.
    for (let t = 0; t < threads; t++) {
      const slot = slots[t];
      if (slot.history.length / 2 >= slot.length) {
        slot.generation++;
        slot.history = [];
        slot.length = turnsPerThread;
      }
      const turn = nextTurn(`t${t}-g${slot.generation}`, slot.history, slot.history.length / 2);
      if ((t + r) % instances === index) {
        trail.record(turn);
        recorded++;
      }
    }
  }
  const recordedIn = Date.now() - started;
  const report = await trail.flush({ timeoutMs: 120_000 });
  const deliveredIn = Date.now() - started;
  clearInterval(sampler);
  await trail.shutdown();
  await store?.close();
  process.send({
    recorded,
    recordedIn,
    deliveredIn,
    late,
    ok: report.ok,
    stats: trail.stats(),
    samples,
    errors: [...new Set(errors)],
  });
  process.disconnect();
});
process.send('ready');
