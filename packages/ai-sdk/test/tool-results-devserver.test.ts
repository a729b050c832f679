// Every tool-result output shape of ai 5, 6 and 7 through the real middleware, a real trail and the
// devserver over HTTP: what Mielto and Melodi stored must be the output as JSON (and isError where it is
// an error), never the text "[object Object]".
import { type ChatTrail, createChatTrail, melodi, mielto } from '@chattrail/core';
import { type DevServer, startDevServer } from '@chattrail/devserver';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chatTrailMiddleware } from '../src/index';
import { AI_VERSIONS, type AiVersion, streamOf } from './ai-versions';

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server?.close();
});

const readBack = async (path: string): Promise<any> =>
  (await fetch(`${server.url}/_devserver${path}`)).json();

interface Expected {
  output: unknown;
  /** Mielto's content: the output as text (strings as they are, the rest as JSON). */
  text?: string;
  isError?: boolean;
}

/** Tool results in the prompt (`role: 'tool'` messages), in every shape this version's ModelMessage accepts. */
function promptOutputs(v: AiVersion): Record<string, { output: unknown; expected: Expected }> {
  const shapes: Record<string, { output: unknown; expected: Expected }> = {
    'c-text': { output: { type: 'text', value: 'plain text' }, expected: { output: 'plain text' } },
    'c-json': {
      output: { type: 'json', value: { a: 1, b: [1, 2], c: { d: null } } },
      expected: { output: { a: 1, b: [1, 2], c: { d: null } } },
    },
    'c-json-array': {
      output: { type: 'json', value: [1, 'two', null] },
      expected: { output: [1, 'two', null] },
    },
    'c-json-number': { output: { type: 'json', value: 42 }, expected: { output: 42, text: '42' } },
    'c-error-text': {
      output: { type: 'error-text', value: 'it broke' },
      expected: { output: 'it broke', isError: true },
    },
    'c-error-json': {
      output: { type: 'error-json', value: { code: 7, why: 'quota' } },
      expected: { output: { code: 7, why: 'quota' }, isError: true },
    },
    'c-content': {
      output: {
        type: 'content',
        value: [
          { type: 'text', text: 'chart follows' },
          v.spec === 'v2'
            ? { type: 'media', data: 'iVBORw0KGgo=', mediaType: 'image/png' }
            : v.spec === 'v3'
              ? { type: 'image-data', data: 'iVBORw0KGgo=', mediaType: 'image/png' }
              : { type: 'file-data', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
        ],
      },
      expected: { output: expect.arrayContaining([{ type: 'text', text: 'chart follows' }]) },
    },
  };
  if (v.spec !== 'v2') {
    shapes['c-denied'] = {
      output: { type: 'execution-denied', reason: 'user said no' },
      expected: { output: { denied: true, reason: 'user said no' }, isError: true },
    };
  }
  return shapes;
}

describe.each(AI_VERSIONS)('tool results stored by the devserver, $name', (v) => {
  let trail: ChatTrail;
  beforeEach(() => {
    server.reset();
    trail = createChatTrail({
      destinations: [
        mielto({ apiKey: 'k', baseUrl: server.mieltoBaseUrl }),
        melodi({ apiKey: 'k', projectId: 7, baseUrl: server.melodiBaseUrl }),
      ],
    });
  });
  afterEach(async () => {
    await trail.shutdown({ timeoutMs: 5_000 });
  });

  const tools = {
    lookup: v.ai.tool({
      description: 'a tool that returns an object',
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }: { city: string }) => ({ city, temperatureC: 21, tags: ['mild'] }),
    }),
    describe: v.ai.tool({
      description: 'a tool whose toModelOutput puts an object in a text output',
      inputSchema: z.object({}),
      execute: async () => ({ summary: 'ok', n: 3 }),
      toModelOutput: (out: unknown) => {
        // ai 7 passes { output, ... }; ai 5 and 6 the output itself.
        const value = (out as { output?: unknown })?.output ?? out;
        return { type: 'text', value } as never;
      },
    }),
    web: v.ai.tool({
      description: 'run by the provider',
      inputSchema: z.object({}),
      execute: async () => ({}),
    }),
  };

  /** Reads both backends back and checks every expected tool result by its call id. */
  async function expectStored(threadId: string, expected: Record<string, Expected>) {
    const report = await trail.flush({ timeoutMs: 10_000 });
    expect(report.ok, JSON.stringify(report)).toBe(true);
    const conversations = await readBack('/mielto/conversations');
    const conversation = conversations.find((c: any) => c.meta_data.thread_id === threadId);
    const [thread] = await readBack(`/melodi/threads?externalId=${encodeURIComponent(threadId)}`);
    expect(JSON.stringify([conversation, thread])).not.toContain('[object Object]');
    const mieltoTools = new Map<string, any>(
      conversation.messages
        .filter((m: any) => m.role === 'tool')
        .map((m: any) => [m.meta_data.tool_call_id, m]),
    );
    const melodiTools = new Map<string, any>(
      thread.messages.filter((m: any) => m.role === 'tool').map((m: any) => [m.jsonContent.toolCallId, m]),
    );
    for (const [id, want] of Object.entries(expected)) {
      const stored = melodiTools.get(id);
      expect(stored, `melodi ${id}`).toBeDefined();
      expect(stored.type).toBe('json');
      expect(stored.jsonContent.output, `melodi ${id}`).toEqual(want.output);
      expect(stored.jsonContent.isError, `melodi ${id}`).toBe(want.isError === true);
      const message = mieltoTools.get(id);
      expect(message, `mielto ${id}`).toBeDefined();
      const text =
        want.text ??
        (typeof want.output === 'string' ? want.output : JSON.stringify(stored.jsonContent.output));
      expect(message.content, `mielto ${id}`).toBe(text);
      if (want.isError) expect(message.meta_data.is_error, `mielto ${id}`).toBe(true);
    }
  }

  it('generateText: every prompt output shape, tools run by ai (an object; toModelOutput text holding an object) and a provider-executed result', async () => {
    const threadId = `tool-shapes-${v.spec}`;
    const shapes = promptOutputs(v);
    let step = 0;
    const model = new v.MockLanguageModel({
      doGenerate: async () => {
        step++;
        const finish = (reason: 'stop' | 'tool-calls') => ({
          finishReason: v.finishReason(reason),
          usage: v.usage(3, 2),
          warnings: [],
        });
        if (step === 1) {
          return {
            content: [
              { type: 'tool-call', toolCallId: 'run-lookup', toolName: 'lookup', input: '{"city":"Paris"}' },
              { type: 'tool-call', toolCallId: 'run-describe', toolName: 'describe', input: '{}' },
              {
                type: 'tool-call',
                toolCallId: 'p-web',
                toolName: 'web',
                input: '{}',
                providerExecuted: true,
              },
              {
                type: 'tool-result',
                toolCallId: 'p-web',
                toolName: 'web',
                result: { hits: [{ title: 'Paris', rank: 1 }] },
                providerExecuted: true,
              },
            ],
            ...finish('tool-calls'),
          };
        }
        return { content: [{ type: 'text', text: 'done' }], ...finish('stop') };
      },
    });
    const calls = Object.keys(shapes).map((id) => ({
      type: 'tool-call',
      toolCallId: id,
      toolName: 'lookup',
      input: { city: 'x' },
    }));
    const result = await v.ai.generateText({
      model: v.ai.wrapLanguageModel({ model, middleware: chatTrailMiddleware({ trail }) }),
      tools,
      stopWhen: v.ai.stepCountIs(3),
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: calls },
        {
          role: 'tool',
          content: Object.entries(shapes).map(([id, s]) => ({
            type: 'tool-result',
            toolCallId: id,
            toolName: 'lookup',
            output: s.output,
          })),
        },
        { role: 'user', content: 'again' },
      ],
      providerOptions: { chattrail: { threadId } },
    });
    expect(result.text).toBe('done');
    await expectStored(threadId, {
      ...Object.fromEntries(Object.entries(shapes).map(([id, s]) => [id, s.expected])),
      'run-lookup': { output: { city: 'Paris', temperatureC: 21, tags: ['mild'] } },
      'run-describe': { output: { summary: 'ok', n: 3 } },
      'p-web': { output: { hits: [{ title: 'Paris', rank: 1 }] } },
    });
  });

  it('streamText: provider-executed tool-result stream parts, a result and an error', async () => {
    const threadId = `tool-stream-${v.spec}`;
    const model = new v.MockLanguageModel({
      doStream: async () => ({
        stream: streamOf([
          { type: 'stream-start', warnings: [] },
          { type: 'tool-call', toolCallId: 'ps-ok', toolName: 'web', input: '{}', providerExecuted: true },
          {
            type: 'tool-result',
            toolCallId: 'ps-ok',
            toolName: 'web',
            result: { hits: [1, 2], meta: { took: 3 } },
            providerExecuted: true,
          },
          { type: 'tool-call', toolCallId: 'ps-err', toolName: 'web', input: '{}', providerExecuted: true },
          {
            type: 'tool-result',
            toolCallId: 'ps-err',
            toolName: 'web',
            result: { error: 'rate limited', retryInS: 5 },
            isError: true,
            providerExecuted: true,
          },
          { type: 'text-start', id: 't0' },
          { type: 'text-delta', id: 't0', delta: 'searched' },
          { type: 'text-end', id: 't0' },
          { type: 'finish', finishReason: v.finishReason('stop'), usage: v.usage(3, 2) },
        ]),
      }),
    });
    const result = v.ai.streamText({
      model: v.ai.wrapLanguageModel({ model, middleware: chatTrailMiddleware({ trail }) }),
      tools,
      prompt: 'search',
      providerOptions: { chattrail: { threadId } },
    });
    await result.consumeStream();
    await expectStored(threadId, {
      'ps-ok': { output: { hits: [1, 2], meta: { took: 3 } } },
      'ps-err': { output: { error: 'rate limited', retryInS: 5 }, isError: true },
    });
  });
});
