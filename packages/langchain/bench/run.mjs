// `pnpm bench` (in packages/langchain, after a build): what our callback handler costs per chat-model
// call, next to no handler at all and to Langfuse's LangChain handler, in one process, on one fake model.
//
// Every variant delivers for real, over loopback HTTP, to a sink server started in this process on a worker
// thread (bench/sink-worker.mjs: it answers Mielto, Melodi and Langfuse's OTLP endpoint with minimal valid
// bodies and discards them; on its own thread, as a remote backend's work would not load the app's):
//   none                 no callbacks
//   chattrail            ChatTrailCallbackHandler → createChatTrail → mielto() + melodi() → sink
//   chattrail (512/5s)   the same with Langfuse's default batching (512 items or 5 s) instead of ours (20 or 1 s)
//   chattrail (record)   the handler alone, recording into a no-op recorder (the handler's own cost)
//   noop handler         an awaited handler that does nothing: what LangChain itself charges per handler
//   langfuse             @langfuse/langchain CallbackHandler → LangfuseSpanProcessor (OTLP) → sink. The
//                        minimum OTel setup it needs: a BasicTracerProvider with that processor, handed to
//                        Langfuse through setLangfuseTracerProvider (no global provider, no context manager).
//
// Two numbers per variant, in main-thread CPU time per call (wall time on Node < 23.9), median over rounds:
//   invoke/call    the awaited model.invoke() loop: the work done while the app waits for the model call
//   total/call     the same loop plus draining LangChain's background callback queue and flushing the
//                  exporter: all the work the logging costs (Langfuse's handler runs on the background
//                  queue, ours inline, so only this column compares the whole work)
// Rounds interleave the variants so that machine noise hits them alike. Bounded: ROUNDS × CALLS calls.
//
// usage: node bench/run.mjs [--calls 1000] [--rounds 7] [--turns 10]
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { createChatTrail, melodi, mielto } from '@chattrail/core';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { CallbackHandler as LangfuseCallbackHandler } from '@langfuse/langchain';
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { setLangfuseTracerProvider } from '@langfuse/tracing';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { ChatTrailCallbackHandler } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '7' },
    turns: { type: 'string', default: '10' },
  },
});
const CALLS = Number(values.calls);
const ROUNDS = Number(values.rounds);
const TURNS = Number(values.turns);
const THREADS = 50;

// ---- the sink: in this process, on its own thread (a remote backend's work is not the app's) ---------
const sinkWorker = new Worker(new URL('./sink-worker.mjs', import.meta.url));
const sinkUrl = await new Promise((resolve, reject) => {
  sinkWorker.once('message', resolve);
  sinkWorker.once('error', reject);
});
const sinkStats = () =>
  new Promise((resolve) => {
    sinkWorker.once('message', resolve);
    sinkWorker.postMessage('stats');
  });

// ---- the model -----------------------------------------------------------------------------------------
class BenchChatModel extends BaseChatModel {
  constructor() {
    super({});
  }
  _llmType() {
    return 'bench';
  }
  async _generate() {
    const message = new AIMessage({
      content: 'Here is a short answer that a chat model could have given to the question.',
      usage_metadata: { input_tokens: 420, output_tokens: 18, total_tokens: 438 },
      response_metadata: { model_name: 'bench-model' },
    });
    return { generations: [{ text: message.content, message }] };
  }
}
const model = new BenchChatModel();
const system = new SystemMessage(
  'You are a helpful assistant for our product. Answer briefly and precisely.',
);

/**
 * The traffic: THREADS conversations at a time, each a growing history resent on every call (a chat app
 * with server-side history), TURNS turns long, then replaced by a new thread. Every call adds a new user
 * message and gets a new answer, so each turn has something new to deliver.
 */
function conversations() {
  const slots = Array.from({ length: THREADS }, () => ({ threadId: '', messages: [] }));
  let threadCount = 0;
  return (i) => {
    const slot = slots[i % THREADS];
    if (slot.messages.length === 0 || slot.messages.length >= 1 + 2 * TURNS) {
      slot.threadId = `bench-thread-${++threadCount}`;
      slot.messages = [system];
    }
    slot.messages.push(
      new HumanMessage(`Question ${i} about the product, with enough detail to look like a real one.`),
    );
    return slot;
  };
}

// ---- the variants --------------------------------------------------------------------------------------
const trail = createChatTrail({
  destinations: [
    mielto({ apiKey: 'bench', baseUrl: `${sinkUrl}/api/v1` }),
    melodi({ apiKey: 'bench', projectId: 1, baseUrl: `${sinkUrl}/api/external` }),
  ],
  onError: (error) => console.error(`chattrail: ${error.message}`),
});
const ours = new ChatTrailCallbackHandler({ trail });
// The same trail with Langfuse's default batching (512 items or 5 s, whichever first) instead of ours (20 or 1 s).
const trailLikePeer = createChatTrail({
  destinations: [
    mielto({ apiKey: 'bench', baseUrl: `${sinkUrl}/api/v1` }),
    melodi({ apiKey: 'bench', projectId: 1, baseUrl: `${sinkUrl}/api/external` }),
  ],
  flushAt: 512,
  flushIntervalMs: 5_000,
  onError: (error) => console.error(`chattrail: ${error.message}`),
});
const oursLikePeer = new ChatTrailCallbackHandler({ trail: trailLikePeer });
const recordOnly = new ChatTrailCallbackHandler({ trail: { record() {} } });
// LangChain's own cost of having one awaited handler at all (run ids, callback managers, promises).
class NoopHandler extends BaseCallbackHandler {
  name = 'noop_handler';
  constructor() {
    super({ _awaitHandler: true });
  }
  handleChatModelStart() {}
  handleLLMEnd() {}
}

const langfuseProcessor = new LangfuseSpanProcessor({
  publicKey: 'pk-lf-bench',
  secretKey: 'sk-lf-bench',
  baseUrl: sinkUrl,
  mediaUploadEnabled: false,
});
setLangfuseTracerProvider(new BasicTracerProvider({ spanProcessors: [langfuseProcessor] }));
const langfuse = new LangfuseCallbackHandler();

const variants = [
  { name: 'none', callbacks: undefined, drain: async () => {} },
  { name: 'chattrail', callbacks: [ours], drain: () => trail.flush({ timeoutMs: 30_000 }) },
  {
    name: 'chattrail (512/5s)',
    callbacks: [oursLikePeer],
    drain: () => trailLikePeer.flush({ timeoutMs: 30_000 }),
  },
  { name: 'chattrail (record)', callbacks: [recordOnly], drain: async () => {} },
  { name: 'noop handler', callbacks: [new NoopHandler()], drain: async () => {} },
  {
    name: 'langfuse',
    callbacks: [langfuse],
    drain: async () => {
      await awaitAllCallbacks();
      await langfuseProcessor.forceFlush();
    },
  },
];

// Main-thread CPU time where the runtime can measure it (Node ≥ 23.9), else wall time: CPU time is what
// the logging costs the app, and it does not grow when other processes compete for the cores.
const cpuClock = typeof process.threadCpuUsage === 'function';
const now = () => {
  if (!cpuClock) return Number(process.hrtime.bigint()) / 1e3;
  const { user, system } = process.threadCpuUsage();
  return user + system;
};

async function runOnce(variant, calls) {
  const next = conversations();
  const start = now();
  for (let i = 0; i < calls; i++) {
    const slot = next(i);
    const answer = await model.invoke(slot.messages, {
      callbacks: variant.callbacks,
      metadata: { thread_id: slot.threadId, user_id: `user-${i % THREADS}` },
    });
    slot.messages.push(answer);
  }
  const invoked = now();
  await awaitAllCallbacks();
  await variant.drain();
  const drained = now();
  return { latency: (invoked - start) / calls, total: (drained - start) / calls };
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

console.log(
  `langchain handler bench: ${ROUNDS} rounds × ${CALLS} chat-model calls per variant, ${THREADS} concurrent threads of ${TURNS} turns (history resent each turn), node ${process.version}, ${cpuClock ? 'main-thread CPU time' : 'wall time'}`,
);
for (const variant of variants) await runOnce(variant, Math.min(200, CALLS)); // warm-up
const results = new Map(variants.map((v) => [v.name, { latency: [], total: [], requests: 0, bytes: 0 }]));
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
    const before = await sinkStats();
    const { latency, total } = await runOnce(variant, CALLS);
    const after = await sinkStats();
    const result = results.get(variant.name);
    result.latency.push(latency);
    result.total.push(total);
    result.requests += after.requests - before.requests;
    result.bytes += after.bytes - before.bytes;
  }
}

const base = { latency: median(results.get('none').latency), total: median(results.get('none').total) };
const rows = variants.map((v) => {
  const r = results.get(v.name);
  const latency = median(r.latency);
  const total = median(r.total);
  const calls = ROUNDS * CALLS;
  return {
    name: v.name,
    latency,
    total,
    latencyOverhead: latency - base.latency,
    totalOverhead: total - base.total,
    bytesPerCall: r.bytes / calls,
    requestsPer1000: (1000 * r.requests) / calls,
  };
});
const fmt = (us) => `${us.toFixed(1).padStart(8)} µs`;
console.log(
  `\n${'variant'.padEnd(20)}${'invoke/call'.padStart(14)}${'overhead'.padStart(14)}${'total/call'.padStart(14)}${'overhead'.padStart(14)}${'sent/call'.padStart(12)}${'req/1000'.padStart(10)}`,
);
for (const row of rows) {
  console.log(
    `${row.name.padEnd(20)}${fmt(row.latency).padStart(14)}${fmt(row.latencyOverhead).padStart(14)}${fmt(row.total).padStart(14)}${fmt(row.totalOverhead).padStart(14)}${`${(row.bytesPerCall / 1024).toFixed(1)} KB`.padStart(12)}${row.requestsPer1000.toFixed(0).padStart(10)}`,
  );
}
const oursRow = rows.find((r) => r.name === 'chattrail');
const peerRow = rows.find((r) => r.name === 'langfuse');
const ratio = (a, b) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
console.log(
  `\nchattrail overhead / langfuse overhead: invoke ${ratio(oursRow.latencyOverhead, peerRow.latencyOverhead)}, total ${ratio(oursRow.totalOverhead, peerRow.totalOverhead)}`,
);
console.log(`open runs left in the handler: ${ours.pendingRuns}`);
const yesNo = (ok) => (ok ? 'yes' : 'NO');
console.log(
  `below the peer's overhead: invoke ${yesNo(oursRow.latencyOverhead < peerRow.latencyOverhead)}, total ${yesNo(oursRow.totalOverhead < peerRow.totalOverhead)}`,
);
const dropped = [trail, trailLikePeer].reduce(
  (sum, t) => sum + Object.values(t.stats().dropped).reduce((a, b) => a + b, 0),
  0,
);
console.log(`turns dropped by the trails: ${dropped} (must be 0 for the comparison to hold)`);

await trail.shutdown({ timeoutMs: 10_000 });
await trailLikePeer.shutdown({ timeoutMs: 10_000 });
await langfuseProcessor.shutdown();
await sinkWorker.terminate();
