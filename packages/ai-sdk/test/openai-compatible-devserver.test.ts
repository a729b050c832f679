// The example path on every ai major: the AI SDK's OpenAI-compatible provider (the major matching each
// `ai`) against the devserver's scripted /chat/completions over real HTTP, wrapped by the middleware.
import { type DevServer, startDevServer } from '@chattrail/devserver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chatTrailMiddleware } from '../src/index';
import { AI_VERSIONS } from './ai-versions';
import { collectingRecorder } from './recorder';

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ port: 0 });
});
afterAll(async () => {
  await server?.close();
});

describe.each(AI_VERSIONS)('OpenAI-compatible provider against the devserver, $name', (v) => {
  const setup = () => {
    const trail = collectingRecorder();
    const provider = v.createOpenAICompatible({
      name: 'mielto',
      baseURL: server.mieltoBaseUrl,
      apiKey: 'demo',
      includeUsage: true,
    } as never);
    const model = v.ai.wrapLanguageModel({
      model: provider.chatModel('scripted-1'),
      middleware: chatTrailMiddleware({ trail }),
    });
    const tools = {
      get_weather: v.ai.tool({
        description: 'Current weather for a city',
        inputSchema: z.object({ city: z.string() }),
        execute: async ({ city }: { city: string }) => ({ city, temperatureC: 21, sky: 'sunny' }),
      }),
    };
    return { trail, model, tools };
  };

  it('streamText with a tool: two steps, the tool round trip and usage from the stream', async () => {
    const { trail, model, tools } = setup();
    const result = v.ai.streamText({
      model,
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools,
      stopWhen: v.ai.stepCountIs(4),
      providerOptions: { chattrail: { threadId: `oc-stream-${v.name}`, userId: 'user-ada' } },
    });
    const text = await result.text;
    expect(text).toBe('Here is what the tool returned: {"city":"Paris","temperatureC":21,"sky":"sunny"}');
    expect(trail.turns).toHaveLength(2);
    const [step1, step2] = trail.turns;
    expect(step1).toMatchObject({
      status: 'ok',
      model: { provider: 'mielto.chat', id: 'scripted-1' },
      metadata: { finishReason: 'tool-calls', streamed: true },
      user: { id: 'user-ada' },
    });
    expect(step1!.usage?.inputTokens).toBeGreaterThan(0);
    expect(step1!.messages[1]!.toolCalls).toMatchObject([{ name: 'get_weather', args: { city: 'Paris' } }]);
    expect(step2!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(step2!.messages[3]!.content).toBe(text);
    expect(step2!.messages.slice(0, 2).map((m) => m.id)).toEqual(step1!.messages.map((m) => m.id));
    expect(step2!.timeToFirstTokenMs).toBeGreaterThan(0);
  });

  it('generateText: JSON completions, and the provider never receives our provider options', async () => {
    const { trail, model } = setup();
    const result = await v.ai.generateText({
      model,
      prompt: 'Hello there',
      providerOptions: { chattrail: { threadId: `oc-generate-${v.name}` } },
    });
    expect(result.text).toContain('You said: "Hello there"');
    expect(trail.turns[0]).toMatchObject({
      threadId: `oc-generate-${v.name}`,
      status: 'ok',
      metadata: { finishReason: 'stop', streamed: false },
    });
    expect(trail.turns[0]!.usage?.totalTokens).toBeGreaterThan(0);
    const [request] = server.requests(1);
    expect(JSON.stringify(request)).not.toContain('chattrail');
  });

  it('a provider error (401 from a locked-down server) is rethrown as the SDK raised it and recorded', async () => {
    const locked = await startDevServer({ port: 0, apiKeys: { mielto: ['the-right-key'] } });
    try {
      const trail = collectingRecorder();
      const provider = v.createOpenAICompatible({
        name: 'mielto',
        baseURL: locked.mieltoBaseUrl,
        apiKey: 'wrong',
      });
      const model = v.ai.wrapLanguageModel({
        model: provider.chatModel('scripted-1'),
        middleware: chatTrailMiddleware({ trail, threadId: 'oc-401' }),
      });
      const error = await v.ai.generateText({ model, prompt: 'hi', maxRetries: 0 }).catch((e: unknown) => e);
      expect((error as { statusCode?: number }).statusCode).toBe(401);
      expect(trail.turns[0]).toMatchObject({ status: 'error', error: { name: 'AI_APICallError' } });
    } finally {
      await locked.close();
    }
  });
});
