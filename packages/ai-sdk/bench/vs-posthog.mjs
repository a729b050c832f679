// `pnpm bench:vs-posthog` (issue 27): `generateText` per-call overhead on ai 6 when every call is a NEW
// thread (stateless endpoints), chattrail → Mielto and chattrail → Melodi against PostHog `withTracing`,
// all in one process, over real HTTP on loopback:
//   - bare: ai 6's MockLanguageModelV3 answering at once;
//   - chattrail → Mielto / → Melodi: `chatTrailMiddleware` with a trail of default options (on Node: a
//     worker thread delivers) whose one destination is the devserver (a child process); a new threadId
//     per call through `providerOptions.chattrail`;
//   - the same with `delivery: 'inline'` (the app's thread delivers, over the global `fetch`);
//   - PostHog `withTracing` (@posthog/ai) with a posthog-node client (default flushAt / flushInterval,
//     no geoip, no feature flags) sending to a loopback sink (a child process answering 200 `{}`); a new
//     trace id per call (withTracing takes it at wrap time, so the model is wrapped per call, as a server
//     wraps per request).
// Rounds alternate the variants so drift (GC, CPU frequency, neighbours) hits them alike; overhead is a
// variant minus the bare model of the same round, median over rounds. Per call: wall time, main-thread CPU
// (process.threadCpuUsage) and process CPU (all threads, the delivery worker included), over the calls
// only; then, separately, the flush that delivers what the round left (trail.flush() / posthog.flush()),
// and requests per call (the trail's stats, checked against the devserver's counters; the sink's counts).
// Usage: pnpm bench:vs-posthog [-- --rounds 5 --calls 2000 --backend devserver|sink --json out.json
//   --only mielto,melodi,posthog,mielto-inline,melodi-inline,mielto-no-lookup,noop --exchanges 4
//   --backend-nice 10]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createChatTrail, melodi, mielto } from '@chattrail/core';
import { withTracing } from '@posthog/ai/vercel';
import * as ai6 from 'ai-v6';
import { MockLanguageModelV3 } from 'ai-v6/test';
import { PostHog } from 'posthog-node';
import { startDevServerChild } from '../../core/bench/bench-kit.mjs';
import { chatTrailMiddleware } from '../dist/index.js';
import { startPeerSink } from './peer-sink.mjs';

// `pnpm bench:vs-posthog -- --rounds 3` passes the `--` through, and parseArgs takes what follows a `--`
// as positionals: drop it.
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    rounds: { type: 'string', default: '5' },
    calls: { type: 'string', default: '2000' },
    only: { type: 'string' },
    // 'sink': Mielto and Melodi answered by core's bench/sink-server.mjs (the smallest valid answers, no
    // store), so that the backend's own CPU, which shares this machine's cores, is as small as PostHog's.
    backend: { type: 'string', default: 'devserver' },
    json: { type: 'string' },
    // Question-and-answer pairs before each call's question; 0: every call is its thread's first turn,
    // which Mielto creates without a lookup.
    exchanges: { type: 'string', default: '4' },
    // Both backends (devserver or sink, and PostHog's sink) under `nice -n N`: on a real deployment the
    // backend is another machine, not a process competing with the app for these 2 cores.
    'backend-nice': { type: 'string', default: '0' },
  },
});
const ROUNDS = Number(values.rounds);
const CALLS = Number(values.calls);
globalThis.AI_SDK_LOG_WARNINGS = false;
const loadBefore = loadavg();

// ── PostHog's backend: a loopback sink in a child process (its CPU is not charged to this one).
const BACKEND_NICE = Number(values['backend-nice']);
const { url: sinkUrl, process: sink } = await startPeerSink({ nice: BACKEND_NICE });
/** CPU µs a child process has used so far (Linux; 0 elsewhere). */
const childCpuMicros = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime + stime, USER_HZ = 100
  } catch {
    return 0;
  }
};
const sinkRequests = async () =>
  Object.values(await (await fetch(`${sinkUrl}/__counts`)).json()).reduce((a, b) => a + b, 0);

// ── Mielto's and Melodi's backend: the devserver, in a child process.
const devserver = await startDevServerChild({ sink: values.backend === 'sink', nice: BACKEND_NICE });
const devserverRequests = async () => {
  const { byRoute } = (await devserver.stats()) ?? { byRoute: {} };
  const counts = {};
  for (const [route, n] of Object.entries(byRoute)) if (!route.includes('_devserver')) counts[route] = n;
  return counts;
};

// ── The chat: system prompt + 9 messages (`--exchanges 4`), the same for every variant.
const system = 'You are a helpful travel assistant. Answer briefly and cite the weather tool.';
const messages = [];
for (let i = 0; i < Number(values.exchanges); i++) {
  messages.push(
    {
      role: 'user',
      content: `Question ${i}: what should I pack for a weekend in city number ${i}? ${'Details. '.repeat(8)}`,
    },
    {
      role: 'assistant',
      content: `Answer ${i}: pack layers, an umbrella and comfortable shoes. ${'More. '.repeat(10)}`,
    },
  );
}
messages.push({ role: 'user', content: 'And for Paris next week?' });

const mockModel = () =>
  new MockLanguageModelV3({
    doGenerate: {
      content: [{ type: 'text', text: 'Pack a light raincoat, layers and walking shoes for Paris.' }],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: {
        inputTokens: { total: 250, noCache: 250, cacheRead: undefined, cacheWrite: undefined },
        outputTokens: { total: 40, text: 40, reasoning: undefined },
      },
      warnings: [],
      response: { id: 'resp-1', modelId: 'bench-model', timestamp: new Date(0) },
    },
  });

// ── Variants. Each `call(i, round)` makes one generateText call as a new thread / trace.
let errors = 0;
const onError = () => {
  errors++;
};
const run = `${process.pid}-${Date.now()}`;
// A new visitor per call. With one user for every call, Mielto's lookup before creating a conversation
// (`GET /conversations?user_id=…`, up to `lookupPages` pages of 1,000) lists all that user's conversations,
// so its cost grows with the run: see BENCHMARKS.md.
const userOf = (i, round) => `user-${run}-${round}-${i}`;

function chattrailVariant(name, destination, delivery) {
  const trail = createChatTrail({ destinations: [destination()], onError, ...(delivery && { delivery }) });
  const mock = mockModel();
  const model = ai6.wrapLanguageModel({ model: mock, middleware: chatTrailMiddleware({ trail }) });
  return {
    name,
    mock,
    trail,
    call: (i, round) =>
      ai6.generateText({
        model,
        system,
        messages,
        providerOptions: {
          chattrail: { threadId: `${name}-${run}-${round}-${i}`, userId: userOf(i, round) },
        },
      }),
    flush: () => trail.flush({ timeoutMs: 120_000 }),
    backendCpu: () => devserver.cpuSeconds() * 1e6,
    requests: async () => trail.stats().requests,
  };
}
const toMielto = (options) => mielto({ apiKey: 'bench', baseUrl: devserver.mieltoBaseUrl, ...options });
const toMelodi = () => melodi({ apiKey: 'bench', projectId: 1, baseUrl: devserver.melodiBaseUrl });

const posthog = new PostHog('phc_bench_key', { host: sinkUrl, disableGeoip: true });
const posthogMock = mockModel();
const bareMock = mockModel();
const allVariants = [
  {
    name: 'bare',
    label: 'bare model (MockLanguageModelV3)',
    mock: bareMock,
    call: () => ai6.generateText({ model: bareMock, system, messages }),
    flush: async () => {},
    backendCpu: () => 0,
  },
  { label: 'chattrail → Mielto (worker, default)', ...chattrailVariant('mielto', toMielto) },
  { label: 'chattrail → Melodi (worker, default)', ...chattrailVariant('melodi', toMelodi) },
  {
    name: 'posthog',
    label: 'PostHog withTracing (posthog-node → sink)',
    mock: posthogMock,
    call: (i, round) =>
      ai6.generateText({
        model: withTracing(posthogMock, posthog, {
          posthogDistinctId: userOf(i, round),
          posthogTraceId: `trace-${run}-${round}-${i}`,
        }),
        system,
        messages,
      }),
    flush: () => posthog.flush(),
    backendCpu: () => childCpuMicros(sink.pid),
    requests: sinkRequests,
  },
  {
    label: "chattrail → Mielto (delivery: 'inline', fetch)",
    ...chattrailVariant('mielto-inline', toMielto, 'inline'),
  },
  {
    label: "chattrail → Melodi (delivery: 'inline', fetch)",
    ...chattrailVariant('melodi-inline', toMelodi, 'inline'),
  },
];
// Opt-in (`--only …,mielto-no-lookup,noop`): Mielto without the lookup before a conversation is created;
// the middleware with a recorder that does nothing (the adapter's own share of the main thread).
const optIn = {
  noop: () => {
    const mock = mockModel();
    const middleware = chatTrailMiddleware({ trail: { record() {} } });
    const model = ai6.wrapLanguageModel({ model: mock, middleware });
    return {
      name: 'noop',
      label: 'chattrail middleware, no-op recorder',
      mock,
      call: (i, round) =>
        ai6.generateText({
          model,
          system,
          messages,
          providerOptions: { chattrail: { threadId: `noop-${run}-${round}-${i}`, userId: userOf(i, round) } },
        }),
      flush: async () => {},
      backendCpu: () => 0,
    };
  },
  'mielto-no-lookup': () => ({
    label: 'chattrail → Mielto, lookupPages: 0 (worker)',
    ...chattrailVariant('mielto-no-lookup', () => toMielto({ lookupPages: 0 })),
  }),
};
const only = values.only?.split(',');
const variants = only
  ? [
      ...allVariants.filter((v) => v.name === 'bare' || only.includes(v.name)),
      ...only.filter((name) => optIn[name]).map((name) => optIn[name]()),
    ]
  : allVariants;

// A real app does I/O between calls: yielding lets timers, sockets and worker messages run inside the
// measured time instead of piling up (same cost for every variant).
const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));
const cpuMicros = (u) => u.user + u.system;

async function measureRound(v, round, calls) {
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the previous variant's threads settle
  globalThis.gc?.();
  const requestsBefore = await v.requests?.();
  const backend0 = v.backendCpu();
  const t0 = performance.now();
  const process0 = process.cpuUsage();
  const main0 = process.threadCpuUsage();
  for (let i = 0; i < calls; i++) {
    await v.call(i, round);
    await yieldToEventLoop();
  }
  const t1 = performance.now();
  const process1 = process.cpuUsage();
  const main1 = process.threadCpuUsage();
  await v.flush();
  const t2 = performance.now();
  const process2 = process.cpuUsage();
  const main2 = process.threadCpuUsage();
  const requestsAfter = await v.requests?.();
  const backend2 = v.backendCpu();
  v.mock.doGenerateCalls.length = 0; // the mock keeps every call's options
  return {
    wall: ((t1 - t0) * 1000) / calls,
    main: (cpuMicros(main1) - cpuMicros(main0)) / calls,
    process: (cpuMicros(process1) - cpuMicros(process0)) / calls,
    flushMs: t2 - t1,
    flushProcessCpuMs: (cpuMicros(process2) - cpuMicros(process1)) / 1000,
    flushMainCpuMs: (cpuMicros(main2) - cpuMicros(main1)) / 1000,
    // Everything the round cost, calls + flush, per call: the app's thread, and the process.
    totalMain: (cpuMicros(main2) - cpuMicros(main0)) / calls,
    totalProcess: (cpuMicros(process2) - cpuMicros(process0)) / calls,
    // The backend's child process (devserver or sink), calls + flush: it competes for the same cores.
    backend: (backend2 - backend0) / calls,
    requests: v.requests ? (requestsAfter - requestsBefore) / calls : 0,
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

const command = `pnpm --filter @chattrail/ai-sdk bench:vs-posthog -- --rounds ${ROUNDS} --calls ${CALLS} --backend ${values.backend} --exchanges ${values.exchanges}${values.only ? ` --only ${values.only}` : ''}`;
console.log(
  `generateText, a new thread per call · ai 6 · node ${process.version} · ${CALLS} calls × ${ROUNDS} rounds, alternating · load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')}`,
);
console.log(`Mielto/Melodi: ${values.backend} ${devserver.url} · PostHog sink ${sinkUrl}\n`);

for (const v of variants) await measureRound(v, 'warm', Math.min(CALLS, 300)); // JIT, workers, connections
const devserverBefore = await devserverRequests();
const results = new Map(variants.map((v) => [v, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const v of variants) results.get(v).push(await measureRound(v, round, CALLS));
  process.stderr.write(`round ${round + 1}/${ROUNDS}\r`);
}
process.stderr.write('\n');
const devserverAfter = await devserverRequests();

const bare = variants[0];
const over = (v, key) => median(results.get(v).map((r, i) => r[key] - results.get(bare)[i][key]));
const med = (v, key) => median(results.get(v).map((r) => r[key]));
const rows = variants.map((v) => ({
  variant: v.label,
  'wall µs/call': Math.round(med(v, 'wall')),
  'wall added': v === bare ? '-' : Math.round(over(v, 'wall')),
  'main CPU µs/call': Math.round(med(v, 'main')),
  'main CPU added': v === bare ? '-' : Math.round(over(v, 'main')),
  'process CPU added': v === bare ? '-' : Math.round(over(v, 'process')),
  'flush ms': Math.round(med(v, 'flushMs')),
  'flush CPU ms': Math.round(med(v, 'flushProcessCpuMs')),
  'main CPU added incl. flush': v === bare ? '-' : Math.round(over(v, 'totalMain')),
  'process CPU added incl. flush': v === bare ? '-' : Math.round(over(v, 'totalProcess')),
  'backend CPU µs/call': Math.round(med(v, 'backend')),
  'requests/call': v === bare ? '-' : med(v, 'requests').toFixed(3),
}));
console.table(rows);
const devserverRoutes = Object.fromEntries(
  Object.entries(devserverAfter)
    .map(([route, n]) => [route, n - (devserverBefore[route] ?? 0)])
    .filter(([, n]) => n > 0),
);
console.log(`devserver requests during the measured rounds, by route: ${JSON.stringify(devserverRoutes)}`);
const drops = Object.fromEntries(
  variants.filter((v) => v.trail).map((v) => [v.name, v.trail.stats().dropped]),
);
console.log(`trail drops: ${JSON.stringify(drops)} · onError calls: ${errors}`);

const ph = variants.find((v) => v.name === 'posthog');
if (ph) {
  console.log('\nagainst PostHog (added over bare, same round, median):');
  for (const v of variants.filter((x) => x.trail)) {
    const verdict = (key) =>
      `${Math.round(over(v, key))} vs ${Math.round(over(ph, key))} µs → ${over(v, key) <= over(ph, key) ? 'at or below' : 'ABOVE'}`;
    console.log(
      `  ${v.label}: wall ${verdict('wall')} · main-thread CPU ${verdict('main')} (incl. flush ${verdict('totalMain')}) · process CPU incl. flush ${verdict('totalProcess')}`,
    );
  }
}
const loadAfter = loadavg();
console.log(`\nload average after: ${loadAfter.map((x) => x.toFixed(2)).join(' ')}\ncommand: ${command}`);
if (values.json) {
  const { writeFileSync } = await import('node:fs');
  const raw = Object.fromEntries([...results].map(([v, rs]) => [v.name, rs]));
  writeFileSync(
    values.json,
    JSON.stringify({ command, loadBefore, loadAfter, rows, raw, devserverRoutes, drops }, null, 2),
  );
}

await posthog.shutdown(2_000).catch(() => {});
for (const v of variants) await v.trail?.shutdown({ timeoutMs: 5_000 });
await devserver.close();
sink.kill();
