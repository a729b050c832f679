// Issue 26 item 2: flush() waits for the LangChain runs in progress. The client reads a whole answer that
// an HTTP route streamed (or invoked) with a real @langchain/core fake model, then the app flushes at once,
// with no sleep and no polling: the turn is at both backends of the devserver when flush() resolves. A
// stream still being read when flush() is called is waited for; one abandoned holds flush only up to its
// timeout.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ChatTrail, createChatTrail, melodi, mielto } from '@chattrail/core';
import { type DevServer, startDevServer } from '@chattrail/devserver';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatTrailCallbackHandler } from '../../src/index';
import { melodiThread, mieltoConversation } from '../support/devserver-readback';
import { coreLine } from '../support/recording-trail';

let devserver: DevServer;
beforeAll(async () => {
  devserver = await startDevServer({ port: 0 });
});
afterAll(() => devserver.close());

/** Both backends hold the thread as `[question, answer]`. */
async function expectBothBackends(threadId: string, question: string, answer: string) {
  expect((await mieltoConversation(devserver, threadId)).messages.map((m) => m.content)).toEqual([
    question,
    answer,
  ]);
  expect((await melodiThread(devserver, threadId)).messages.map((m) => m.content)).toEqual([
    question,
    answer,
  ]);
}

describe(`flush() and LangChain runs in progress (@langchain/core ${coreLine})`, () => {
  let trail: ChatTrail;
  let server: Server | undefined;
  const thread = (what: string) => `flush-${what}-${coreLine}`;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
    server = undefined;
    await trail.shutdown();
  });

  function handlerFor(threadId: string) {
    trail = createChatTrail({
      destinations: [
        mielto({ apiKey: 'k', baseUrl: devserver.mieltoBaseUrl }),
        melodi({ apiKey: 'k', projectId: 1, baseUrl: devserver.melodiBaseUrl }),
      ],
    });
    return new ChatTrailCallbackHandler({ trail, threadId });
  }

  /** A loopback server whose one route answers the posted question with `answer(question)`. */
  async function serve(answer: (question: string) => Promise<AsyncIterable<string> | string>) {
    server = createServer(async (req, res) => {
      let question = '';
      for await (const chunk of req) question += chunk;
      const result = await answer(question);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      if (typeof result === 'string') res.end(result);
      else {
        for await (const text of result) res.write(text);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return async (question: string) => (await fetch(url, { method: 'POST', body: question })).text();
  }

  it('a model streamed behind an HTTP route: the client reads the whole answer, flush(), the turn is there', async () => {
    const handler = handlerFor(thread('stream'));
    const model = new FakeListChatModel({ responses: ['Sunny today.'] });
    const ask = await serve(async (question) => {
      const stream = await model.stream(question, { callbacks: [handler] });
      return (async function* () {
        for await (const chunk of stream) yield String(chunk.content);
      })();
    });
    expect(await ask('Weather in Paris?')).toBe('Sunny today.');

    expect(await trail.flush()).toEqual({ ok: true, pendingTurns: 0 });
    await expectBothBackends(thread('stream'), 'Weather in Paris?', 'Sunny today.');
  });

  it('a model invoked behind an HTTP route: the same', async () => {
    const handler = handlerFor(thread('invoke'));
    const model = new FakeListChatModel({ responses: ['Hello there.'] });
    const ask = await serve(async (question) => {
      const message = await model.invoke(question, { callbacks: [handler] });
      return String(message.content);
    });
    expect(await ask('Hi')).toBe('Hello there.');

    expect(await trail.flush()).toEqual({ ok: true, pendingTurns: 0 });
    await expectBothBackends(thread('invoke'), 'Hi', 'Hello there.');
  });

  it('flush() called while a stream is being read resolves once the run has ended, with its turn delivered', async () => {
    const handler = handlerFor(thread('in-progress'));
    const model = new FakeListChatModel({ responses: ['Hello'] });
    const stream = await model.stream('Hi', { callbacks: [handler] });
    const iterator = stream[Symbol.asyncIterator]();
    expect(String((await iterator.next()).value?.content)).toBe('H');

    const flushed = trail.flush();
    let rest = '';
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next())
      rest += String(next.value.content);
    expect(rest).toBe('ello');

    expect(await flushed).toEqual({ ok: true, pendingTurns: 0 });
    await expectBothBackends(thread('in-progress'), 'Hi', 'Hello');
  });

  it('a stream the app abandons: flush({ timeoutMs }) still resolves, and counts it in openCaptures', async () => {
    const handler = handlerFor(thread('abandoned'));
    const model = new FakeListChatModel({ responses: ['Never read to the end'] });
    const stream = await model.stream('Hi', { callbacks: [handler] });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next(); // …and never again

    expect(await trail.flush({ timeoutMs: 300 })).toEqual({ ok: false, pendingTurns: 0, openCaptures: 1 });
    expect(handler.pendingRuns).toBe(1);
  });
});
