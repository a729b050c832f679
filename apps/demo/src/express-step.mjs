// The Express step of `npm run demo`: the OpenAI-compatible proxy of apps/express-proxy, recorded by
// @chattrail/express with no code in its route, driven by the official `openai` client (a JSON call, a
// streamed call, a tool call, each resending the history). Prints the thread as each backend received it.
import { printTranscript } from './print-transcript.mjs';
import { printTurns } from './print-turns.mjs';

export async function runExpressStep(server) {
  // The example is TypeScript that Node 24 runs as it is; a computed specifier keeps it out of this
  // app's JavaScript typecheck.
  const { runExpressDemo } = await import(new URL('../../express-proxy/src/index.ts', import.meta.url).href);
  console.log('Express: an OpenAI-compatible proxy recorded by @chattrail/express (openai client)\n');
  const result = await runExpressDemo(server);
  console.log(
    `${result.turns} turns recorded in thread "${result.threadId}", each resending the history; every message is stored once:\n`,
  );
  for (const thread of result.threads) printTranscript(thread);
  await printTurns(server, result.threadId);
}
