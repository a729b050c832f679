// Demo step for @chattrail/ai-sdk: starts the example chat app (apps/ai-sdk-chat: streamText wrapped by
// chatTrailMiddleware, its model the devserver's OpenAI-compatible completions) against the demo's
// devserver, has a scripted three-turn conversation with it over HTTP exactly as useChat would (the
// first turn calls the get_weather tool, every turn resends the whole history), flushes the trail, and
// prints the thread as Mielto and Melodi received it.
import { printTranscript } from './print-transcript.mjs';
import { printTurns } from './print-turns.mjs';

const THREAD_ID = 'demo-ai-sdk-chat';
const USER_ID = 'user-grace';
const QUESTIONS = ['What is the weather in Paris?', 'Should I pack an umbrella?', 'Thanks, that is all!'];

export async function runAiSdkStep(server) {
  // Loaded by URL: the app runs from its TypeScript source (Node's type stripping), not from a build.
  const { sendChatTurn, startChatApp } = await import(
    new URL('../../ai-sdk-chat/src/index.ts', import.meta.url).href
  );
  const app = await startChatApp({ port: 0, devserver: server });
  console.log(`── AI SDK chat example at ${app.url}/ (streamText + chatTrailMiddleware) ──`);
  try {
    const messages = [];
    for (const question of QUESTIONS) {
      messages.push({ id: crypto.randomUUID(), role: 'user', parts: [{ type: 'text', text: question }] });
      const turn = await sendChatTurn(app.url, { id: THREAD_ID, messages, userId: USER_ID });
      messages.push(turn.message);
      console.log(`  user      ${question}`);
      for (const part of turn.message.parts.filter((p) => p.type.startsWith('tool-'))) {
        console.log(
          `  tool      ${part.type.slice(5)}(${JSON.stringify(part.input)}) ⇒ ${JSON.stringify(part.output)}`,
        );
      }
      console.log(`  assistant ${turn.text}`);
    }
    const report = await app.trail.flush({ timeoutMs: 10_000 });
    const stats = app.trail.stats();
    console.log(
      `\n  ${stats.recorded} turns recorded (one per model call; the first question took two), flush ${report.ok ? 'ok' : JSON.stringify(report)}\n`,
    );
    const threads = await (await fetch(`${server.url}/_devserver/threads`)).json();
    for (const thread of threads.threads.filter((t) => t.externalId === THREAD_ID)) printTranscript(thread);
    await printTurns(server, THREAD_ID);
  } finally {
    await app.close();
  }
}
