// The LangChain step of `npm run demo`: the createAgent agent of apps/langchain-agent (a tool, a
// checkpointer, ChatOpenAI against the devserver's completions endpoint) runs three turns on one
// thread_id, recorded by @chattrail/langchain's callback handler. Prints the thread as each backend
// received it.
import { printTranscript } from './print-transcript.mjs';
import { printTurns } from './print-turns.mjs';

export async function runLangChainStep(server) {
  // Imported by path (that app has the LangChain dependencies, this one does not); a computed specifier
  // keeps it out of this app's JavaScript typecheck.
  const { createDevServerTrail, runAgentDemo } = await import(
    new URL('../../langchain-agent/src/index.mjs', import.meta.url).href
  );
  console.log(
    'LangChain: a createAgent agent with a tool and a checkpointer, recorded by @chattrail/langchain\n',
  );
  const trail = createDevServerTrail(server);
  let result;
  try {
    result = await runAgentDemo({
      modelBaseUrl: server.mieltoBaseUrl,
      trail,
      threadId: 'langchain-demo-thread',
    });
    const report = await trail.flush({ timeoutMs: 10_000 });
    if (!report.ok) throw new Error(`trail flush failed: ${JSON.stringify(report)}`);
  } finally {
    await trail.shutdown({ timeoutMs: 5_000 });
  }
  console.log(
    `${result.answers.length} agent invocations on thread_id "${result.threadId}"; the model saw the whole history each time, every message is stored once:\n`,
  );
  const { threads } = await (await fetch(`${server.url}/_devserver/threads`)).json();
  const ours = threads.filter((t) => t.externalId === result.threadId);
  for (const backend of ['mielto', 'melodi']) {
    for (const thread of ours.filter((t) => t.backend === backend)) printTranscript(thread);
  }
  await printTurns(server, result.threadId);
}
