// One app instance of the throughput benchmark: records its share of every round of turns at a fixed
// pace, through a trail with the Redis store, then flushes and reports what it sent.
import { createChatTrail, melodi, mielto } from '@chattrail/core';
import { redisStore } from '../dist/index.js';
import { nextTurn } from './backend.mjs';

const { redisUrl, mieltoBaseUrl, melodiBaseUrl, index, instances, threads, rounds, roundMs, withStore } =
  JSON.parse(process.argv[2]);
const store = withStore ? redisStore({ url: redisUrl }, { prefix: 'throughput' }) : undefined;
const errors = [];
const trail = createChatTrail({
  destinations: [
    mielto({ apiKey: 'k', baseUrl: mieltoBaseUrl }),
    melodi({ apiKey: 'k', baseUrl: melodiBaseUrl, projectId: 1 }),
  ],
  ...(store ? { store } : {}),
  onError: (error) => errors.push(error.message),
});
const histories = Array.from({ length: threads }, () => []);
let late = 0;
process.once('message', async ({ startAt }) => {
  await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
  const started = Date.now();
  for (let r = 0; r < rounds; r++) {
    const due = started + r * roundMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    else if (wait < -roundMs) late++;
    else await new Promise((resolve) => setImmediate(resolve)); // let deliveries run between rounds
    // Thread t's turn r goes to instance (t + r) % instances: each thread alternates between instances.
    for (let t = 0; t < threads; t++) {
      const turn = nextTurn(`t${t}`, histories[t], r);
      if ((t + r) % instances === index) trail.record(turn);
    }
  }
  const recordedIn = Date.now() - started;
  const report = await trail.flush({ timeoutMs: 120_000 });
  const deliveredIn = Date.now() - started;
  await trail.shutdown();
  await store?.close();
  process.send({
    recordedIn,
    deliveredIn,
    late,
    ok: report.ok,
    stats: trail.stats(),
    errors: [...new Set(errors)],
  });
  process.disconnect();
});
process.send('ready');
