// `pnpm --filter @chattrail/langchain-agent start`: starts a local devserver (the model and both logging
// backends), runs the agent for a few turns and prints what Mielto and Melodi received.
import { startDevServer } from '@chattrail/devserver';
import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import { createDevServerTrail } from './devserver-trail.mjs';
import { runAgentDemo } from './run-agent-demo.mjs';

const server = await startDevServer({ port: 0 });
const trail = createDevServerTrail(server);
try {
  const { threadId, answers } = await runAgentDemo({ modelBaseUrl: server.mieltoBaseUrl, trail });
  for (const answer of answers) console.log(`agent: ${answer}`);
  // What a serverless function does before it returns: LangChain's background callbacks (tracers of
  // other tools), then our deliveries. Our handler itself records synchronously during the run.
  await awaitAllCallbacks();
  const report = await trail.flush();
  console.log(`\nthread ${threadId}: flushed (ok=${report.ok})`);
  const { threads } = await (await fetch(`${server.url}/_devserver/threads`)).json();
  for (const thread of threads.filter((t) => t.externalId === threadId)) {
    console.log(`\n${thread.backend} ${thread.id}: ${thread.messages.length} messages`);
    for (const m of thread.messages) {
      console.log(`  ${m.role.padEnd(10)}${m.content || JSON.stringify(m.json ?? m.toolCalls)}`);
    }
  }
} finally {
  await trail.shutdown();
  await server.close();
}
