// One app instance of the demo's many-instances step: a trail with the Redis store, in its own process.
// It records each turn the demo sends it, flushes, and says so.
import { createChatTrail, melodi, mielto } from '@chattrail/core';
import { redisStore } from '@chattrail/redis';

const { redisUrl, mieltoBaseUrl, melodiBaseUrl } = JSON.parse(process.argv[2]);
const store = redisStore({ url: redisUrl }, { prefix: 'demo' });
const trail = createChatTrail({
  destinations: [
    mielto({ apiKey: 'demo-mielto-key', baseUrl: mieltoBaseUrl }),
    melodi({ apiKey: 'demo-melodi-key', baseUrl: melodiBaseUrl, projectId: 1 }),
  ],
  store,
});
process.on('message', async (message) => {
  if (message.type === 'turn') {
    trail.record(message.turn);
    await trail.flush();
    process.send({ type: 'done' });
  } else {
    await trail.shutdown();
    await store.close();
    process.disconnect();
  }
});
process.send({ type: 'ready' });
