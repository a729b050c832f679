// `pnpm bench` in packages/redis: what the Redis store costs and saves. Needs Debian's redis-server.
//   1. Redis round trips and bytes per 1,000 turns, and the latency the store adds per batch;
//   2. Mielto requests per new thread, with the store and without;
//   3. whether 2 instances (child processes) sharing one Redis keep up with a fixed rate of turns.
// The backends are a minimal real HTTP server (bench/backend.mjs): the trail and Redis are measured.
// usage: node bench/run.mjs [--rounds 600] [--threads 200] [--round-ms 20] [--turns-per-thread 100]
//   [--no-store] [--delivery inline|worker]
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createChatTrail, melodi, mielto } from '@chattrail/core';
import { redisStore } from '../dist/index.js';
import { nextTurn, startBackend } from './backend.mjs';
import { startRedis } from './redis-server.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '600' },
    threads: { type: 'string', default: '200' },
    'round-ms': { type: 'string', default: '20' },
    'turns-per-thread': { type: 'string', default: '100' },
    // Default: 600 rounds of 200 turns every 20 ms, 10,000 turns/s offered for 12 s.
    // Without a store the trail would deliver from a worker thread; inline compares like with like.
    delivery: { type: 'string', default: 'inline' },
    'no-store': { type: 'boolean', default: false },
  },
});

const redis = await startRedis();
const backend = await startBackend();
const destinations = () => [
  mielto({ apiKey: 'k', baseUrl: backend.mieltoBaseUrl }),
  melodi({ apiKey: 'k', baseUrl: backend.melodiBaseUrl, projectId: 1 }),
];
/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}
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

  // 3. Two instances, each thread alternating between them, at a fixed total pace, with thread churn
  // (bench/instance.mjs). "Kept up" is judged as in core's bench/delivery-sustained.mjs: each instance
  // samples its backlog per destination (turns recorded, not yet delivered) every 20 ms; over the steady
  // part (after every slot's first, shorter thread ended) a trail that delivers µ under an offered λ > µ
  // sees it grow by λ − µ per second, one that keeps up sees a sawtooth around a level. Kept up: the
  // least-squares growth under 5% of the offered rate, nothing dropped, every turn delivered, and what
  // was left when recording stopped delivered within a second.
  {
    const rounds = Number(values.rounds);
    const threads = Number(values.threads);
    const roundMs = Number(values['round-ms']);
    const turnsPerThread = Number(values['turns-per-thread']);
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
          turnsPerThread,
          delivery: values.delivery,
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
    const turns = results.reduce((sum, r) => sum + r.recorded, 0);
    const recordedIn = Math.max(...results.map((r) => r.recordedIn)) / 1000;
    const deliveredIn = Math.max(...results.map((r) => r.deliveredIn)) / 1000;
    const offered = turns / recordedIn;
    // Every slot gets a turn per round, so its first thread ends within turnsPerThread rounds.
    const warm = Math.min(recordedIn / 2, (turnsPerThread * roundMs) / 1000);
    const names = Object.keys(results[0].stats.destinations);
    // The backlogs of both instances add up, and so do their slopes.
    const growth = Object.fromEntries(
      names.map((name) => [
        name,
        results.reduce(
          (sum, r) =>
            sum +
            slope(r.samples.filter(([at]) => at >= warm && at <= recordedIn).map(([at, b]) => [at, b[name]])),
          0,
        ),
      ]),
    );
    const backlogMean = Object.fromEntries(
      names.map((name) => [
        name,
        results.reduce((sum, r) => {
          const steady = r.samples.filter(([at]) => at >= warm && at <= recordedIn);
          return sum + steady.reduce((s, [, b]) => s + b[name], 0) / (steady.length || 1);
        }, 0),
      ]),
    );
    const backlogMax = Object.fromEntries(
      names.map((name) => [
        name,
        results.reduce((sum, r) => sum + Math.max(0, ...r.samples.map(([, b]) => b[name])), 0),
      ]),
    );
    // A turn is delivered when both backends have it.
    const delivered = Math.min(
      ...names.map((name) => results.reduce((sum, r) => sum + r.stats.destinations[name].sent, 0)),
    );
    const dropped = results.reduce(
      (sum, r) => sum + Object.values(r.stats.dropped).reduce((a, b) => a + b, 0),
      0,
    );
    const drain = deliveredIn - recordedIn;
    const keptUp =
      results.every((r) => r.ok) &&
      delivered === turns &&
      dropped === 0 &&
      drain <= 1 &&
      Object.values(growth).every((g) => g <= 0.05 * offered);
    const per1000 = (n) => Math.round((n / turns) * 1000).toLocaleString('en');
    console.log(
      `3. 2 instances ${values['no-store'] ? 'WITHOUT a store' : 'sharing one Redis'} (delivering ${values['no-store'] ? values.delivery : 'inline'}), ${threads} threads at a time of ${turnsPerThread} turns each, alternating between the instances; ${rounds} rounds every ${roundMs} ms`,
    );
    console.log(
      `   → ${keptUp ? 'KEPT UP' : 'FELL BEHIND'}: offered ${Math.round(offered).toLocaleString('en')} turns/s for ${recordedIn.toFixed(1)} s (${turns.toLocaleString('en')} turns; rounds late: ${results.map((r) => r.late).join(', ')}); ${delivered.toLocaleString('en')} delivered to both backends, the last ${(drain * 1000).toFixed(0)} ms after recording stopped: ${Math.round(delivered / deliveredIn).toLocaleString('en')} turns/s delivered over the run; ${dropped} dropped${dropped ? ` ${results.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r.stats.dropped).filter(([, n]) => n > 0)))).join(', ')}` : ''}`,
    );
    for (const name of names)
      console.log(
        `   ${name}: backlog after ${warm.toFixed(1)} s grew ${Math.round(growth[name])} turns/s (delivered ≈ ${Math.round(Math.min(offered, offered - growth[name])).toLocaleString('en')} turns/s), steady mean ${Math.round(backlogMean[name])}, max ${backlogMax[name]} (the instances' added)`,
      );
    console.log(
      `   Redis per 1,000 turns: ${per1000(after.commands - before.commands)} commands, ${per1000(after.bytesIn - before.bytesIn)} bytes in, ${per1000(after.bytesOut - before.bytesOut)} bytes out; onError: ${JSON.stringify(results.flatMap((r) => r.errors))}`,
    );
    console.log(
      `   load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}`,
    );
  }
} finally {
  await backend.close();
  await redis.stop();
}
