import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk, type BaseMessage, HumanMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatTrailCallbackHandler } from '../../src/index';
import { coreLine, recordingTrail } from '../support/recording-trail';
import { ScriptedChatModel } from '../support/scripted-chat-models';

/** Throws on every property read, key listing and prototype lookup. */
const hostile = (): any =>
  new Proxy(
    {},
    {
      get() {
        throw new Error('hostile getter');
      },
      has() {
        throw new Error('hostile has');
      },
      ownKeys() {
        throw new Error('hostile ownKeys');
      },
      getPrototypeOf() {
        throw new Error('hostile prototype');
      },
    },
  );

/**
 * A streaming model whose first `handleLLMNewToken` carries a `fields` object whose `chunk` getter throws,
 * then streams normally: what a buggy or exotic provider integration can hand every callback handler.
 */
class HostileFieldsChatModel extends BaseChatModel {
  _llmType(): string {
    return 'hostile-fields';
  }

  async *_streamResponseChunks(
    _messages: BaseMessage[],
    _options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const fields = {
      get chunk(): never {
        throw new Error('fields getter boom');
      },
    };
    // An empty token makes the handler look into `fields` (for a tool-call chunk).
    await runManager?.handleLLMNewToken(
      '',
      { prompt: 0, completion: 0 },
      undefined,
      undefined,
      undefined,
      fields,
    );
    for (const piece of ['fine ', 'answer']) {
      const chunk = new ChatGenerationChunk({ text: piece, message: new AIMessageChunk({ content: piece }) });
      await runManager?.handleLLMNewToken(
        piece,
        { prompt: 0, completion: 0 },
        undefined,
        undefined,
        undefined,
        {
          chunk,
        },
      );
      yield chunk;
    }
  }

  async _generate(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    let aggregate: ChatGenerationChunk | undefined;
    for await (const chunk of this._streamResponseChunks(messages, options, runManager)) {
      aggregate = aggregate === undefined ? chunk : aggregate.concat(chunk);
    }
    return { generations: aggregate === undefined ? [] : [aggregate] };
  }
}

/** What LangChain prints when a handler throws: "Error in handler <name>, <method>: <error>". */
function handlerErrorLines(spies: { mock: { calls: unknown[][] } }[]): string[] {
  return spies
    .flatMap((spy) => spy.mock.calls.map((call) => String(call[0])))
    .filter((line) => line.includes('Error in handler'));
}

describe(`the handler never throws into LangChain (@langchain/core ${coreLine})`, () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('handleLLMNewToken: a fields getter that throws goes to onError, LangChain sees nothing, the turn is recorded', async () => {
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const errors: unknown[] = [];
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail, onError: (e) => errors.push(e) });

    const answer = await new HostileFieldsChatModel({}).invoke([new HumanMessage('hi')], {
      callbacks: [handler],
      metadata: { thread_id: 'hostile-fields' },
    });

    expect(answer.content).toBe('fine answer');
    expect(handlerErrorLines([warn, error])).toEqual([]);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('fields getter boom');
    expect(trail.turns).toHaveLength(1);
    expect(trail.turns[0]).toMatchObject({ threadId: 'hostile-fields', status: 'ok' });
    expect(trail.turns[0].timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(handler.pendingRuns).toBe(0);
  });

  it('a trail.record that throws goes to onError; a throwing onError goes nowhere; the app gets its answers', async () => {
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const throwingTrail = {
      record() {
        throw new Error('record failed');
      },
    };
    const calls: unknown[] = [];
    const reporting = new ChatTrailCallbackHandler({ trail: throwingTrail, onError: (e) => calls.push(e) });
    const model = new ScriptedChatModel([new AIMessage('one'), new AIMessage('two')]);
    expect((await model.invoke('q1', { callbacks: [reporting] })).content).toBe('one');
    expect(calls.map((e) => (e as Error).message)).toEqual(['record failed']);

    const throwingOnError = new ChatTrailCallbackHandler({
      trail: throwingTrail,
      onError() {
        throw new Error('onError failed too');
      },
    });
    expect((await model.invoke('q2', { callbacks: [throwingOnError] })).content).toBe('two');
    expect(handlerErrorLines([warn, error])).toEqual([]);
  });

  it('every callback method survives arguments that throw on every read (audit of all handle* methods)', async () => {
    const errors: unknown[] = [];
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail, onError: (e) => errors.push(e) });
    const methods = Object.getOwnPropertyNames(ChatTrailCallbackHandler.prototype).filter((name) =>
      name.startsWith('handle'),
    );
    expect(methods.sort()).toEqual([
      'handleChainEnd',
      'handleChainError',
      'handleChainStart',
      'handleChatModelStart',
      'handleLLMEnd',
      'handleLLMError',
      'handleLLMNewToken',
      'handleLLMStart',
      'handleToolEnd',
      'handleToolError',
      'handleToolStart',
    ]);
    const call = (name: string, args: unknown[]) => () =>
      (handler as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);

    // Runs open with good ids but hostile inputs, so the ends reach the conversion of those inputs.
    const h = hostile;
    expect(call('handleChainStart', [h(), h(), 'chain', undefined, h(), h()])).not.toThrow();
    expect(call('handleChatModelStart', [h(), [[h(), h()]], 'model', 'chain', h(), h(), h()])).not.toThrow();
    expect(call('handleChatModelStart', [h(), h(), 'model-2', undefined, h(), h(), h()])).not.toThrow();
    expect(call('handleLLMStart', [h(), h(), 'llm', 'chain', h(), h(), h()])).not.toThrow();
    expect(call('handleToolStart', [h(), h(), 'tool', 'chain', h(), h(), h(), h()])).not.toThrow();
    expect(call('handleLLMNewToken', [h(), h(), 'model', h(), h(), h()])).not.toThrow();
    expect(call('handleLLMNewToken', ['', h(), 'model', h(), h(), h()])).not.toThrow();
    expect(call('handleLLMEnd', [h(), 'model', h(), h(), h()])).not.toThrow();
    expect(call('handleLLMEnd', [{ generations: [[{ text: 'x', message: h() }]] }, 'llm'])).not.toThrow();
    expect(call('handleLLMError', [h(), 'model-2', h(), h(), h()])).not.toThrow();
    expect(call('handleToolEnd', [h(), 'tool', h(), h()])).not.toThrow();
    expect(call('handleToolError', [h(), 'tool', h(), h()])).not.toThrow();
    expect(call('handleChainError', [h(), 'chain', h(), h(), h()])).not.toThrow();
    expect(call('handleChainEnd', [h(), 'chain', h(), h(), h()])).not.toThrow();
    // And with every argument hostile, ids included.
    for (const name of methods)
      expect(call(name, [h(), h(), h(), h(), h(), h(), h(), h()]), name).not.toThrow();
    // Nothing thrown, and none of it silent: the failures went to onError.
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e instanceof Error)).toBe(true);
  });

  it('without onError: one console.warn even for an error whose message getter throws', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const handler = new ChatTrailCallbackHandler({
      trail: {
        record() {
          throw hostile();
        },
      },
    });
    handler.handleLLMStart({} as never, ['p'], 'run-1');
    expect(() => handler.handleLLMEnd({ generations: [[{ text: 'a' }]] }, 'run-1')).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain('[unreadable error]');
  });
});

describe('options', () => {
  it('a bad maxOpenRuns throws at construction, naming the value (nothing is clamped)', () => {
    const trail = recordingTrail();
    expect(() => new ChatTrailCallbackHandler({ trail, maxOpenRuns: 0 })).toThrow(
      new TypeError('ChatTrailCallbackHandler: maxOpenRuns must be a positive integer, got 0'),
    );
    expect(() => new ChatTrailCallbackHandler({ trail, maxOpenRuns: Number.NaN })).toThrow(/got NaN$/);
    expect(() => new ChatTrailCallbackHandler({ trail, maxOpenRuns: 2.5 })).toThrow(/got 2\.5$/);
    expect(new ChatTrailCallbackHandler({ trail, maxOpenRuns: 1 }).pendingRuns).toBe(0);
  });
});
