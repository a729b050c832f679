import { withChatTrail } from '@chattrail/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { chatTrailMiddleware } from '../src/index';
import { AI_VERSIONS, type AiVersion, controllableStream, streamOf, textStreamParts } from './ai-versions';
import { collectingRecorder } from './recorder';

afterEach(() => {
  vi.restoreAllMocks();
});

const weatherTool = (v: AiVersion) =>
  v.ai.tool({
    description: 'Current weather for a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }: { city: string }) => ({ city, temperatureC: 21, sky: 'sunny' }),
  });

describe.each(AI_VERSIONS)('$name', (v) => {
  const setup = (options: Partial<Parameters<typeof chatTrailMiddleware>[0]> = {}) => {
    const trail = collectingRecorder();
    const middleware = chatTrailMiddleware({ trail, ...options });
    const wrap = (model: unknown) => v.ai.wrapLanguageModel({ model, middleware });
    return { trail, middleware, wrap };
  };

  const generateResult = (text: string, extra: Record<string, unknown> = {}) => ({
    content: [{ type: 'text', text }],
    finishReason: v.finishReason('stop'),
    usage: v.usage(12, 7, { reasoning: 2, cacheRead: 4 }),
    response: { id: 'resp-g', modelId: 'mock-model-2024', timestamp: new Date(0) },
    warnings: [],
    ...extra,
  });

  it('generateText: records the prompt, the answer, usage, finish reason, model and timings', async () => {
    const { trail, wrap } = setup();
    const model = new v.MockLanguageModel({ doGenerate: generateResult('Hello Ada!') });
    const result = await v.ai.generateText({
      model: wrap(model),
      system: 'Be brief.',
      prompt: 'Hi, I am Ada.',
      providerOptions: { chattrail: { threadId: 'thread-g', userId: 'user-1' } },
    });
    expect(result.text).toBe('Hello Ada!');
    expect(trail.turns).toHaveLength(1);
    const turn = trail.turns[0]!;
    expect(turn).toMatchObject({
      threadId: 'thread-g',
      user: { id: 'user-1' },
      status: 'ok',
      source: 'ai-sdk',
      model: { provider: 'mock-provider', id: 'mock-model-2024' },
      usage: { inputTokens: 12, outputTokens: 7, totalTokens: 19, reasoningTokens: 2, cachedInputTokens: 4 },
      metadata: { finishReason: 'stop', responseId: 'resp-g', streamed: false },
    });
    expect(turn.messages.map((m) => [m.role, m.content])).toEqual([
      ['system', 'Be brief.'],
      ['user', 'Hi, I am Ada.'],
      ['assistant', 'Hello Ada!'],
    ]);
    expect(new Set(turn.messages.map((m) => m.id)).size).toBe(3);
    expect(turn.id).toMatch(/^turn_/);
    expect(Date.parse(turn.endedAt)).toBeGreaterThanOrEqual(Date.parse(turn.startedAt));
    expect(turn.timeToFirstTokenMs).toBeUndefined();
  });

  it('streamText: records text, time to first token, usage and finish reason from the finish part', async () => {
    const { trail, wrap } = setup({ threadId: 'thread-s' });
    const model = new v.MockLanguageModel({
      doStream: { stream: streamOf(textStreamParts(v, ['Hel', 'lo ', 'there'])) },
    });
    const result = v.ai.streamText({ model: wrap(model), prompt: 'Say hello' });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('Hello there');
    expect(trail.turns).toHaveLength(1);
    const turn = trail.turns[0]!;
    expect(turn).toMatchObject({
      threadId: 'thread-s',
      status: 'ok',
      usage: { inputTokens: 10, outputTokens: 3, totalTokens: 13 },
      model: { id: 'mock-model-2024' },
      metadata: { finishReason: 'stop', responseId: 'resp-1', streamed: true },
    });
    expect(turn.messages.at(-1)).toMatchObject({ role: 'assistant', content: 'Hello there' });
    expect(turn.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
  });

  it('multi-step tool loop: one turn per step, each message with one id across steps', async () => {
    for (const mode of ['generate', 'stream'] as const) {
      const { trail, wrap } = setup();
      const toolCall = {
        type: 'tool-call',
        toolCallId: 'call-1',
        toolName: 'get_weather',
        input: '{"city":"Paris"}',
      };
      const model =
        mode === 'generate'
          ? new v.MockLanguageModel({
              doGenerate: [
                { ...generateResult(''), content: [toolCall], finishReason: v.finishReason('tool-calls') },
                generateResult('It is sunny in Paris.'),
              ],
            })
          : new v.MockLanguageModel({
              doStream: [
                {
                  stream: streamOf([
                    { type: 'stream-start', warnings: [] },
                    { type: 'tool-input-start', id: 'call-1', toolName: 'get_weather' },
                    { type: 'tool-input-delta', id: 'call-1', delta: '{"city":"Paris"}' },
                    { type: 'tool-input-end', id: 'call-1' },
                    toolCall,
                    { type: 'finish', finishReason: v.finishReason('tool-calls'), usage: v.usage(5, 3) },
                  ]),
                },
                { stream: streamOf(textStreamParts(v, ['It is sunny ', 'in Paris.'])) },
              ],
            });
      const args = {
        model: wrap(model),
        prompt: 'What is the weather in Paris?',
        tools: { get_weather: weatherTool(v) },
        stopWhen: v.ai.stepCountIs(5),
        providerOptions: { chattrail: { threadId: `thread-loop-${mode}` } },
      };
      if (mode === 'generate') await v.ai.generateText(args);
      else await v.ai.streamText(args).consumeStream();

      expect(trail.turns, mode).toHaveLength(2);
      const [step1, step2] = trail.turns;
      expect(step1!.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
      expect(step1!.messages[1]).toMatchObject({
        content: '',
        toolCalls: [{ id: 'call-1', name: 'get_weather', args: { city: 'Paris' } }],
      });
      expect(step1!.metadata?.finishReason).toBe('tool-calls');
      expect(step2!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
      expect(step2!.messages[2]).toMatchObject({
        role: 'tool',
        toolResult: {
          toolCallId: 'call-1',
          name: 'get_weather',
          output: { city: 'Paris', temperatureC: 21, sky: 'sunny' },
        },
      });
      expect(step2!.messages[2]!.content).toBe('{"city":"Paris","temperatureC":21,"sky":"sunny"}');
      expect(step2!.messages[3]!.content).toBe('It is sunny in Paris.');
      // The two messages of step 1 come back in step 2 with the same ids: the trail sends them once.
      expect(step2!.messages.slice(0, 2).map((m) => m.id)).toEqual(step1!.messages.map((m) => m.id));
    }
  });

  it('a conversation resending its history keeps every message id stable across turns', async () => {
    const { trail, wrap } = setup();
    const answers = ['Hello Ada.', 'Paris is in France.', 'Goodbye!'];
    const model = new v.MockLanguageModel({ doGenerate: answers.map((a) => generateResult(a)) });
    const messages: any[] = [];
    for (const question of ['Hi, I am Ada.', 'Where is Paris?', 'Bye.']) {
      messages.push({ role: 'user', content: question });
      const result = await v.ai.generateText({
        model: wrap(model),
        system: 'You are terse.',
        messages,
        providerOptions: { chattrail: { threadId: 'thread-3' } },
      });
      messages.push(...v.responseMessages(result));
    }
    expect(trail.turns).toHaveLength(3);
    const seen = new Map<string, string>();
    for (const turn of trail.turns) {
      for (const m of turn.messages) {
        const key = `${m.role}:${m.content}`;
        if (seen.has(key)) expect(seen.get(key), key).toBe(m.id);
        seen.set(key, m.id);
      }
    }
    // 1 system + 3 user + 3 assistant messages, each with its own id.
    expect(seen.size).toBe(7);
    expect(trail.turns[2]!.messages.map((m) => m.content)).toEqual([
      'You are terse.',
      'Hi, I am Ada.',
      'Hello Ada.',
      'Where is Paris?',
      'Paris is in France.',
      'Bye.',
      'Goodbye!',
    ]);
  });

  it('abort mid-stream: the turn is recorded as aborted with the partial text', async () => {
    const { trail, wrap } = setup({ threadId: 'thread-abort' });
    const source = controllableStream();
    const model = new v.MockLanguageModel({
      doStream: async ({ abortSignal }: { abortSignal?: AbortSignal }) => {
        // As a fetch-based provider does: the response body errors when the request is aborted.
        abortSignal?.addEventListener('abort', () =>
          source.error(new DOMException('This operation was aborted', 'AbortError')),
        );
        return { stream: source.stream };
      },
    });
    const controller = new AbortController();
    const result = v.ai.streamText({
      model: wrap(model),
      prompt: 'Tell me a long story',
      abortSignal: controller.signal,
      onError: () => {},
    });
    const reader = result.textStream.getReader();
    for (const part of textStreamParts(v, ['Once ', 'upon ']).slice(0, 4)) source.push(part);
    let received = '';
    while (received !== 'Once ') received += (await reader.read()).value ?? '';
    source.push({ type: 'text-delta', id: 't0', delta: 'upon ' });
    received += (await reader.read()).value ?? '';
    controller.abort();
    while (!(await reader.read()).done) {
      // drain what the SDK still emits after the abort
    }
    expect(trail.turns).toHaveLength(1);
    expect(trail.turns[0]).toMatchObject({ status: 'aborted', threadId: 'thread-abort' });
    expect(trail.turns[0]!.messages.at(-1)).toMatchObject({ role: 'assistant', content: 'Once upon ' });
  });

  it('in-band error part: recorded as an error with the partial text; the app sees the same error', async () => {
    const { trail, wrap } = setup({ threadId: 'thread-inband' });
    const failure = new Error('overloaded');
    const model = new v.MockLanguageModel({
      doStream: {
        stream: streamOf([
          ...textStreamParts(v, ['Partial ']).slice(0, 4),
          { type: 'error', error: failure },
        ]),
      },
    });
    const errors: unknown[] = [];
    const result = v.ai.streamText({
      model: wrap(model),
      prompt: 'Go',
      onError: ({ error }: { error: unknown }) => errors.push(error),
    });
    await result.consumeStream();
    expect(errors[0]).toBe(failure);
    expect(trail.turns).toHaveLength(1);
    expect(trail.turns[0]).toMatchObject({
      status: 'error',
      error: { name: 'Error', message: 'overloaded' },
    });
    expect(trail.turns[0]!.messages.at(-1)).toMatchObject({ role: 'assistant', content: 'Partial ' });
  });

  it('a thrown provider error is rethrown unchanged and recorded', async () => {
    class ProviderDown extends Error {
      override name = 'ProviderDown';
    }
    const failure = new ProviderDown('provider is down');
    const { trail, wrap } = setup({ threadId: 'thread-throw' });
    const model = new v.MockLanguageModel({
      doGenerate: async () => {
        throw failure;
      },
      doStream: async () => {
        throw failure;
      },
    });
    await expect(v.ai.generateText({ model: wrap(model), prompt: 'Hi', maxRetries: 0 })).rejects.toBe(
      failure,
    );
    const errors: unknown[] = [];
    await v.ai
      .streamText({
        model: wrap(model),
        prompt: 'Hi',
        maxRetries: 0,
        onError: ({ error }: { error: unknown }) => errors.push(error),
      })
      .consumeStream();
    expect(errors).toEqual([failure]);
    expect(trail.turns.map((t) => [t.status, t.error])).toEqual([
      ['error', { name: 'ProviderDown', message: 'provider is down' }],
      ['error', { name: 'ProviderDown', message: 'provider is down' }],
    ]);
    expect(trail.turns[0]!.messages).toMatchObject([{ role: 'user', content: 'Hi' }]);
  });

  it('structured output: generateObject and streamObject record the JSON answer', async () => {
    const { trail, wrap } = setup({ threadId: 'thread-object' });
    const json = '{"city":"Paris","country":"France"}';
    const model = new v.MockLanguageModel({
      doGenerate: generateResult(json),
      doStream: { stream: streamOf(textStreamParts(v, ['{"city":"Paris",', '"country":"France"}'])) },
    });
    const schema = z.object({ city: z.string(), country: z.string() });
    const generated = await v.ai.generateObject({ model: wrap(model), schema, prompt: 'Where?' });
    expect(generated.object).toEqual({ city: 'Paris', country: 'France' });
    const streamed = v.ai.streamObject({ model: wrap(model), schema, prompt: 'Where?' });
    for await (const _partial of streamed.partialObjectStream) {
      // streamObject only settles `object` once its stream is consumed
    }
    expect(await streamed.object).toEqual({ city: 'Paris', country: 'France' });
    expect(trail.turns).toHaveLength(2);
    for (const turn of trail.turns) {
      expect(turn.status).toBe('ok');
      expect(turn.metadata?.responseFormat).toBe('json');
      expect(turn.messages.at(-1)).toMatchObject({ role: 'assistant', content: json });
    }
  });

  it('file and image parts become placeholders, never bytes', async () => {
    const { trail, wrap } = setup({ threadId: 'thread-files' });
    const model = new v.MockLanguageModel({ doGenerate: generateResult('A cat.') });
    const png = new Uint8Array(34 * 1024).fill(7);
    await v.ai.generateText({
      model: wrap(model),
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture and this file?' },
            v.imagePart(png, 'image/png'),
            {
              type: 'file',
              data: Buffer.from('%PDF-1.4 hello').toString('base64'),
              mediaType: 'application/pdf',
              filename: 'report.pdf',
            },
          ],
        },
      ],
    });
    const user = trail.turns[0]!.messages[0]!;
    expect(user.content).toBe(
      'What is in this picture and this file?\n[image: image/png, 34 KB]\n[file: application/pdf, report.pdf, 14 B]',
    );
    expect(JSON.stringify(trail.turns[0])).not.toContain('BwcH'); // base64 of the 0x07 bytes
  });

  it('identity: providerOptions win over withChatTrail, which wins over wrap-time options', async () => {
    const { trail, wrap } = setup({
      threadId: 'wrap-thread',
      user: { id: 'wrap-user' },
      metadata: { app: 'demo', tier: 'wrap' },
    });
    const model = new v.MockLanguageModel({ doGenerate: generateResult('ok') });
    const wrapped = wrap(model);
    await v.ai.generateText({ model: wrapped, prompt: 'a' });
    await withChatTrail(
      { threadId: 'ctx-thread', user: { id: 'ctx-user' }, metadata: { tier: 'ctx' } },
      async () => {
        await v.ai.generateText({ model: wrapped, prompt: 'b' });
        await v.ai.generateText({
          model: wrapped,
          prompt: 'c',
          providerOptions: {
            chattrail: { threadId: 'call-thread', userId: 'call-user', metadata: { tier: 'call' } },
            mock: { keep: true },
          },
        });
      },
    );
    expect(trail.turns.map((t) => [t.threadId, t.user?.id, t.metadata?.tier, t.metadata?.app])).toEqual([
      ['wrap-thread', 'wrap-user', 'wrap', 'demo'],
      ['ctx-thread', 'ctx-user', 'ctx', 'demo'],
      ['call-thread', 'call-user', 'call', 'demo'],
    ]);
    // The provider never sees our key; other providers' options are untouched.
    const calls = model.doGenerateCalls;
    expect(calls[2].providerOptions).toEqual({ mock: { keep: true } });
    expect(calls.every((c: any) => c.providerOptions?.chattrail === undefined)).toBe(true);
  });

  it('providerOptions are stripped on the stream path too', async () => {
    const { trail, wrap } = setup();
    const model = new v.MockLanguageModel({ doStream: { stream: streamOf(textStreamParts(v, ['x'])) } });
    await v.ai
      .streamText({
        model: wrap(model),
        prompt: 'a',
        providerOptions: { chattrail: { threadId: 'stream-thread' } },
      })
      .consumeStream();
    expect(model.doStreamCalls[0].providerOptions?.chattrail).toBeUndefined();
    expect(trail.turns[0]!.threadId).toBe('stream-thread');
  });

  it('no thread anywhere: a generated id and one debug note', async () => {
    const notes: string[] = [];
    const { trail, wrap } = setup({ debug: (m) => notes.push(m) });
    const model = new v.MockLanguageModel({ doGenerate: generateResult('ok') });
    await v.ai.generateText({ model: wrap(model), prompt: 'a' });
    await v.ai.generateText({ model: wrap(model), prompt: 'b' });
    expect(trail.turns[0]!.threadId).toMatch(/^thread_/);
    expect(trail.turns[0]!.threadId).not.toBe(trail.turns[1]!.threadId);
    expect(notes).toHaveLength(1);
  });

  it('the first chunk reaches the consumer before the model produced the second', async () => {
    const { trail, wrap } = setup({ threadId: 'thread-ttft' });
    const source = controllableStream();
    const model = new v.MockLanguageModel({ doStream: async () => ({ stream: source.stream }) });
    const result = v.ai.streamText({ model: wrap(model), prompt: 'Go' });
    const reader = result.textStream.getReader();
    const [start, metadata, textStart, firstDelta, ...rest] = textStreamParts(v, ['first', 'second']);
    for (const part of [start, metadata, textStart, firstDelta]) source.push(part);
    // Nothing else has been produced yet: the consumer must already get the first delta.
    expect((await reader.read()).value).toBe('first');
    for (const part of rest) source.push(part);
    source.close();
    expect((await reader.read()).value).toBe('second');
    expect((await reader.read()).done).toBe(true);
    expect(trail.turns[0]!.messages.at(-1)!.content).toBe('firstsecond');
  });

  it('captureContent: false records structure, usage and ids without any text', async () => {
    const { trail, wrap } = setup({ threadId: 'thread-private', captureContent: false });
    const model = new v.MockLanguageModel({
      doGenerate: [
        {
          ...generateResult(''),
          content: [
            { type: 'tool-call', toolCallId: 'call-9', toolName: 'get_weather', input: '{"city":"Oslo"}' },
          ],
          finishReason: v.finishReason('tool-calls'),
        },
        generateResult('Secret answer'),
      ],
    });
    await v.ai.generateText({
      model: wrap(model),
      system: 'Secret system prompt',
      prompt: 'Secret question about Oslo',
      tools: { get_weather: weatherTool(v) },
      stopWhen: v.ai.stepCountIs(3),
    });
    const turn = trail.turns[1]!;
    expect(JSON.stringify(turn)).not.toMatch(/Secret|Oslo|sunny/);
    expect(turn.messages.map((m) => [m.role, m.content])).toEqual([
      ['system', '[content not captured]'],
      ['user', '[content not captured]'],
      ['assistant', ''],
      ['tool', '[content not captured]'],
      ['assistant', '[content not captured]'],
    ]);
    expect(turn.messages[2]!.toolCalls).toEqual([{ id: 'call-9', name: 'get_weather', args: null }]);
    expect(turn.usage?.totalTokens).toBe(19);
    expect(turn.messages.slice(0, 3).map((m) => m.id)).toEqual(trail.turns[0]!.messages.map((m) => m.id));
  });

  it('a throwing recorder never reaches the app; onError hears about it', async () => {
    const errors: unknown[] = [];
    const middleware = chatTrailMiddleware({
      trail: {
        record() {
          throw new Error('recorder bug');
        },
      },
      threadId: 't',
      onError: (error) => errors.push(error),
    });
    const model = new v.MockLanguageModel({
      doGenerate: generateResult('fine'),
      doStream: { stream: streamOf(textStreamParts(v, ['fine'])) },
    });
    const wrapped = v.ai.wrapLanguageModel({ model, middleware });
    expect((await v.ai.generateText({ model: wrapped, prompt: 'x' })).text).toBe('fine');
    expect(await v.ai.streamText({ model: wrapped, prompt: 'x' }).text).toBe('fine');
    expect(errors).toHaveLength(2);
  });

  it('wrapProvider applies the middleware to every model of a provider', async () => {
    const { trail, middleware } = setup({ threadId: 'thread-provider' });
    const model = new v.MockLanguageModel({ doGenerate: generateResult('via provider') });
    const MockProvider =
      v.name === 'ai 5' ? 'MockProviderV2' : v.name === 'ai 6' ? 'MockProviderV3' : 'MockProviderV4';
    const testModule = await import(
      v.name === 'ai 5' ? 'ai-v5/test' : v.name === 'ai 6' ? 'ai-v6/test' : 'ai/test'
    );
    const provider = v.ai.wrapProvider({
      provider: new (testModule as any)[MockProvider]({ languageModels: { m: model } }),
      languageModelMiddleware: middleware,
    });
    await v.ai.generateText({ model: provider.languageModel('m'), prompt: 'x' });
    expect(trail.turns[0]!.messages.at(-1)!.content).toBe('via provider');
  });

  it('a model of an unknown spec version passes through with one warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { trail, middleware } = setup({ threadId: 't' });
    const result = generateResult('passed through');
    const futureModel = { specificationVersion: 'v9', provider: 'future', modelId: 'f-1' };
    for (let i = 0; i < 3; i++) {
      const out = await middleware.wrapGenerate({
        doGenerate: async () => result,
        doStream: async () => ({ stream: streamOf([]) }),
        params: { prompt: [] },
        model: futureModel,
      });
      expect(out).toBe(result);
    }
    const stream = streamOf([{ type: 'text-delta', id: '0', delta: 'x' }]);
    const streamed = await middleware.wrapStream({
      doGenerate: async () => result,
      doStream: async () => ({ stream }),
      params: { prompt: [] },
      model: futureModel,
    });
    expect(streamed.stream).toBe(stream);
    expect(trail.turns).toHaveLength(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain('"v9"');
    if (v.spec !== 'v4') {
      // ai 5 and 6 hand the inner model to the middleware as it is (ai 7 converts every model to V4).
      const inner = new v.MockLanguageModel({ doGenerate: generateResult('inner') });
      Object.defineProperty(inner, 'specificationVersion', { value: 'v9' });
      const wrapped = v.ai.wrapLanguageModel({ model: inner, middleware });
      expect((await v.ai.generateText({ model: wrapped, prompt: 'x' })).text).toBe('inner');
      expect(trail.turns).toHaveLength(0);
      expect(warn).toHaveBeenCalledTimes(1);
    }
  });

  it('the model the middleware sees has this version spec', async () => {
    let seen: string | undefined;
    const { wrap } = setup({ threadId: 't' });
    const model = new v.MockLanguageModel({
      doGenerate: async () => {
        seen = 'called';
        return generateResult('x');
      },
    });
    const spy = chatTrailMiddleware({
      trail: {
        record(turn) {
          seen = turn.model?.provider;
        },
      },
    });
    await v.ai.generateText({ model: wrap(model), prompt: 'x' });
    await v.ai.generateText({
      model: v.ai.wrapLanguageModel({
        model,
        middleware: [
          {
            ...spy,
            wrapGenerate: (o: any) => {
              expect(o.model.specificationVersion).toBe(v.spec);
              return spy.wrapGenerate(o);
            },
          },
        ],
      }),
      prompt: 'x',
    });
    expect(seen).toBe('mock-provider');
  });
});
