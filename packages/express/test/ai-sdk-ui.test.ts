import { afterEach, describe, expect, it } from 'vitest';
import { chatTrail } from '../src/index';
import { EXPRESS, type Listening, listen, postJson, RecordingTrail, sse } from './helpers';

const UI_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-vercel-ai-ui-message-stream': 'v1',
  'x-accel-buffering': 'no',
};

/** What `pipeUIMessageStreamToResponse` writes for a two-step agent answer (tool call, then text). */
function uiStream(): string[] {
  return [
    ': stream-open\n\n',
    sse({ type: 'start', messageId: 'assistant-1' }),
    sse({ type: 'start-step' }),
    sse({ type: 'tool-input-start', toolCallId: 'call_w', toolName: 'weather' }),
    sse({ type: 'tool-input-delta', toolCallId: 'call_w', inputTextDelta: '{"city":"Paris"}' }),
    sse({
      type: 'tool-input-available',
      toolCallId: 'call_w',
      toolName: 'weather',
      input: { city: 'Paris' },
    }),
    sse({ type: 'tool-output-available', toolCallId: 'call_w', output: { temp: 21 } }),
    sse({ type: 'finish-step' }),
    sse({ type: 'start-step' }),
    sse({ type: 'text-start', id: 't1' }),
    sse({ type: 'text-delta', id: 't1', delta: 'It is ' }),
    ': keep-alive\n\n',
    sse({ type: 'text-delta', id: 't1', delta: '21 °C in Paris.' }),
    sse({ type: 'text-end', id: 't1' }),
    sse({ type: 'finish-step' }),
    sse({
      type: 'finish',
      finishReason: 'stop',
      messageMetadata: { totalUsage: { inputTokens: 30, outputTokens: 12, totalTokens: 42 } },
    }),
    'data: [DONE]\n\n',
  ];
}

/** The same answer as the useChat client keeps it and sends back on the next turn. */
const assistantUIMessage = {
  id: 'assistant-1',
  role: 'assistant',
  parts: [
    { type: 'step-start' },
    {
      type: 'tool-weather',
      toolCallId: 'call_w',
      state: 'output-available',
      input: { city: 'Paris' },
      output: { temp: 21 },
    },
    { type: 'step-start' },
    { type: 'text', text: 'It is 21 °C in Paris.', state: 'done' },
  ],
};

describe.each(EXPRESS)('AI SDK useChat + UI message stream on $name', ({ express }) => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(trail: RecordingTrail, protocol: 'ui' | 'text' = 'ui') {
    const app = express();
    app.use(express.json());
    app.post('/api/chat', chatTrail({ trail }), (_req, res) => {
      if (protocol === 'text') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.write('It is ');
        res.end('21 °C.');
        return;
      }
      res.writeHead(200, UI_HEADERS);
      // The AI SDK writes Uint8Array chunks.
      for (const event of uiStream()) res.write(new TextEncoder().encode(event));
      res.end();
    });
    server = await listen(app);
    return `${server.url}/api/chat`;
  }

  const firstRequest = {
    id: 'chat-42',
    trigger: 'submit-message',
    messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Weather in Paris?' }] }],
  };

  it('records the turn with the useChat id as thread, steps split into tool call, result and text', async () => {
    const trail = new RecordingTrail();
    const url = await start(trail);
    await postJson(url, firstRequest);
    const [turn] = await trail.waitFor(1);
    expect(turn.threadId).toBe('chat-42');
    expect(turn.messages.map((m) => ({ role: m.role, content: m.content }))).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: '' },
      { role: 'tool', content: '{"temp":21}' },
      { role: 'assistant', content: 'It is 21 °C in Paris.' },
    ]);
    expect(turn.messages[1].toolCalls).toEqual([{ id: 'call_w', name: 'weather', args: { city: 'Paris' } }]);
    expect(turn.messages[2].toolResult).toEqual({
      toolCallId: 'call_w',
      name: 'weather',
      output: { temp: 21 },
    });
    expect(turn.usage).toEqual({ inputTokens: 30, outputTokens: 12, totalTokens: 42 });
    expect(turn.metadata).toMatchObject({
      chatFormat: 'ai-sdk-ui',
      finishReason: 'stop',
      trigger: 'submit-message',
    });
  });

  it('gives the resent UIMessages the ids the streamed answer got', async () => {
    const trail = new RecordingTrail();
    const url = await start(trail);
    await postJson(url, firstRequest);
    await postJson(url, {
      ...firstRequest,
      messages: [
        ...firstRequest.messages,
        assistantUIMessage,
        { id: 'u2', role: 'user', parts: [{ type: 'text', text: 'And tomorrow?' }] },
      ],
    });
    const [first, second] = await trail.waitFor(2);
    expect(second.messages.slice(0, 4).map((m) => m.id)).toEqual(first.messages.map((m) => m.id));
    expect(second.messages[4]).toMatchObject({ role: 'user', content: 'And tomorrow?' });
  });

  it('records the text stream protocol (text/plain) as the answer', async () => {
    const trail = new RecordingTrail();
    const url = await start(trail, 'text');
    await postJson(url, firstRequest);
    const [turn] = await trail.waitFor(1);
    expect(turn.messages[1]).toMatchObject({ role: 'assistant', content: 'It is 21 °C.' });
  });
});
