import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useDevServer } from './use-dev-server.js';

const dev = useDevServer();

const client = () =>
  new OpenAI({
    apiKey: 'dev-key',
    baseURL: dev.server.mieltoBaseUrl,
    defaultHeaders: { 'x-user-id': 'user-42' },
    maxRetries: 0,
  });

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer' } },
      required: ['city'],
    },
  },
};

describe('POST /api/v1/chat/completions with the official openai client', () => {
  it('answers a JSON completion deterministically, with usage, and counts the x-user-id', async () => {
    const ask = () =>
      client().chat.completions.create({
        model: 'gpt-4',
        messages: [{ role: 'user', content: 'Summarize this conversation.' }],
      });
    const first = await ask();
    const second = await ask();
    expect(first.choices[0].message.content).toContain('Summarize this conversation.');
    expect(first.choices[0].message.content).toBe(second.choices[0].message.content);
    expect(first.choices[0].finish_reason).toBe('stop');
    expect(first.model).toBe('gpt-4');
    expect(first.usage?.total_tokens).toBe(
      (first.usage?.prompt_tokens ?? 0) + (first.usage?.completion_tokens ?? 0),
    );
    expect(dev.server.stats().completionsByUser).toEqual({ 'user-42': 2 });
    expect(dev.server.requests(1)[0].userId).toBe('user-42');
  });

  it('streams SSE chunks ending in [DONE], with a usage chunk when asked', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4',
      messages: [{ role: 'user', content: 'Tell me something nice' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text).toContain('Tell me something nice');
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('calls an offered tool the user names, then answers from the tool result', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'What is the weather in Paris?' },
    ];
    const first = await client().chat.completions.create({ model: 'gpt-4', messages, tools: [weatherTool] });
    const call = first.choices[0].message.tool_calls?.[0];
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });

    messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '{"temp":21}' });
    const second = await client().chat.completions.create({ model: 'gpt-4', messages, tools: [weatherTool] });
    expect(second.choices[0].message.content).toContain('{"temp":21}');
  });

  it('streams tool-call deltas that assemble into the same call', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'weather in Oslo please' },
    ];
    const json = await client().chat.completions.create({ model: 'm', messages, tools: [weatherTool] });
    const stream = await client().chat.completions.create({
      model: 'm',
      messages,
      tools: [weatherTool],
      stream: true,
    });
    let name = '';
    let args = '';
    let id = '';
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta?.tool_calls ?? []) {
        id ||= delta.id ?? '';
        name += delta.function?.name ?? '';
        args += delta.function?.arguments ?? '';
      }
    }
    const expected = json.choices[0].message.tool_calls?.[0];
    if (expected?.type !== 'function') throw new Error('expected a function call');
    expect({ id, name, args }).toEqual({
      id: expected.id,
      name: expected.function.name,
      args: expected.function.arguments,
    });
  });

  it('422s a body without model or messages, and 401s without a key', async () => {
    const bad = await dev.mielto('/chat/completions', { body: { messages: 'hi' } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail.map((d: { loc: string[] }) => d.loc.join('.'))).toEqual([
      'body.model',
      'body.messages',
    ]);
    const anonymous = await dev.mielto('/chat/completions', {
      body: { model: 'm', messages: [] },
      key: null,
    });
    expect(anonymous.status).toBe(401);
  });
});
