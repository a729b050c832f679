import { afterEach, describe, expect, it, vi } from 'vitest';
import { chatTrailMiddleware } from './chat-trail-middleware';

afterEach(() => {
  vi.restoreAllMocks();
});

const model = { specificationVersion: 'v3', provider: 'p', modelId: 'm' };
const result = {
  content: [{ type: 'text', text: 'ok' }],
  finishReason: { unified: 'stop', raw: 'stop' },
  usage: { inputTokens: { total: 1 }, outputTokens: { total: 1 } },
};

describe('chatTrailMiddleware', () => {
  it('a missing trail is a warning at wrap time, never an error at call time', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const middleware = chatTrailMiddleware(undefined as never);
    expect(warn).toHaveBeenCalledTimes(1);
    const out = await middleware.wrapGenerate({
      doGenerate: async () => result,
      doStream: async () => ({}),
      params: { prompt: [] },
      model,
    });
    expect(out).toBe(result);
  });

  it('transformParams leaves params without our key as they are, and copies the others', async () => {
    const middleware = chatTrailMiddleware({ trail: { record() {} } });
    const plain = { prompt: [], providerOptions: { openai: { store: false } } };
    expect(await middleware.transformParams({ type: 'generate', params: plain, model })).toBe(plain);
    const ours = { prompt: [], providerOptions: { openai: { store: false }, chattrail: { threadId: 't' } } };
    const stripped = await middleware.transformParams({ type: 'stream', params: ours, model });
    expect(stripped).not.toBe(ours);
    expect(stripped.providerOptions).toEqual({ openai: { store: false } });
    expect(ours.providerOptions.chattrail).toEqual({ threadId: 't' }); // the caller's object is untouched
  });

  it('debug: true logs the generated-thread note once to console.debug', async () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    const middleware = chatTrailMiddleware({ trail: { record() {} }, debug: true });
    for (let i = 0; i < 3; i++) {
      await middleware.wrapGenerate({
        doGenerate: async () => result,
        doStream: async () => ({}),
        params: {},
        model,
      });
    }
    expect(debug).toHaveBeenCalledTimes(1);
    expect(String(debug.mock.calls[0]![0])).toMatch(/^\[chattrail\/ai-sdk\] .*generated id \(thread_/);
  });
});
