// `pnpm start` (or `node src/server.ts`): the example chat on http://127.0.0.1:3000 with its own devserver.
import { parseArgs } from 'node:util';
import { startChatApp } from './start-chat-app.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '3000' } } });
const app = await startChatApp({ port: Number(values.port) });
console.log(`AI SDK chat:        ${app.url}/`);
console.log(`devserver viewer:   ${app.devserver.url}/   (the turns as Mielto and Melodi receive them)`);
const stop = () => app.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
