// One app instance for the multi-instance tests: a trail with the Redis store, delivering to the
// devserver. The parent sends it turns over IPC; each is recorded and flushed before the parent hears back.
import { createChatTrail, melodi, mielto } from '@chattrail/core';
import { redisStore } from '../dist/index.js';

const config = JSON.parse(process.argv[2]);
const store = redisStore({ url: config.redisUrl }, { prefix: config.prefix });
const errors = [];
const trail = createChatTrail({
  destinations: [
    mielto({ apiKey: 'mielto-test-key-0123456789abcdef', baseUrl: config.mieltoBaseUrl }),
    melodi({ apiKey: 'melodi-test-key-0123456789abcdef', baseUrl: config.melodiBaseUrl, projectId: 7 }),
  ],
  store,
  flushIntervalMs: 20,
  onError: (error) => errors.push(error.message),
});

process.on('message', async (message) => {
  if (message.type === 'turn') {
    trail.record(message.turn);
    const report = await trail.flush({ timeoutMs: config.flushTimeoutMs ?? 30_000 });
    // Turns other threads recorded meanwhile may be pending: only drops and failures count here.
    const ok = report.droppedTurns === undefined && report.errors === undefined;
    if (!ok) console.error(`[instance ${process.pid}] flush: ${JSON.stringify(report)}`);
    process.send({ type: 'done', id: message.id, ok });
  } else if (message.type === 'end') {
    await trail.shutdown({ timeoutMs: 10_000 });
    await store.close();
    process.send({ type: 'ended', stats: trail.stats(), errors }, () => process.disconnect());
  }
});
process.send({ type: 'ready' });
