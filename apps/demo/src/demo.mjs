// `npm run demo`: starts the local Mielto + Melodi emulator, sends a conversation through both
// backends' real HTTP APIs, and prints the thread as each backend stored it.
// Flags: --keep (leave the server running for the viewer), --port <n>, --persist <file>.
import { parseArgs } from 'node:util';
import { startDevServer } from '@chattrail/devserver';
import { runAiSdkStep } from './ai-sdk-step.mjs';
import { runExpressStep } from './express-step.mjs';
import { runImportStep } from './import-step.mjs';
import { runLangChainStep } from './langchain-step.mjs';
import { runManyInstancesStep } from './many-instances-step.mjs';
import { printTranscript } from './print-transcript.mjs';
import { printTurns } from './print-turns.mjs';
import { recordTurns } from './record-turns.mjs';
import { seedConversation } from './seed-conversation.mjs';

const { values } = parseArgs({
  options: {
    keep: { type: 'boolean', default: false },
    port: { type: 'string', default: '0' },
    persist: { type: 'string' },
  },
});

const server = await startDevServer({ port: Number(values.port), persistPath: values.persist });
console.log(`\nchattrail devserver running at ${server.url}  (viewer: ${server.url}/)\n`);

try {
  const seeded = await seedConversation(server);
  const threads = await (await fetch(`${server.url}/_devserver/threads`)).json();
  for (const thread of threads.threads.filter((t) => seeded.ids.includes(t.id))) printTranscript(thread);
  await printTurns(server, seeded.threadId);
  await recordTurns(server);
  await runExpressStep(server);
  await runLangChainStep(server);
  await runAiSdkStep(server);
  await runImportStep(server);
  await runManyInstancesStep(server);
  const stats = server.stats();
  console.log(
    `devserver holds ${stats.mielto.conversations} Mielto conversation(s) with ${stats.mielto.messages} message(s) and ${stats.melodi.threads} Melodi thread(s) with ${stats.melodi.messages} message(s).`,
  );
} catch (err) {
  console.error(`demo failed: ${err.stack ?? err}`);
  await server.close();
  process.exit(1);
}

if (values.keep) {
  console.log(`\n--keep: the viewer stays at ${server.url}/ — press Ctrl+C to stop.`);
  const stop = () => server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  await server.close();
  console.log('\ndemo finished. Run `npm run demo -- --keep` to browse the viewer.');
}
