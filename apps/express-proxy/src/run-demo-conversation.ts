import OpenAI from 'openai';

export interface DemoConversationResult {
  /** What the proxy's client saw, in order. */
  transcript: { role: string; content: string }[];
  requests: number;
}

const MODEL = 'scripted-chat';
const USER = 'user-grace';

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string', description: 'City name' } },
        required: ['city'],
      },
    },
  },
];

function getWeather(args: { city?: string }) {
  return { city: args.city ?? 'Paris', temperature_c: 21, sky: 'sunny' };
}

/**
 * Drives the proxy the way an app using the official `openai` client does: one JSON call, one streamed
 * call, one tool call (answered and sent back), each resending the whole history. The proxy records four
 * turns of one thread; thanks to stable message ids the backends still hold every message once.
 */
export async function runDemoConversation(proxyUrl: string): Promise<DemoConversationResult> {
  const client = new OpenAI({ baseURL: `${proxyUrl}/v1`, apiKey: 'demo-mielto-key', maxRetries: 0 });
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
    { role: 'system', content: 'You are a concise travel assistant.' },
    { role: 'user', content: 'Hello! I am planning a trip to Paris.' },
  ];
  let requests = 0;

  // 1. JSON.
  const first = await client.chat.completions.create({ model: MODEL, messages, user: USER });
  requests++;
  messages.push({ role: 'assistant', content: first.choices[0]?.message.content ?? '' });

  // 2. Streamed, with usage in the last chunk.
  messages.push({ role: 'user', content: 'Any tips for a first visit?' });
  const stream = await client.chat.completions.create({
    model: MODEL,
    messages,
    user: USER,
    stream: true,
    stream_options: { include_usage: true },
  });
  requests++;
  let streamed = '';
  for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
  messages.push({ role: 'assistant', content: streamed });

  // 3. A tool call: the model asks for get_weather, the app runs it and sends the result back (streamed).
  messages.push({ role: 'user', content: 'What is the weather in Paris today?' });
  const third = await client.chat.completions.create({ model: MODEL, messages, tools, user: USER });
  requests++;
  const call = third.choices[0]?.message.tool_calls?.[0];
  if (call === undefined || call.type !== 'function') throw new Error('the model did not call get_weather');
  messages.push({
    role: 'assistant',
    content: third.choices[0]?.message.content ?? null,
    tool_calls: [call],
  });
  messages.push({
    role: 'tool',
    tool_call_id: call.id,
    content: JSON.stringify(getWeather(JSON.parse(call.function.arguments))),
  });
  const fourth = await client.chat.completions.create({
    model: MODEL,
    messages,
    tools,
    user: USER,
    stream: true,
  });
  requests++;
  let answer = '';
  for await (const chunk of fourth) answer += chunk.choices[0]?.delta?.content ?? '';
  messages.push({ role: 'assistant', content: answer });

  const transcript = messages.map((m) => ({
    role: m.role,
    content:
      typeof m.content === 'string'
        ? m.content
        : m.role === 'assistant' && m.tool_calls
          ? `→ ${m.tool_calls.map((c) => (c.type === 'function' ? `${c.function.name}(${c.function.arguments})` : c.type)).join(', ')}`
          : '',
  }));
  return { transcript, requests };
}
