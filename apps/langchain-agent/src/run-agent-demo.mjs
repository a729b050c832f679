// Runs the weather agent for a few turns of one conversation, logging every model call, tool run and
// token count to the trail through @chattrail/langchain.
import { ChatTrailCallbackHandler } from '@chattrail/langchain';
import { createWeatherAgent } from './weather-agent.mjs';

export const DEMO_PROMPTS = [
  'What is the weather in Paris?',
  'Thanks! Should I take an umbrella?',
  'And what is the weather in Lisbon?',
];

/**
 * @typedef {object} RunAgentDemoOptions
 * @property {string} modelBaseUrl OpenAI-compatible base URL (`server.mieltoBaseUrl` for the devserver).
 * @property {import('@chattrail/core').TurnRecorder} trail Where turns go (`createChatTrail(...)`).
 * @property {string} [threadId] LangGraph `thread_id`: the checkpointer's thread and the logged thread.
 * @property {import('@chattrail/core').TurnUser} [user]
 * @property {string[]} [prompts] One agent invocation per prompt, all on the same thread.
 * @property {boolean} [stream] Stream tokens (`streamMode: 'messages'`), which also gives the time to first token. Default true.
 * @property {(text: string) => void} [onToken]
 */

/**
 * @param {RunAgentDemoOptions} options
 * @returns {Promise<{ threadId: string, answers: string[], handler: ChatTrailCallbackHandler }>}
 */
export async function runAgentDemo({
  modelBaseUrl,
  trail,
  threadId = 'langchain-demo-thread',
  user = { id: 'user-grace', name: 'Grace Hopper' },
  prompts = DEMO_PROMPTS,
  stream = true,
  onToken,
}) {
  const agent = createWeatherAgent({ baseURL: modelBaseUrl });
  // The thread comes from LangGraph's `configurable.thread_id`, which it copies into every run's metadata.
  const handler = new ChatTrailCallbackHandler({ trail, user, metadata: { app: 'langchain-agent' } });
  const config = { callbacks: [handler], configurable: { thread_id: threadId } };
  const answers = [];
  for (const prompt of prompts) {
    // The checkpointer keeps the history: each invocation sends only the new user message, and the
    // model sees the whole conversation again. The handler logs each message once all the same.
    const input = { messages: [{ role: 'user', content: prompt }] };
    let state;
    if (stream) {
      for await (const [mode, chunk] of await agent.stream(input, {
        ...config,
        streamMode: ['messages', 'values'],
      })) {
        if (mode === 'values') state = chunk;
        else if (onToken && chunk[0]?.type === 'ai' && typeof chunk[0].content === 'string')
          onToken(chunk[0].content);
      }
    } else {
      state = await agent.invoke(input, config);
    }
    answers.push(textOf(state.messages.at(-1)));
  }
  return { threadId, answers, handler };
}

function textOf(message) {
  if (typeof message?.content === 'string') return message.content;
  return Array.isArray(message?.content) ? message.content.map((part) => part.text ?? '').join('') : '';
}
