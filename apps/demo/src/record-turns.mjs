// The core step of `npm run demo`: a trail from @chattrail/core, with no adapter, records a four-turn
// conversation (each turn resending the whole history, one tool call, the last model call failing) to
// both emulated backends, shuts down, and prints the thread as each backend stored it (every message
// once, in order) and each turn's status, latency, tokens and error.
import { createChatTrail, melodi, mielto } from '@chattrail/core';
import { turnMessageId } from '@chattrail/core/adapter';
import { printTranscript } from './print-transcript.mjs';
import { printTurns } from './print-turns.mjs';

const THREAD_ID = 'demo-core-thread';
const USER = { id: 'user-grace', name: 'Grace Hopper', segments: { plan: 'team' } };

/** The conversation so far, as an app would hold it; every message gets its stable id. */
const history = [];
function say(role, content, extra = {}) {
  const message = { role, content, ...extra };
  message.id = turnMessageId(THREAD_ID, history.length, message);
  history.push(message);
}

let turnNumber = 0;
function turn(outcome = {}) {
  turnNumber++;
  const startedAt = new Date(Date.UTC(2025, 5, 1, 9, turnNumber)).toISOString();
  return {
    id: `${THREAD_ID}-turn-${turnNumber}`,
    threadId: THREAD_ID,
    user: USER,
    messages: history.map((message) => ({ ...message })), // the whole history, every time
    model: { provider: 'scripted', id: 'demo-model' },
    usage: { inputTokens: 40 * turnNumber, outputTokens: 25, totalTokens: 40 * turnNumber + 25 },
    startedAt,
    endedAt: new Date(Date.parse(startedAt) + 800 + 100 * turnNumber).toISOString(),
    timeToFirstTokenMs: 150 + 10 * turnNumber,
    status: 'ok',
    source: 'manual',
    ...outcome,
  };
}

export async function recordTurns(server) {
  console.log(
    'Core: four turns recorded through @chattrail/core (createChatTrail + mielto() + melodi()), the last one failing\n',
  );
  const trail = createChatTrail({
    destinations: [
      mielto({ apiKey: 'demo', baseUrl: server.mieltoBaseUrl, agentId: 'trip-planner' }),
      melodi({ apiKey: 'demo', projectId: 1, baseUrl: server.melodiBaseUrl }),
    ],
  });

  say('user', 'Can you help me plan a day in Lyon tomorrow?');
  say('assistant', 'Gladly! Do you prefer being outdoors or visiting museums?');
  trail.record(turn());
  await trail.flush();

  say('user', 'Depends on the weather. What will it be like?');
  say('assistant', '', { toolCalls: [{ id: 'call_lyon_1', name: 'get_weather', args: { city: 'Lyon' } }] });
  say('tool', '', {
    toolResult: {
      toolCallId: 'call_lyon_1',
      name: 'get_weather',
      output: { city: 'Lyon', temperature_c: 17, sky: 'rain' },
    },
  });
  say('assistant', 'Rain and 17 °C in Lyon tomorrow, so a museum day it is.');
  trail.record(turn());
  await trail.flush();

  say('user', 'Which museum do you recommend?');
  say('assistant', 'The Musée des Confluences: science, anthropology and a great view of the rivers.');
  trail.record(turn());

  // The model provider fails: the turn is recorded with its error and no answer.
  say('user', 'And the day after?');
  trail.record(
    turn({
      usage: undefined,
      timeToFirstTokenMs: undefined,
      status: 'error',
      error: { name: 'APICallError', message: 'The model provider answered 503 Service Unavailable' },
    }),
  );

  const report = await trail.shutdown();
  const stats = trail.stats();
  console.log(
    `${stats.recorded} turns recorded in thread "${THREAD_ID}" (${history.length} messages, each turn resending the history); shutdown: ${report.ok ? 'everything delivered' : JSON.stringify(report)}, ${stats.requests} requests.\n`,
  );
  const { threads } = await (await fetch(`${server.url}/_devserver/threads`)).json();
  const ours = threads
    .filter((thread) => thread.externalId === THREAD_ID)
    .sort((a, b) => (a.backend === b.backend ? 0 : a.backend === 'mielto' ? -1 : 1));
  for (const thread of ours) printTranscript(thread);
  await printTurns(server, THREAD_ID);
  return { threadId: THREAD_ID, messages: history.length, threads: ours };
}
