// `pnpm start` (or `node src/server.ts`): the proxy on http://127.0.0.1:3100/v1 in front of its own
// devserver, whose viewer shows each turn as Mielto and Melodi receive it.
import { parseArgs } from 'node:util';
import { createChatTrail, melodi, mielto } from '@chattrail/core';
import { startDevServer } from '@chattrail/devserver';
import { startExpressProxy } from './start-express-proxy.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '3100' } } });
const devserver = await startDevServer({ port: 0 });
const trail = createChatTrail({
  destinations: [
    mielto({ apiKey: 'demo-mielto-key', baseUrl: devserver.mieltoBaseUrl, agentId: 'express-proxy' }),
    melodi({ apiKey: 'demo-melodi-key', projectId: 1, baseUrl: devserver.melodiBaseUrl }),
  ],
});
const proxy = await startExpressProxy({
  port: Number(values.port),
  upstreamBaseUrl: devserver.mieltoBaseUrl,
  trail,
});
console.log(
  `OpenAI-compatible proxy:  ${proxy.url}/v1   (e.g. new OpenAI({ baseURL: '${proxy.url}/v1', apiKey: 'any' }))`,
);
console.log(`devserver viewer:         ${devserver.url}/`);
const stop = async () => {
  await proxy.close();
  await trail.shutdown();
  await devserver.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
