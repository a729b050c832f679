import { afterEach, describe, expect, it } from 'vitest';
import { chatTrail } from '../src/index';
import { EXPRESS, type Listening, listen, postJson, RecordingTrail, sse } from './helpers';

let counter = 0;

function responseObject(
  id: string,
  text: string,
  call?: { call_id: string; name: string; arguments: string },
) {
  return {
    id,
    object: 'response',
    status: 'completed',
    model: 'gpt-resp',
    output: [
      { type: 'reasoning', id: 'rs_1', summary: [] },
      {
        type: 'message',
        id: 'msg_1',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text, annotations: [] }],
      },
      ...(call ? [{ type: 'function_call', id: 'fc_1', status: 'completed', ...call }] : []),
    ],
    usage: {
      input_tokens: 20,
      input_tokens_details: { cached_tokens: 4 },
      output_tokens: 9,
      output_tokens_details: { reasoning_tokens: 2 },
      total_tokens: 29,
    },
  };
}

/** The `event: response.*` stream of {@link responseObject}. */
function responseEvents(id: string, pieces: string[]) {
  const text = pieces.join('');
  const final = responseObject(id, text, { call_id: 'call_9', name: 'lookup', arguments: '{"q":"x"}' });
  let sequence = 0;
  const ev = (type: string, data: Record<string, unknown>) =>
    sse({ type, sequence_number: sequence++, ...data }, type);
  return [
    ev('response.created', { response: { ...final, status: 'in_progress', output: [], usage: null } }),
    ev('response.output_item.added', {
      output_index: 0,
      item: { type: 'reasoning', id: 'rs_1', summary: [] },
    }),
    ev('response.output_item.added', {
      output_index: 1,
      item: { type: 'message', id: 'msg_1', role: 'assistant', content: [] },
    }),
    ...pieces.map((delta) =>
      ev('response.output_text.delta', { output_index: 1, item_id: 'msg_1', content_index: 0, delta }),
    ),
    ev('response.output_item.added', {
      output_index: 2,
      item: { type: 'function_call', id: 'fc_1', call_id: 'call_9', name: 'lookup', arguments: '' },
    }),
    ev('response.function_call_arguments.delta', { output_index: 2, item_id: 'fc_1', delta: '{"q":' }),
    ev('response.function_call_arguments.delta', { output_index: 2, item_id: 'fc_1', delta: '"x"}' }),
    ev('response.completed', { response: final }),
  ];
}

describe.each(EXPRESS)('OpenAI Responses API on $name', ({ express }) => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(trail: RecordingTrail) {
    const app = express();
    app.use(express.json());
    app.post('/v1/responses', chatTrail({ trail }), (req, res) => {
      const id = `resp_${++counter}`;
      if (req.body.stream) {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        for (const event of responseEvents(id, ['Hello', ', ', 'world'])) res.write(event);
        res.end();
      } else {
        res.json(responseObject(id, 'Hello, world'));
      }
    });
    app.post('/v1/embeddings-like', chatTrail({ trail }), (_req, res) => {
      res.json({ object: 'list', data: [{ object: 'embedding', embedding: [0.1] }] });
    });
    server = await listen(app);
    return server.url;
  }

  it('records a JSON response: instructions, input, output text, usage details', async () => {
    const trail = new RecordingTrail();
    const url = await start(trail);
    await postJson(`${url}/v1/responses`, {
      model: 'gpt-resp',
      instructions: 'Be brief.',
      input: 'Say hello',
      safety_identifier: 'user-hash-1',
      metadata: { thread_id: 'thread-r1' },
    });
    const [turn] = await trail.waitFor(1);
    expect(turn.threadId).toBe('thread-r1');
    expect(turn.user).toEqual({ id: 'user-hash-1' });
    expect(turn.messages.map((m) => [m.role, m.content])).toEqual([
      ['system', 'Be brief.'],
      ['user', 'Say hello'],
      ['assistant', 'Hello, world'],
    ]);
    expect(turn.usage).toEqual({
      inputTokens: 20,
      outputTokens: 9,
      totalTokens: 29,
      reasoningTokens: 2,
      cachedInputTokens: 4,
    });
    expect(turn.model).toEqual({ id: 'gpt-resp' });
    expect(turn.metadata).toMatchObject({ chatFormat: 'openai-responses', thread_id: 'thread-r1' });
  });

  it('records an `event: response.*` stream: text deltas, function-call arguments, final usage', async () => {
    const trail = new RecordingTrail();
    const url = await start(trail);
    const response = await postJson(`${url}/v1/responses`, {
      model: 'gpt-resp',
      stream: true,
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Say hello' }] }],
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const [turn] = await trail.waitFor(1);
    expect(turn.messages[1]).toMatchObject({
      role: 'assistant',
      content: 'Hello, world',
      toolCalls: [{ id: 'call_9', name: 'lookup', args: { q: 'x' } }],
    });
    expect(turn.usage?.totalTokens).toBe(29);
    expect(turn.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
  });

  it('follows previous_response_id: same thread, positions continue', async () => {
    const trail = new RecordingTrail();
    const url = await start(trail);
    await postJson(`${url}/v1/responses`, { model: 'gpt-resp', input: 'first question' });
    const [first] = await trail.waitFor(1);
    const previous = `resp_${counter}`;
    await postJson(`${url}/v1/responses`, {
      model: 'gpt-resp',
      previous_response_id: previous,
      input: [{ type: 'function_call_output', call_id: 'call_9', output: 'done' }],
    });
    const [, second] = await trail.waitFor(2);
    expect(second.threadId).toBe(first.threadId);
    expect(second.messages[0]).toMatchObject({
      role: 'tool',
      toolResult: { toolCallId: 'call_9', output: 'done' },
    });
    expect(new Set([...first.messages, ...second.messages].map((m) => m.id)).size).toBe(4);

    // An unknown chain (another process): the thread is named after it and ids cannot collide.
    await postJson(`${url}/v1/responses`, {
      model: 'gpt-resp',
      previous_response_id: 'resp_elsewhere',
      input: 'hi',
    });
    const [, , third] = await trail.waitFor(3);
    expect(third.threadId).toBe('resp_elsewhere');
  });

  it('does not record an `input` request answered by another OpenAI object (embeddings)', async () => {
    const trail = new RecordingTrail();
    const url = await start(trail);
    const response = await postJson(`${url}/v1/embeddings-like`, { model: 'emb', input: 'text' });
    expect(response.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(trail.turns).toHaveLength(0);
  });
});
