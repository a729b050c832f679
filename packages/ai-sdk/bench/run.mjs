// `pnpm bench`: what recording costs an AI SDK app, side by side in one process, on a zero-latency mock
// model (no network, so only instrumentation is measured):
//   - generateText calls/s, streamText chunks/s and time to the first chunk, for
//     (a) the bare model, (b) chatTrailMiddleware with a real trail whose destination does no I/O (and,
//     to isolate the adapter, with a no-op recorder), (c) PostHog `withTracing` (@posthog/ai) with
//     posthog-node sending to a loopback sink, (d) LangSmith `wrapAISDK` (its AI SDK middleware inside
//     its traceable wrapper) with a langsmith Client sending to the same loopback sink;
//   - peers run on ai 6 (PostHog's withTracing throws for ai 7's V4 models); ours also on ai 5 and ai 7.
// Rates are per CPU-second of this process (all its threads), measured over each round's calls plus the
// drain of the wrapper's background delivery (flush), so deferred work counts and idle waits (timers,
// loopback round trips) do not; the sink that stands in for the peers' backends runs in a child process.
// Overheads are reported as ratios to the bare model and as CPU µs per call / per chunk.
// Every call here is in one thread; `pnpm bench:vs-posthog` (vs-posthog.mjs) measures a new thread per call,
// chattrail → Mielto / → Melodi over loopback HTTP against PostHog (issue 27).
// Usage: pnpm bench [-- --rounds 9 --calls 1000 --streams 2 --stream-rounds 25 --chunks 1000 --ttfc 400 --json out.json]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import * as core from '@chattrail/core';
import { withTracing } from '@posthog/ai/vercel';
import * as ai7 from 'ai';
import * as ai5 from 'ai-v5';
import * as ai6 from 'ai-v6';
import { Client as LangSmithClient } from 'langsmith';
import { wrapAISDK } from 'langsmith/experimental/vercel';
import { PostHog } from 'posthog-node';
import { chatTrailMiddleware } from '../dist/index.js';
import { startPeerSink } from './peer-sink.mjs';

// `pnpm bench -- --rounds 3` passes the `--` through, and parseArgs takes what follows a `--` as
// positionals (the flags were silently ignored): drop it.
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    rounds: { type: 'string', default: '9' },
    calls: { type: 'string', default: '1000' },
    chunks: { type: 'string', default: '1000' },
    streams: { type: 'string', default: '2' },
    'stream-rounds': { type: 'string', default: '25' },
    ttfc: { type: 'string', default: '400' },
    json: { type: 'string' },
    // Only the bare model and chattrail (no peers): a quieter measurement of our own overhead.
    'no-peers': { type: 'boolean', default: false },
    // Fresh-process pairs (bare vs chattrail) for stream throughput: repetitions per ai version (0 = skip).
    isolated: { type: 'string', default: '5' },
  },
});
const ROUNDS = Number(values.rounds);
const CALLS = Number(values.calls);
const CHUNKS = Number(values.chunks);
const STREAMS = Number(values.streams);
const STREAM_ROUNDS = Number(values['stream-rounds']);
const TTFC_RUNS = Number(values.ttfc);
globalThis.AI_SDK_LOG_WARNINGS = false;

// ── A loopback sink for the peers' HTTP clients (see peer-sink.mjs).
const { url: sinkUrl, process: sinkProcess } = await startPeerSink();

// ── Zero-latency models: plain objects (the ai/test mocks record every call, which would grow memory).
const history = [
  {
    role: 'system',
    content: 'You are a helpful travel assistant. Answer briefly and cite the weather tool.',
  },
];
for (let i = 0; i < 4; i++) {
  history.push({
    role: 'user',
    content: `Question ${i}: what should I pack for a weekend in city number ${i}? ${'Details. '.repeat(8)}`,
  });
  history.push({
    role: 'assistant',
    content: `Answer ${i}: pack layers, an umbrella and comfortable shoes. ${'More. '.repeat(10)}`,
  });
}
history.push({ role: 'user', content: 'And for Paris next week?' });
const messages = history.filter((m) => m.role !== 'system');
const system = history[0].content;

const usageV2 = { inputTokens: 250, outputTokens: 40, totalTokens: 290 };
const usageV3 = {
  inputTokens: { total: 250, noCache: 250, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 40, text: 40, reasoning: undefined },
};
function mockModel(spec) {
  const v2 = spec === 'v2';
  const finish = v2 ? 'stop' : { unified: 'stop', raw: 'stop' };
  const usage = v2 ? usageV2 : usageV3;
  const generateResult = {
    content: [{ type: 'text', text: 'Pack a light raincoat, layers and walking shoes for Paris.' }],
    finishReason: finish,
    usage,
    warnings: [],
    response: { id: 'resp-1', modelId: 'bench-model', timestamp: new Date(0) },
  };
  const parts = [
    { type: 'stream-start', warnings: [] },
    { type: 'response-metadata', id: 'resp-1', modelId: 'bench-model', timestamp: new Date(0) },
    { type: 'text-start', id: 't' },
  ];
  for (let i = 0; i < CHUNKS; i++) parts.push({ type: 'text-delta', id: 't', delta: 'word ' });
  parts.push({ type: 'text-end', id: 't' }, { type: 'finish', finishReason: finish, usage });
  return {
    specificationVersion: spec,
    provider: 'bench',
    modelId: 'bench-model',
    supportedUrls: {},
    doGenerate: async () => generateResult,
    doStream: async () => ({
      stream: new ReadableStream({
        start(controller) {
          for (const part of parts) controller.enqueue(part);
          controller.close();
        },
      }),
    }),
  };
}

// ── Recorders.
const noopRecorder = { record() {} };
let trail;
let trailNote =
  'createChatTrail is not exported by @chattrail/core yet: the "trail" row uses the no-op recorder';
if (typeof core.createChatTrail === 'function') {
  // A real trail (sampling, normalisation, per-destination queue and batching) whose one destination
  // accepts every batch and does no I/O: the full in-process cost, without a backend.
  const nullDestination = { name: 'null', send: async (items) => items.map(() => ({ status: 'sent' })) };
  trail = core.createChatTrail({ destinations: [nullDestination] });
  trailNote = 'createChatTrail({ destinations: [a destination that accepts every batch and does no I/O] })';
} else trail = noopRecorder;

// ── Variants: name → { ai, model, generateText, streamText }.
const posthog = new PostHog('phc_bench_key', { host: sinkUrl, flushAt: 20, flushInterval: 10_000 });
const langsmithClient = new LangSmithClient({
  apiUrl: sinkUrl,
  apiKey: 'lsv2_bench',
  autoBatchTracing: true,
});
const langsmithAi = wrapAISDK(ai6, { client: langsmithClient, tracingEnabled: true, project_name: 'bench' });

// Each variant's background delivery is drained inside its own measured time: work a wrapper defers
// (batching, serialising, HTTP) is its cost, and must not land in the next variant's window.
const drainTrail = () => trail.flush?.({ timeoutMs: 10_000 });
const drainPosthog = () => posthog.flush();
const drainLangsmith = () => langsmithClient.awaitPendingTraceBatches();

const ours = (ai, spec, recorder) =>
  ai.wrapLanguageModel({
    model: mockModel(spec),
    middleware: chatTrailMiddleware({
      trail: recorder,
      threadId: 'bench-thread',
      user: { id: 'bench-user' },
    }),
  });

const allVariants = [
  { group: 'ai 6', name: 'bare model', ai: ai6, model: mockModel('v3') },
  {
    group: 'ai 6',
    name: 'wrapLanguageModel, empty middleware',
    ai: ai6,
    model: ai6.wrapLanguageModel({ model: mockModel('v3'), middleware: { specificationVersion: 'v3' } }),
  },
  { group: 'ai 6', name: 'chattrail (no-op recorder)', ai: ai6, model: ours(ai6, 'v3', noopRecorder) },
  { group: 'ai 6', name: 'chattrail (trail)', ai: ai6, model: ours(ai6, 'v3', trail), drain: drainTrail },
  {
    group: 'ai 6',
    name: 'PostHog withTracing',
    ai: ai6,
    model: withTracing(mockModel('v3'), posthog, {
      posthogDistinctId: 'bench-user',
      posthogTraceId: 'bench-trace',
    }),
    drain: drainPosthog,
  },
  {
    group: 'ai 6',
    name: 'LangSmith wrapAISDK',
    ai: langsmithAi,
    model: mockModel('v3'),
    drain: drainLangsmith,
  },
  { group: 'ai 5', name: 'bare model', ai: ai5, model: mockModel('v2') },
  { group: 'ai 5', name: 'chattrail (trail)', ai: ai5, model: ours(ai5, 'v2', trail), drain: drainTrail },
  { group: 'ai 7', name: 'bare model', ai: ai7, model: mockModel('v4') },
  { group: 'ai 7', name: 'chattrail (trail)', ai: ai7, model: ours(ai7, 'v4', trail), drain: drainTrail },
];
const PEERS = new Set(['PostHog withTracing', 'LangSmith wrapAISDK']);
const variants = values['no-peers'] ? allVariants.filter((v) => !PEERS.has(v.name)) : allVariants;

// A real app does I/O between calls; yielding to the event loop lets the peers' HTTP clients and the
// trail's timers run inside the measured time instead of piling up (same cost for every variant).
const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

/** CPU seconds of this process (all threads) since `start`: idle waits (timers, loopback I/O) excluded. */
const cpuSecondsSince = (start) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};

async function generateRound(v) {
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) {
    await v.ai.generateText({ model: v.model, system, messages });
    await yieldToEventLoop();
  }
  await v.drain?.();
  return CALLS / cpuSecondsSince(start);
}

async function streamRound(v) {
  let chunks = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < STREAMS; i++) {
    const result = v.ai.streamText({ model: v.model, system, messages });
    for await (const _ of result.textStream) chunks++;
    await yieldToEventLoop();
  }
  await v.drain?.();
  const seconds = cpuSecondsSince(start);
  if (chunks !== STREAMS * CHUNKS) throw new Error(`${v.name}: got ${chunks} chunks`);
  return chunks / seconds;
}

/** µs from streamText() to the first text chunk in the caller's hands (one sample). */
async function firstChunkSample(v) {
  const start = performance.now();
  const result = v.ai.streamText({ model: v.model, system, messages });
  const reader = result.textStream.getReader();
  await reader.read();
  const micros = (performance.now() - start) * 1000;
  while (!(await reader.read()).done) {
    // finish the stream so every variant records its turn
  }
  await yieldToEventLoop();
  return micros;
}

/** Median first-chunk time per variant, sampled round-robin so drift hits every variant alike. */
async function measureFirstChunk() {
  const samples = new Map(variants.map((v) => [v, []]));
  for (let i = 0; i < TTFC_RUNS + 20; i++) {
    for (const v of variants) {
      const micros = await firstChunkSample(v);
      if (i >= 20) samples.get(v).push(micros); // the first 20 rounds warm up
    }
    if (i % 50 === 0) {
      for (const v of variants) await v.drain?.();
      process.stderr.write(`first chunk: ${i}/${TTFC_RUNS + 20}\r`);
    }
  }
  process.stderr.write('\n');
  for (const v of variants) await v.drain?.();
  return new Map([...samples].map(([v, xs]) => [v, median(xs)]));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function measure(label, fn, rounds = ROUNDS) {
  const results = new Map(variants.map((v) => [v, []]));
  for (const v of variants) await fn(v); // warm-up (JIT, lazy imports, peers' first HTTP requests)
  for (let round = 0; round < rounds; round++) {
    // Interleaved, so drift (GC, CPU frequency) hits every variant alike.
    for (const v of variants) {
      // Let whatever the previous variant left running (worker threads, sockets) settle, then collect,
      // so that its CPU time is not charged to this one.
      await new Promise((resolve) => setTimeout(resolve, 20));
      globalThis.gc?.();
      results.get(v).push(await fn(v));
    }
    process.stderr.write(`${label}: round ${round + 1}/${rounds}\r`);
  }
  process.stderr.write('\n');
  return results; // per variant: one rate per round
}

/**
 * Paired statistics against the bare model of the same ai version: every round measured all variants
 * back to back, so a round's ratio cancels what drifted between rounds; the median over rounds is kept.
 */
function versus(results, v, bare) {
  const rates = results.get(v);
  const bareRates = results.get(bare);
  return {
    rate: median(rates),
    ratio: median(rates.map((r, i) => r / bareRates[i])),
    addedMicros: median(rates.map((r, i) => 1e6 / r - 1e6 / bareRates[i])),
  };
}

// ── The adapter alone: wrapGenerate around an already-resolved doGenerate, no `ai` around it.
async function adapterAlone(recorder, spec) {
  const middleware = chatTrailMiddleware({ trail: recorder, threadId: 'bench-thread' });
  const model = mockModel(spec);
  const params = {
    prompt: [
      { role: 'system', content: system },
      ...messages.map((m) => ({ role: m.role, content: [{ type: 'text', text: m.content }] })),
    ],
  };
  const doGenerate = model.doGenerate;
  const n = 20_000;
  for (let i = 0; i < 2000; i++) await middleware.wrapGenerate({ doGenerate, params, model });
  const samples = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) await middleware.wrapGenerate({ doGenerate, params, model });
    const bare = performance.now();
    for (let i = 0; i < n; i++) await doGenerate();
    const end = performance.now();
    samples.push((bare - start - (end - bare)) / n);
  }
  return median(samples) * 1000; // µs
}

console.log(
  `@chattrail/ai-sdk benchmark · node ${process.version} · ${CALLS} calls × ${ROUNDS} rounds, ${STREAMS} streams × ${CHUNKS} chunks × ${STREAM_ROUNDS} rounds`,
);
console.log(
  `prompt: system + ${messages.length} messages (${JSON.stringify(history).length} chars); trail: ${trailNote}`,
);
console.log(`peers send to a loopback sink at ${sinkUrl}\n`);

// ── The stream tap alone: draining a model stream directly, through the middleware's wrapStream, and
// through the textbook `pipeThrough(new TransformStream(...))` pass-through, for comparison.
async function tapAlone() {
  const N = 200_000;
  const part = { type: 'text-delta', id: 't', delta: 'x' };
  const source = () =>
    new ReadableStream({
      start(controller) {
        for (let i = 0; i < N; i++) controller.enqueue(part);
        controller.close();
      },
    });
  const drain = async (stream) => {
    const reader = stream.getReader();
    while (!(await reader.read()).done) {
      // the read is the work
    }
  };
  const middleware = chatTrailMiddleware({ trail: noopRecorder, threadId: 't' });
  const model = { specificationVersion: 'v3', provider: 'bench', modelId: 'bench' };
  const ways = {
    'model stream read directly': async (s) => drain(s),
    'chattrail wrapStream (pull tap)': async (s) =>
      drain(
        (
          await middleware.wrapStream({
            doStream: async () => ({ stream: s }),
            params: { prompt: [] },
            model,
          })
        ).stream,
      ),
    'pipeThrough(TransformStream)': async (s) =>
      drain(s.pipeThrough(new TransformStream({ transform: (c, ctl) => ctl.enqueue(c) }))),
  };
  const results = {};
  for (const [name, way] of Object.entries(ways)) {
    const samples = [];
    for (let r = 0; r < ROUNDS; r++) {
      const s = source();
      const start = performance.now();
      await way(s);
      samples.push(N / ((performance.now() - start) / 1000));
    }
    results[name] = Math.round(median(samples));
  }
  return results;
}

/** Stream throughput of bare vs chattrail, each in its own fresh process, alternated; CPU µs per chunk. */
async function isolatedStreams(repetitions) {
  const script = new URL('./isolated-stream.mjs', import.meta.url).pathname;
  const once = (version, variant) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', script, version, variant], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.once('exit', (code) =>
        code === 0
          ? resolve(JSON.parse(out).cpuMicrosPerChunk)
          : reject(new Error(`${script} exited ${code}`)),
      );
    });
  const results = {};
  for (const version of ['ai5', 'ai6', 'ai7']) {
    const bare = [];
    const ours = [];
    for (let i = 0; i < repetitions; i++) {
      bare.push(await once(version, 'bare'));
      ours.push(await once(version, 'chattrail'));
      process.stderr.write(`isolated streams ${version}: ${i + 1}/${repetitions}\r`);
    }
    const b = median(bare);
    const o = median(ours);
    results[version] = { bareMicrosPerChunk: b, chattrailMicrosPerChunk: o, ratio: b / o };
  }
  process.stderr.write('\n');
  return results;
}

const generate = await measure('generateText', generateRound);
// Many short paired rounds: a stream's rate swings with GC timing, a median over many pairs does not.
const stream = await measure('streamText', streamRound, STREAM_ROUNDS);
const ttfc = await measureFirstChunk();
const adapterNoop = await adapterAlone(noopRecorder, 'v3');
const adapterTrail = await adapterAlone(trail, 'v3');
const tap = await tapAlone();
const isolated = Number(values.isolated) > 0 ? await isolatedStreams(Number(values.isolated)) : undefined;

const rows = [];
for (const v of variants) {
  const bare = variants.find((b) => b.group === v.group && b.name === 'bare model');
  const g = versus(generate, v, bare);
  const st = versus(stream, v, bare);
  rows.push({
    ai: v.group,
    variant: v.name,
    'calls/cpu-s': Math.round(g.rate),
    'call ratio': g.ratio.toFixed(3),
    'µs/call added': v === bare ? '-' : g.addedMicros.toFixed(1),
    'chunks/cpu-s': Math.round(st.rate),
    'chunk ratio': st.ratio.toFixed(3),
    'µs/chunk added': v === bare ? '-' : st.addedMicros.toFixed(3),
    'first chunk µs (wall)': Math.round(ttfc.get(v)),
    'first chunk added µs': v === bare ? '-' : Math.round(ttfc.get(v) - ttfc.get(bare)),
  });
}
console.table(rows);
if (isolated) {
  console.log(
    `stream throughput in fresh processes (CPU µs per chunk, median of ${values.isolated} alternating runs of 150 streams × 1,000 chunks; ratio = chattrail throughput / bare):`,
  );
  for (const [version, r] of Object.entries(isolated)) {
    console.log(
      `  ${version.replace('ai', 'ai ')}: bare ${r.bareMicrosPerChunk.toFixed(2)} µs, chattrail (trail) ${r.chattrailMicrosPerChunk.toFixed(2)} µs → ${r.ratio.toFixed(3)}`,
    );
  }
}
console.log(
  `stream tap alone (parts/s, median of ${ROUNDS} drains of 200,000 parts): ${Object.entries(tap)
    .map(([name, rate]) => `${name} ${rate.toLocaleString('en-US')}`)
    .join(' · ')}`,
);
console.log(
  `adapter alone (wrapGenerate over a resolved doGenerate, same prompt): ${adapterNoop.toFixed(2)} µs/call with a no-op recorder, ${adapterTrail.toFixed(2)} µs/call with the trail`,
);

const added = (name) =>
  Number(rows.find((r) => r.ai === 'ai 6' && r.variant === name)?.['µs/call added'] ?? Number.NaN);
const oursAdded = added('chattrail (trail)');
const peers = [
  ['PostHog withTracing', added('PostHog withTracing')],
  ['LangSmith wrapAISDK', added('LangSmith wrapAISDK')],
];
const [bestPeerName, bestPeer] = peers.sort((a, b) => a[1] - b[1])[0];
const streamRatio = Number(
  rows.find((r) => r.ai === 'ai 6' && r.variant === 'chattrail (trail)')['chunk ratio'],
);
const ttfcOf = (name) => ttfc.get(variants.find((v) => v.group === 'ai 6' && v.name === name));
const ttfcOurs = ttfcOf('chattrail (trail)');
const ttfcEmpty = ttfcOf('wrapLanguageModel, empty middleware');
console.log('\ntargets (ai 6, chattrail with the trail):');
if (values['no-peers'])
  console.log(`  per-call overhead ${oursAdded.toFixed(1)} µs (peers not run: --no-peers)`);
else {
  console.log(
    `  per-call overhead ${oursAdded.toFixed(1)} µs vs best peer (${bestPeerName}) ${bestPeer.toFixed(1)} µs → ${(oursAdded / bestPeer).toFixed(2)} of it (target ≤ 0.5): ${oursAdded <= bestPeer / 2 ? 'met' : 'NOT met'}`,
  );
}
console.log(
  `  stream throughput ${streamRatio.toFixed(3)} of bare in this process${isolated ? `, ${isolated.ai6.ratio.toFixed(3)} in fresh processes (ai 5 ${isolated.ai5.ratio.toFixed(3)}, ai 7 ${isolated.ai7.ratio.toFixed(3)})` : ''} (target ≥ 0.95)`,
);
console.log(
  `  first chunk (median): bare ${Math.round(ttfcOf('bare model'))} µs, wrapLanguageModel with an empty middleware ${Math.round(ttfcEmpty)} µs, chattrail ${Math.round(ttfcOurs)} µs → ${(ttfcOurs - ttfcEmpty).toFixed(0)} µs beyond the SDK's own wrapping; nothing is awaited before the first chunk but doStream itself`,
);
console.log('  a new thread per call, to Mielto / Melodi over HTTP, against PostHog: pnpm bench:vs-posthog');
const sinkCounts = await (await fetch(`${sinkUrl}/__counts`)).json();
console.log(`\nsink received: ${JSON.stringify(sinkCounts)}`);
if (values.json) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    values.json,
    JSON.stringify({ rows, adapterNoop, adapterTrail, tap, isolated, sink: sinkCounts }, null, 2),
  );
}

await posthog.shutdown(2_000).catch(() => {});
await langsmithClient.awaitPendingTraceBatches?.().catch?.(() => {});
await trail.shutdown?.({ timeoutMs: 2_000 });
sinkProcess.kill();
