import { turnMessageId } from '@chattrail/core/adapter';
import { afterEach, describe, expect, it } from 'vitest';
import { chatTrail } from '../src/index';
import {
  chatCompletion,
  EXPRESS,
  type Listening,
  listen,
  openAIChatStream,
  postJson,
  RecordingTrail,
} from './helpers';

const history = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'What is the weather in Paris?' },
];

describe.each(EXPRESS)('OpenAI Chat Completions on $name', ({ express }) => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(trail: RecordingTrail) {
    const app = express();
    app.use(express.json());
    app.post('/v1/chat/completions', chatTrail({ trail }), (req, res) => {
      if (req.body.stream) {
        res.setHeader('content-type', 'text/event-stream; charset=utf-8');
        for (const event of openAIChatStream(['It is ', 'sunny ', 'in Paris ☀️'])) res.write(event);
        res.end();
      } else {
        res.json(chatCompletion('Sunny, 21 °C.'));
      }
    });
    server = await listen(app);
    return `${server.url}/v1/chat/completions`;
  }

  it('records a JSON completion: history + answer, usage, model, status', async () => {
    const trail = new RecordingTrail();
    const url = await start(trail);
    const response = await postJson(url, { model: 'gpt-test', messages: history, user: 'user-7' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).choices[0].message.content).toBe('Sunny, 21 °C.');

    const [turn] = await trail.waitFor(1);
    expect(turn.source).toBe('express');
    expect(turn.status).toBe('ok');
    expect(turn.user).toEqual({ id: 'user-7' });
    expect(turn.threadId).toMatch(/^thread_[0-9a-f]{16}$/);
    expect(turn.messages.map((m) => [m.role, m.content])).toEqual([
      ['system', 'You are terse.'],
      ['user', 'What is the weather in Paris?'],
      ['assistant', 'Sunny, 21 °C.'],
    ]);
    expect(turn.messages[2].id).toBe(turnMessageId(turn.threadId, 2, turn.messages[2]));
    expect(turn.model).toEqual({ id: 'gpt-test' });
    expect(turn.usage).toEqual({ inputTokens: 5, outputTokens: 3, totalTokens: 8 });
    expect(turn.metadata).toMatchObject({
      chatFormat: 'openai-chat',
      httpStatus: 200,
      httpPath: '/v1/chat/completions',
      finishReason: 'stop',
    });
    expect(Date.parse(turn.endedAt)).toBeGreaterThanOrEqual(Date.parse(turn.startedAt));
  });

  it('records an SSE completion: deltas joined, tool-call deltas assembled, usage from the last chunk', async () => {
    const trail = new RecordingTrail();
    const url = await start(trail);
    const response = await postJson(url, {
      model: 'gpt-test',
      stream: true,
      stream_options: { include_usage: true },
      messages: history,
    });
    expect(response.text.endsWith('data: [DONE]\n\n')).toBe(true);

    const [turn] = await trail.waitFor(1);
    const answer = turn.messages[2];
    expect(answer.role).toBe('assistant');
    expect(answer.content).toBe('It is sunny in Paris ☀️');
    expect(answer.toolCalls).toEqual([{ id: 'call_1', name: 'get_weather', args: { city: 'Paris' } }]);
    expect(turn.usage).toEqual({ inputTokens: 11, outputTokens: 7, totalTokens: 18 });
    expect(turn.model).toEqual({ id: 'gpt-test' });
    expect(turn.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(turn.metadata).toMatchObject({ finishReason: 'tool_calls' });
  });

  it('gives a resent history the same message ids, so nothing is stored twice', async () => {
    const trail = new RecordingTrail();
    const url = await start(trail);
    await postJson(url, { model: 'gpt-test', stream: true, messages: history });
    const [first] = await trail.waitFor(1);
    const assistant = first.messages[2];
    // The client sends the answer back as OpenAI clients do, with the tool result and a new question.
    await postJson(url, {
      model: 'gpt-test',
      messages: [
        ...history,
        {
          role: 'assistant',
          content: assistant.content,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
      ],
    });
    const [, second] = await trail.waitFor(2);
    expect(second.threadId).toBe(first.threadId);
    expect(second.messages.slice(0, 3).map((m) => m.id)).toEqual(first.messages.map((m) => m.id));
    expect(second.messages[3]).toMatchObject({
      role: 'tool',
      content: '{"temp":21}',
      toolResult: { toolCallId: 'call_1', output: { temp: 21 } },
    });
    expect(second.messages[4]).toMatchObject({ role: 'assistant', content: 'Sunny, 21 °C.' });
  });

  it('reads content parts: text kept, images as placeholders', async () => {
    const trail = new RecordingTrail();
    const url = await start(trail);
    await postJson(url, {
      model: 'gpt-test',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(4000)}` } },
          ],
        },
      ],
    });
    const [turn] = await trail.waitFor(1);
    expect(turn.messages[0].content).toMatch(/^What is in this picture\?\n\[image: image\/png, /);
    expect(turn.messages[0].content).not.toContain('AAAA');
  });
});
