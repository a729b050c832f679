// One stream-throughput measurement in a fresh process: `node --expose-gc bench/isolated-stream.mjs
// <ai5|ai6|ai7> <bare|chattrail> [streams]`. Prints CPU µs per chunk as JSON. run.mjs spawns it
// alternately for the bare model and the middleware, so that neither inherits the other's JIT or heap
// state (one process running every variant makes the SDK's stream code polymorphic for all of them).
import * as core from '@chattrail/core';
import * as ai7 from 'ai';
import * as ai5 from 'ai-v5';
import * as ai6 from 'ai-v6';
import { chatTrailMiddleware } from '../dist/index.js';

globalThis.AI_SDK_LOG_WARNINGS = false;
const [version, variant, streamsArg] = process.argv.slice(2);
const { ai, spec } = {
  ai5: { ai: ai5, spec: 'v2' },
  ai6: { ai: ai6, spec: 'v3' },
  ai7: { ai: ai7, spec: 'v4' },
}[version];
const STREAMS = Number(streamsArg ?? 150);
const CHUNKS = 1000;
const v2 = spec === 'v2';
const finishReason = v2 ? 'stop' : { unified: 'stop', raw: 'stop' };
const usage = v2
  ? { inputTokens: 250, outputTokens: 40, totalTokens: 290 }
  : { inputTokens: { total: 250 }, outputTokens: { total: 40 } };
const parts = [
  { type: 'stream-start', warnings: [] },
  { type: 'text-start', id: 't' },
];
for (let i = 0; i < CHUNKS; i++) parts.push({ type: 'text-delta', id: 't', delta: 'word ' });
parts.push({ type: 'text-end', id: 't' }, { type: 'finish', finishReason, usage });
const mock = {
  specificationVersion: spec,
  provider: 'bench',
  modelId: 'bench-model',
  supportedUrls: {},
  doGenerate: async () => ({}),
  doStream: async () => ({
    stream: new ReadableStream({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    }),
  }),
};
const nullDestination = { name: 'null', send: async (items) => items.map(() => ({ status: 'sent' })) };
const trail = core.createChatTrail({ destinations: [nullDestination] });
const model =
  variant === 'bare'
    ? mock
    : ai.wrapLanguageModel({ model: mock, middleware: chatTrailMiddleware({ trail, threadId: 'bench' }) });

const run = async (n) => {
  for (let i = 0; i < n; i++) {
    const result = ai.streamText({ model, prompt: 'Tell me about Paris.' });
    for await (const _ of result.textStream) {
      // consume
    }
  }
  await trail.flush();
};
await run(20); // warm-up
globalThis.gc?.();
const start = process.cpuUsage();
await run(STREAMS);
const used = process.cpuUsage(start);
console.log(JSON.stringify({ cpuMicrosPerChunk: (used.user + used.system) / (STREAMS * CHUNKS) }));
await trail.shutdown();
