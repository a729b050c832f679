// End to end on every ai major: middleware → createChatTrail → Mielto and Melodi destinations → the
// devserver over real HTTP, with the model being the devserver's OpenAI-compatible completions. A
// three-turn conversation that resends its whole history (tool round trip in the first turn) must land
// in Mielto with each message once and in Melodi as one full, ordered thread.
import { type ChatTrail, createChatTrail, melodi, mielto } from '@chattrail/core';
import { type DevServer, startDevServer } from '@chattrail/devserver';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { chatTrailMiddleware } from '../src/index';
import { AI_VERSIONS } from './ai-versions';

// Melodi's PUT /threads read both ways (the seed's "full thread object"): merging, or replacing.
const MELODI_MODES = ['merge', 'replace'] as const;
const servers = new Map<string, DevServer>();
let server: DevServer;
beforeAll(async () => {
  for (const mode of MELODI_MODES) {
    servers.set(mode, await startDevServer({ port: 0, melodiThreadMessages: mode }));
  }
});
afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.close()));
});

async function readBack(path: string): Promise<any> {
  const res = await fetch(`${server.url}/_devserver${path}`);
  expect(res.status).toBe(200);
  return res.json();
}

const CASES = AI_VERSIONS.flatMap((v) => MELODI_MODES.map((melodiMode) => ({ ...v, melodiMode })));

describe.each(CASES)('trail → devserver, $name, Melodi $melodiMode', (v) => {
  let trail: ChatTrail;
  beforeEach(() => {
    server = servers.get(v.melodiMode)!;
    server.reset();
    trail = createChatTrail({
      destinations: [
        mielto({ apiKey: 'test-mielto', baseUrl: server.mieltoBaseUrl, agentId: 'weather-bot' }),
        melodi({ apiKey: 'test-melodi', projectId: 7, baseUrl: server.melodiBaseUrl }),
      ],
    });
  });
  afterEach(async () => {
    await trail.shutdown({ timeoutMs: 5_000 });
  });

  const modelWith = (middleware: ReturnType<typeof chatTrailMiddleware>) => {
    const provider = v.createOpenAICompatible({
      name: 'mielto',
      baseURL: server.mieltoBaseUrl,
      apiKey: 'demo',
      includeUsage: true,
    } as never);
    return v.ai.wrapLanguageModel({ model: provider.chatModel('scripted-1'), middleware });
  };
  const tools = {
    get_weather: v.ai.tool({
      description: 'Current weather for a city',
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }: { city: string }) => ({ city, temperatureC: 21, sky: 'sunny' }),
    }),
  };

  for (const mode of ['stream', 'generate'] as const) {
    it(`three turns resending the history (${mode}Text): each message once in Mielto, the full thread in Melodi`, async () => {
      const threadId = `three-turns-${mode}-${v.name.replace(' ', '')}`;
      const model = modelWith(chatTrailMiddleware({ trail }));
      const history: any[] = [];
      const questions = ['What is the weather in Paris?', 'Thanks! Should I take a coat?', 'Bye for now.'];
      for (const question of questions) {
        history.push({ role: 'user', content: question });
        const args = {
          model,
          system: 'You are a weather assistant.',
          messages: history,
          tools,
          stopWhen: v.ai.stepCountIs(4),
          providerOptions: { chattrail: { threadId, user: { id: 'user-ada', name: 'Ada' } } },
        };
        if (mode === 'generate') {
          history.push(...v.responseMessages(await v.ai.generateText(args)));
        } else {
          const result = v.ai.streamText(args);
          await result.consumeStream();
          history.push(...(await v.streamResponseMessages(result)));
        }
        const report = await trail.flush({ timeoutMs: 10_000 });
        expect(report.ok, JSON.stringify(report)).toBe(true);
      }

      const expectedRoles = [
        'system',
        'user',
        'assistant',
        'tool',
        'assistant',
        'user',
        'assistant',
        'user',
        'assistant',
      ];
      const conversations = await readBack('/mielto/conversations');
      expect(conversations).toHaveLength(1);
      const conversation = conversations[0];
      const mieltoMessages = conversation.messages as Array<{ role: string; content: string }>;
      // Every message of the thread exactly once, in order, though each of the 4 calls resent the history.
      expect(mieltoMessages.map((m) => m.role)).toEqual(expectedRoles);
      expect(mieltoMessages[1]!.content).toBe('What is the weather in Paris?');
      expect(mieltoMessages[4]!.content).toBe(
        'Here is what the tool returned: {"city":"Paris","temperatureC":21,"sky":"sunny"}',
      );

      const threads = await readBack(`/melodi/threads?externalId=${encodeURIComponent(threadId)}`);
      expect(threads).toHaveLength(1);
      const melodiMessages = threads[0].messages as Array<{ role: string; externalId: string }>;
      expect(melodiMessages.map((m) => m.role)).toEqual(expectedRoles);
      expect(new Set(melodiMessages.map((m) => m.externalId)).size).toBe(expectedRoles.length);

      const stats = trail.stats();
      expect(stats.recorded).toBe(4); // 2 steps in turn 1, 1 step each in turns 2 and 3
    });
  }

  it('a trimmed history (the last three messages each call): each message once in both backends', async () => {
    const threadId = `window-${v.name.replace(' ', '')}`;
    const model = modelWith(chatTrailMiddleware({ trail }));
    const history: any[] = [];
    for (let t = 1; t <= 6; t++) {
      history.push({ role: 'user', content: `Question number ${t}?` });
      const result = await v.ai.generateText({
        model,
        system: 'Be brief.',
        messages: history.slice(-3), // what apps do to bound the context: the model never sees the rest
        providerOptions: { chattrail: { threadId } },
      });
      history.push(...v.responseMessages(result));
      // Some calls are delivered one by one, the others in one batch.
      if (t <= 2) expect((await trail.flush({ timeoutMs: 10_000 })).ok).toBe(true);
    }
    expect((await trail.flush({ timeoutMs: 10_000 })).ok).toBe(true);

    const expected = [
      'Be brief.',
      ...history.map((m) => (typeof m.content === 'string' ? m.content : m.content[0].text)),
    ];
    const conversations = await readBack('/mielto/conversations');
    const conversation = conversations.find((c: any) => c.meta_data.thread_id === threadId);
    expect(conversation.messages.map((m: any) => m.content)).toEqual(expected);
    const [thread] = await readBack(`/melodi/threads?externalId=${encodeURIComponent(threadId)}`);
    expect(thread.messages.map((m: any) => m.content)).toEqual(expected);
  });

  it.each(['the trail', 'providerOptions'])(
    "turnMessages: 'new' (set on %s) with prompt-only calls: repeated questions and a tool loop, each message once",
    async (via) => {
      // An app that keeps the history itself sends only the new question (`prompt`). Its questions repeat.
      const own = createChatTrail({
        destinations: [
          mielto({ apiKey: 'test-mielto', baseUrl: server.mieltoBaseUrl }),
          melodi({ apiKey: 'test-melodi', projectId: 7, baseUrl: server.melodiBaseUrl }),
        ],
        turnMessages: via === 'the trail' ? 'new' : 'history',
      });
      const providerOptions = via === 'providerOptions' ? { chattrail: { turnMessages: 'new' } } : undefined;
      try {
        const threadId = `prompt-only-${via.replace(' ', '')}-${v.name.replace(' ', '')}`;
        const model = modelWith(chatTrailMiddleware({ trail: own, threadId }));
        const questions = [
          'What is the weather in Paris?',
          'Thanks!',
          'What is the weather in Paris?',
          'Thanks!',
        ];
        for (const prompt of questions) {
          await v.ai.generateText({
            model,
            system: 'Be brief.',
            prompt,
            tools,
            stopWhen: v.ai.stepCountIs(4),
            providerOptions,
          });
        }
        expect((await own.flush({ timeoutMs: 10_000 })).ok).toBe(true);

        const roles = ['system'];
        for (const question of questions) {
          roles.push(
            ...(question.includes('weather')
              ? ['user', 'assistant', 'tool', 'assistant']
              : ['user', 'assistant']),
          );
        }
        const conversations = await readBack('/mielto/conversations');
        const conversation = conversations.find((c: any) => c.meta_data.thread_id === threadId);
        expect(conversation.messages.map((m: any) => m.role)).toEqual(roles);
        const users = conversation.messages.filter((m: any) => m.role === 'user').map((m: any) => m.content);
        expect(users).toEqual(questions);
        const [thread] = await readBack(`/melodi/threads?externalId=${encodeURIComponent(threadId)}`);
        expect(thread.messages.map((m: any) => m.role)).toEqual(roles);
        expect(new Set(thread.messages.map((m: any) => m.externalId)).size).toBe(roles.length);
        expect(own.stats().recorded).toBe(6); // two steps for each weather question
      } finally {
        await own.shutdown({ timeoutMs: 5_000 });
      }
    },
  );

  it('an aborted stream is delivered with status aborted and the partial answer', async () => {
    const slow = await startDevServer({ port: 0, completionChunkDelayMs: 25 });
    try {
      const provider = v.createOpenAICompatible({
        name: 'mielto',
        baseURL: slow.mieltoBaseUrl,
        apiKey: 'demo',
      } as never);
      const model = v.ai.wrapLanguageModel({
        model: provider.chatModel('scripted-1'),
        middleware: chatTrailMiddleware({ trail, threadId: 'aborted-thread' }),
      });
      const controller = new AbortController();
      const result = v.ai.streamText({
        model,
        prompt: 'Please tell me a long story about a lighthouse keeper and the sea.',
        abortSignal: controller.signal,
        onError: () => {},
      });
      const reader = result.textStream.getReader();
      let received = '';
      while (received.split(' ').length < 4) received += (await reader.read()).value ?? '';
      controller.abort();
      await reader.cancel().catch(() => {});
      // The aborted turn is recorded as the stream winds down: waited for, not a fixed 50 ms.
      await vi.waitFor(() => expect(trail.stats().recorded).toBe(1), { timeout: 10_000 });
      await trail.flush({ timeoutMs: 10_000 });
      const threads = await readBack('/melodi/threads?externalId=aborted-thread');
      expect(threads).toHaveLength(1);
      const last = threads[0].messages.at(-1);
      expect(last.role).toBe('assistant');
      expect(received.startsWith(last.content) || last.content.startsWith(received)).toBe(true);
      expect(JSON.stringify(threads[0].metadata)).toContain('aborted');
    } finally {
      await slow.close();
    }
  });
});
