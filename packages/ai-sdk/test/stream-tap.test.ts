// The stream tap driven directly through the middleware (no `ai` in between), for each spec version's
// part shapes: cancel, source errors, idempotence, unknown parts, and an abort signal on a stream that
// never ends.
import { describe, expect, it } from 'vitest';
import { chatTrailMiddleware } from '../src/index';
import { AI_VERSIONS, controllableStream, streamOf, textStreamParts } from './ai-versions';
import { collectingRecorder } from './recorder';

describe.each(AI_VERSIONS)('stream tap, $name parts', (v) => {
  const model = { specificationVersion: v.spec, provider: 'fake', modelId: 'fake-1' };
  const prompt = [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }];

  async function open(stream: ReadableStream<unknown>, params: Record<string, unknown> = {}) {
    const trail = collectingRecorder();
    const middleware = chatTrailMiddleware({ trail, threadId: 'thread-tap' });
    const result = await middleware.wrapStream({
      doGenerate: async () => {
        throw new Error('unused');
      },
      doStream: async () => ({ stream, request: { body: 'req' }, response: { headers: { a: 'b' } } }),
      params: { prompt, ...params },
      model,
    });
    return { trail, result };
  }

  it('passes every part through untouched (same objects, unknown types too) and keeps the rest of the result', async () => {
    const parts = [
      ...textStreamParts(v, ['a', 'b']).slice(0, 4),
      { type: 'ping' },
      { type: 'x-future-part', payload: { deep: [1, 2] } },
      { type: 'raw', rawValue: { anything: true } },
      ...textStreamParts(v, ['a', 'b']).slice(4),
    ];
    const { trail, result } = await open(streamOf(parts));
    expect(result.request).toEqual({ body: 'req' });
    expect(result.response).toEqual({ headers: { a: 'b' } });
    const out: unknown[] = [];
    for await (const part of result.stream as unknown as AsyncIterable<unknown>) out.push(part);
    expect(out).toHaveLength(parts.length);
    for (const [i, part] of out.entries()) expect(part).toBe(parts[i]);
    expect(trail.turns).toHaveLength(1);
    expect(trail.turns[0]!.messages.at(-1)!.content).toBe('ab');
  });

  it('consumer cancel: aborted, partial text kept, cancel forwarded to the model stream', async () => {
    const source = controllableStream();
    const { trail, result } = await open(source.stream);
    const reader = result.stream.getReader();
    for (const part of textStreamParts(v, ['partial']).slice(0, 4)) source.push(part);
    for (let i = 0; i < 4; i++) await reader.read();
    await reader.cancel('client went away');
    expect(await source.cancelled).toBe('client went away');
    expect(trail.turns).toHaveLength(1);
    expect(trail.turns[0]).toMatchObject({ status: 'aborted', error: { message: 'client went away' } });
    expect(trail.turns[0]!.messages.at(-1)).toMatchObject({ role: 'assistant', content: 'partial' });
  });

  it('the source erroring mid-stream: the same error reaches the consumer, the turn is an error', async () => {
    const source = controllableStream();
    const { trail, result } = await open(source.stream);
    const reader = result.stream.getReader();
    for (const part of textStreamParts(v, ['so far']).slice(0, 4)) source.push(part);
    for (let i = 0; i < 4; i++) await reader.read();
    const failure = new TypeError('socket hang up');
    source.error(failure);
    await expect(reader.read()).rejects.toBe(failure);
    expect(trail.turns).toHaveLength(1);
    expect(trail.turns[0]).toMatchObject({
      status: 'error',
      error: { name: 'TypeError', message: 'socket hang up' },
    });
    expect(trail.turns[0]!.messages.at(-1)!.content).toBe('so far');
  });

  it('is idempotent: an error part, more parts, the end and a late cancel record one turn', async () => {
    const source = controllableStream();
    const { trail, result } = await open(source.stream);
    const reader = result.stream.getReader();
    source.push({ type: 'text-delta', id: 't', delta: 'x' });
    source.push({ type: 'error', error: { message: 'rate limited', name: 'RateLimit' } });
    source.push({ type: 'text-delta', id: 't', delta: 'y' });
    source.close();
    while (!(await reader.read()).done) {
      // drain
    }
    await reader.cancel();
    expect(trail.turns).toHaveLength(1);
    expect(trail.turns[0]).toMatchObject({
      status: 'error',
      error: { name: 'RateLimit', message: 'rate limited' },
    });
  });

  it('an abort signal ends the turn even when the model stream never closes', async () => {
    const source = controllableStream();
    const controller = new AbortController();
    const { trail, result } = await open(source.stream, { abortSignal: controller.signal });
    const reader = result.stream.getReader();
    source.push({ type: 'text-delta', id: 't', delta: 'half' });
    await reader.read();
    controller.abort();
    expect(trail.turns).toHaveLength(1);
    expect(trail.turns[0]).toMatchObject({ status: 'aborted' });
    expect(trail.turns[0]!.messages.at(-1)!.content).toBe('half');
    // The stream itself is untouched: later parts still flow to whoever reads it.
    source.push({ type: 'text-delta', id: 't', delta: 'rest' });
    expect((await reader.read()).value).toEqual({ type: 'text-delta', id: 't', delta: 'rest' });
    expect(trail.turns).toHaveLength(1);
  });

  it('a timeout (the signal aborted with a TimeoutError) is an error, not an abort', async () => {
    const source = controllableStream();
    const controller = new AbortController();
    const { trail, result } = await open(source.stream, { abortSignal: controller.signal });
    const reader = result.stream.getReader();
    source.push({ type: 'text-delta', id: 't', delta: 'slow' });
    await reader.read();
    controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
    expect(trail.turns[0]).toMatchObject({ status: 'error', error: { name: 'TimeoutError' } });
    expect(trail.turns[0]!.messages.at(-1)!.content).toBe('slow');
  });

  it('a thrown doStream is recorded and rethrown as the same object', async () => {
    const trail = collectingRecorder();
    const middleware = chatTrailMiddleware({ trail, threadId: 't' });
    const failure = Object.assign(new Error('401 from provider'), { statusCode: 401 });
    await expect(
      middleware.wrapStream({
        doGenerate: async () => ({}),
        doStream: async () => {
          throw failure;
        },
        params: { prompt },
        model,
      }),
    ).rejects.toBe(failure);
    expect(trail.turns[0]).toMatchObject({ status: 'error', error: { message: '401 from provider' } });
  });

  it('reasoning, tool calls, files and provider-executed tool results from a stream', async () => {
    const parts = [
      { type: 'stream-start', warnings: [] },
      { type: 'reasoning-start', id: 'r' },
      { type: 'reasoning-delta', id: 'r', delta: 'Think ' },
      { type: 'reasoning-delta', id: 'r', delta: 'hard.' },
      { type: 'reasoning-end', id: 'r' },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: 'Searching.' },
      { type: 'text-end', id: 't' },
      {
        type: 'tool-call',
        toolCallId: 'ws-1',
        toolName: 'web_search',
        input: '{"q":"x"}',
        providerExecuted: true,
      },
      { type: 'tool-result', toolCallId: 'ws-1', toolName: 'web_search', result: { hits: 3 } },
      { type: 'tool-call', toolCallId: 'c-2', toolName: 'get_weather', input: 'not json' },
      {
        type: 'file',
        mediaType: 'image/png',
        data: v.spec === 'v4' ? { type: 'data', data: new Uint8Array(2048) } : new Uint8Array(2048),
      },
      { type: 'finish', finishReason: v.finishReason('tool-calls'), usage: v.usage(1, 2, { reasoning: 1 }) },
    ];
    const { trail, result } = await open(streamOf(parts));
    for await (const _ of result.stream as unknown as AsyncIterable<unknown>) {
      // consume
    }
    const [user, assistant, toolMessage] = trail.turns[0]!.messages;
    expect(user!.content).toBe('Hi');
    expect(assistant).toMatchObject({
      role: 'assistant',
      content: 'Searching.\n[image: image/png, 2 KB]',
      toolCalls: [
        { id: 'ws-1', name: 'web_search', args: { q: 'x' } },
        { id: 'c-2', name: 'get_weather', args: 'not json' },
      ],
      metadata: { reasoning: 'Think hard.' },
    });
    expect(toolMessage).toMatchObject({
      role: 'tool',
      toolResult: { toolCallId: 'ws-1', output: { hits: 3 } },
    });
    expect(trail.turns[0]!.usage).toMatchObject({ reasoningTokens: 1, inputTokens: 1, outputTokens: 2 });
    expect(trail.turns[0]!.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
  });
});
