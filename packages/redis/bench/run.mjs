// `pnpm bench` in packages/redis: what the Redis store costs and saves. Needs Debian's redis-server.
//   1. Redis round trips and bytes per 1,000 turns, and the latency the store adds per batch;
//   2. Mielto requests per new thread, with the store and without;
//   3. turns/s sustained by 2 instances (child processes) sharing one Redis.
// The backends are a minimal real HTTP server (bench/backend.mjs): the trail and Redis are measured.
// usage: node bench/run.mjs [--rounds 30] [--threads 1000] [--round-ms 100] [--no-store]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createChatTrail, melodi, mielto } from '@chattrail/core';
import { redisStore } from '../dist/index.js';
import { nextTurn, startBackend } from './backend.mjs';
import { startRedis } from './redis-server.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '30' },
    threads: { type: 'string', default: '1000' },
    'round-ms': { type: 'string', default: '100' },
    // Default: 30 rounds of 1,000 turns every 100 ms, 10,000 turns/s offered for 3 s.
    'no-store': { type: 'boolean', default: false },
  },
});

const redis = await startRedis();
const backend = await startBackend();
const destinations = () => [
  mielto({ apiKey: 'k', baseUrl: backend.mieltoBaseUrl }),
  melodi({ apiKey: 'k', baseUrl: backend.melodiBaseUrl, projectId: 1 }),
];
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

try {
  // 1. 50 threads x 20 turns; each round records one turn per thread (each resending its history), then
  // flushes: 20 batches per destination, of 50 threads each.
  {
    const store = redisStore({ url: redis.url }, { prefix: 'bench1' });
    // Each store call is one command, one round trip (Redis's own counters also count the commands a
    // script runs). Batch syncs (more than one thread) are timed: the latency a batch waits for.
    const times = [];
    const calls = {};
    const timed = {};
    for (const method of ['sync', 'setValue', 'remove', 'lock', 'unlock']) {
      timed[method] = async (...args) => {
        calls[method] = (calls[method] ?? 0) + 1;
        const started = process.hrtime.bigint();
        try {
          return await store[method](...args);
        } finally {
          if (method === 'sync' && args[1].length > 1)
            times.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
      };
    }
    const trail = createChatTrail({ destinations: destinations(), store: timed });
    const histories = Array.from({ length: 50 }, () => []);
    const before = await redis.counters();
    for (let k = 0; k < 20; k++) {
      for (let t = 0; t < 50; t++) trail.record(nextTurn(`bench1-${t}`, histories[t], k));
      await trail.flush();
    }
    const after = await redis.counters();
    await trail.shutdown();
    await store.close();
    const sorted = times.slice().sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    console.log(
      '1. Redis per 1,000 turns (50 threads x 20 turns, 2 messages new per turn, batches of 50 threads)',
    );
    const trips = Object.values(calls).reduce((a, b) => a + b, 0);
    console.log(
      `   round trips ${trips}: ${JSON.stringify(calls)}; batch syncs ${times.length} (one per destination per batch), the rest creating 50 conversations (lock, check, set, unlock)`,
    );
    console.log(`   commands Redis ran, those in scripts included: ${after.commands - before.commands - 1}`);
    console.log(
      `   bytes to Redis ${(after.bytesIn - before.bytesIn).toLocaleString('en')}, from Redis ${(after.bytesOut - before.bytesOut).toLocaleString('en')}`,
    );
    console.log(
      `   latency added per batch (one sync): mean ${mean.toFixed(2)} ms, p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms`,
    );
  }

  // 2. 200 new threads, one turn each (a question and its answer).
  for (const withStore of [false, true]) {
    backend.reset();
    const store = withStore ? redisStore({ url: redis.url }, { prefix: 'bench2' }) : undefined;
    const trail = createChatTrail({ destinations: destinations(), ...(store ? { store } : {}) });
    for (let t = 0; t < 200; t++) trail.record(nextTurn(`bench2-${withStore}-${t}`, [], 0));
    await trail.flush();
    await trail.shutdown();
    await store?.close();
    const mieltoRequests = ['GET /conversations', 'POST /conversations', 'POST /messages'].map(
      (r) => backend.routes[r] ?? 0,
    );
    console.log(
      `2. Mielto requests per new thread ${withStore ? 'with the store   ' : 'without the store'}: ${(mieltoRequests.reduce((a, b) => a + b, 0) / 200).toFixed(2)} (lookups ${mieltoRequests[0]}, creations ${mieltoRequests[1]}, appends ${mieltoRequests[2]} for 200 threads)`,
    );
  }

  // 3. Two instances, each thread alternating between them, at a fixed total pace.
  {
    const rounds = Number(values.rounds);
    const threads = Number(values.threads);
    const roundMs = Number(values['round-ms']);
    const before = await redis.counters();
    const children = [0, 1].map((index) =>
      fork(fileURLToPath(new URL('./instance.mjs', import.meta.url)), [
        JSON.stringify({
          redisUrl: redis.url,
          ...backend,
          routes: undefined,
          index,
          instances: 2,
          threads,
          rounds,
          roundMs,
          withStore: !values['no-store'],
        }),
      ]),
    );
    await Promise.all(children.map((child) => new Promise((resolve) => child.once('message', resolve))));
    const startAt = Date.now() + 200;
    const results = await Promise.all(
      children.map((child) => {
        const result = new Promise((resolve) => child.once('message', resolve));
        child.send({ startAt });
        return result;
      }),
    );
    const after = await redis.counters();
    const turns = results.reduce((sum, r) => sum + r.stats.recorded, 0);
    // A turn delivery per destination: a turn is delivered when both backends have it.
    const delivered = results.reduce((sum, r) => sum + r.stats.sent, 0) / 2;
    const recordedIn = Math.max(...results.map((r) => r.recordedIn));
    const deliveredIn = Math.max(...results.map((r) => r.deliveredIn));
    console.log(
      `3. 2 instances ${values['no-store'] ? 'WITHOUT a store' : 'sharing one Redis'}, ${threads} threads alternating between them, ${rounds} rounds every ${roundMs} ms`,
    );
    console.log(
      `   recorded ${turns.toLocaleString('en')} turns in ${(recordedIn / 1000).toFixed(1)} s (${Math.round(turns / (recordedIn / 1000)).toLocaleString('en')}/s offered; rounds late: ${results.map((r) => r.late).join(', ')})`,
    );
    console.log(
      `   ${delivered.toLocaleString('en')} delivered to both backends, the last ${(deliveredIn / 1000).toFixed(1)} s after the start: ${Math.round(delivered / (deliveredIn / 1000)).toLocaleString('en')} turns/s sustained`,
    );
    console.log(
      `   sent ${results.map((r) => r.stats.sent).join(' + ')} turn deliveries; dropped ${results.map((r) => JSON.stringify(r.stats.dropped)).join(', ')}`,
    );
    console.log(
      `   Redis: ${(after.commands - before.commands).toLocaleString('en')} commands, ${((after.bytesIn - before.bytesIn) / 1e6).toFixed(1)} MB in, ${((after.bytesOut - before.bytesOut) / 1e6).toFixed(1)} MB out; errors: ${JSON.stringify(results.flatMap((r) => r.errors))}`,
    );
  }
} finally {
  await backend.close();
  await redis.stop();
}
