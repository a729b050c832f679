// Issue 26 item 2: flush() waits for the model calls in progress. The client reads a whole answer that an
// HTTP route streamed (or generated) with the real `ai`, then the app flushes at once, with no sleep and
// no polling: the turn is at both backends of the devserver when flush() resolves. A stream still being
// read when flush() is called is waited for; one that never ends holds flush only up to its timeout.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ChatTrail, createChatTrail, melodi, mielto } from '@chattrail/core';
import { type DevServer, startDevServer } from '@chattrail/devserver';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatTrailMiddleware } from '../src/index';
import { AI_VERSIONS, controllableStream, textStreamParts } from './ai-versions';

let devserver: DevServer;
beforeAll(async () => {
  devserver = await startDevServer({ port: 0 });
});
afterAll(() => devserver.close());

/** The roles each backend holds for the thread. */
async function storedRoles(threadId: string): Promise<Record<string, string[]>> {
  const all = (await (await fetch(`${devserver.url}/_devserver/threads`)).json()) as {
    threads: { backend: string; externalId: string | null; messages: { role: string }[] }[];
  };
  const stored: Record<string, string[]> = {};
  for (const thread of all.threads.filter((t) => t.externalId === threadId))
    stored[thread.backend] = thread.messages.map((m) => m.role);
  return stored;
}

const BOTH = { mielto: ['user', 'assistant'], melodi: ['user', 'assistant'] };

/** A model stream that hands out one part per macrotask, as a provider's network stream would. */
function tickingStream(parts: unknown[]): ReadableStream<unknown> {
  let next = 0;
  return new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setImmediate(resolve));
      if (next < parts.length) controller.enqueue(parts[next++]);
      else controller.close();
    },
  });
}

describe.each(AI_VERSIONS)('flush() and model calls in progress, $name', (v) => {
  let trail: ChatTrail;
  let server: Server | undefined;
  const thread = (what: string) => `flush-${what}-${v.name.replace(' ', '')}`;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
    server = undefined;
    await trail.shutdown();
  });

  function setUp() {
    trail = createChatTrail({
      destinations: [
        mielto({ apiKey: 'k', baseUrl: devserver.mieltoBaseUrl }),
        melodi({ apiKey: 'k', projectId: 1, baseUrl: devserver.melodiBaseUrl }),
      ],
    });
    return chatTrailMiddleware({ trail });
  }

  /** A loopback server whose one route answers with `answer(question, threadId)`. */
  async function serve(
    answer: (question: string, threadId: string) => Promise<AsyncIterable<string> | string>,
  ) {
    server = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      const { question, threadId } = JSON.parse(body);
      const result = await answer(question, threadId);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      if (typeof result === 'string') res.end(result);
      else {
        for await (const text of result) res.write(text);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return async (question: string, threadId: string) => {
      const response = await fetch(url, {
        method: 'POST',
        body: JSON.stringify({ question, threadId }),
      });
      return response.text();
    };
  }

  it('streamText behind an HTTP route: the client reads the whole answer, flush(), the turn is there', async () => {
    const middleware = setUp();
    const model = v.ai.wrapLanguageModel({
      model: new v.MockLanguageModel({
        doStream: async () => ({ stream: tickingStream(textStreamParts(v, ['Sunny ', 'today.'])) }),
      }),
      middleware,
    });
    const ask = await serve(async (question, threadId) => {
      const result = v.ai.streamText({
        model,
        prompt: question,
        providerOptions: { chattrail: { threadId } },
      });
      return result.textStream;
    });
    expect(await ask('Weather in Paris?', thread('stream'))).toBe('Sunny today.');

    expect(await trail.flush()).toEqual({ ok: true, pendingTurns: 0 });
    expect(await storedRoles(thread('stream'))).toEqual(BOTH);
  });

  it('generateText behind an HTTP route: the same', async () => {
    const middleware = setUp();
    const model = v.ai.wrapLanguageModel({
      model: new v.MockLanguageModel({
        doGenerate: async () => ({
          content: [{ type: 'text', text: 'Hello there.' }],
          finishReason: v.finishReason('stop'),
          usage: v.usage(3, 2),
          warnings: [],
        }),
      }),
      middleware,
    });
    const ask = await serve(async (question, threadId) => {
      const result = await v.ai.generateText({
        model,
        prompt: question,
        providerOptions: { chattrail: { threadId } },
      });
      return result.text;
    });
    expect(await ask('Hi', thread('generate'))).toBe('Hello there.');

    expect(await trail.flush()).toEqual({ ok: true, pendingTurns: 0 });
    expect(await storedRoles(thread('generate'))).toEqual(BOTH);
  });

  it('flush() called while a stream is being read resolves once it has ended, with its turn delivered', async () => {
    const middleware = setUp();
    const source = controllableStream();
    const model = v.ai.wrapLanguageModel({
      model: new v.MockLanguageModel({ doStream: async () => ({ stream: source.stream }) }),
      middleware,
    });
    const result = v.ai.streamText({
      model,
      prompt: 'Hi',
      providerOptions: { chattrail: { threadId: thread('in-progress') } },
    });
    const parts = textStreamParts(v, ['Hel', 'lo']);
    for (const part of parts.slice(0, 4)) source.push(part);
    const reader = result.textStream.getReader();
    expect((await reader.read()).value).toBe('Hel');

    const flushed = trail.flush();
    for (const part of parts.slice(4)) source.push(part);
    source.close();
    let rest = '';
    for (let read = await reader.read(); !read.done; read = await reader.read()) rest += read.value;
    expect(rest).toBe('lo');

    expect(await flushed).toEqual({ ok: true, pendingTurns: 0 });
    expect(await storedRoles(thread('in-progress'))).toEqual(BOTH);
  });

  it('a stream that never ends: flush({ timeoutMs }) still resolves, and counts it in openCaptures', async () => {
    const middleware = setUp();
    const source = controllableStream();
    const model = v.ai.wrapLanguageModel({
      model: new v.MockLanguageModel({ doStream: async () => ({ stream: source.stream }) }),
      middleware,
    });
    const result = v.ai.streamText({ model, prompt: 'Hi' });
    for (const part of textStreamParts(v, ['Thinking']).slice(0, 4)) source.push(part);
    const reader = result.textStream.getReader();
    expect((await reader.read()).value).toBe('Thinking');

    expect(await trail.flush({ timeoutMs: 300 })).toEqual({ ok: false, pendingTurns: 0, openCaptures: 1 });
    await reader.cancel();
  });
});
