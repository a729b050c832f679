import { describe, expect, it } from 'vitest';
import { getChatTrailContext, getChatTrailContextMode, withChatTrail } from './chat-trail-context';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('withChatTrail', () => {
  it('uses AsyncLocalStorage on Node', () => {
    expect(getChatTrailContextMode()).toBe('async-local-storage');
  });

  it('is undefined outside of any context', () => {
    expect(getChatTrailContext()).toBeUndefined();
  });

  it('exposes the context inside fn, across awaits and timers, and returns what fn returns', async () => {
    const result = await withChatTrail({ threadId: 't1', user: { id: 'u1' } }, async () => {
      await tick();
      const fromTimer = await new Promise((resolve) => setTimeout(() => resolve(getChatTrailContext()), 1));
      return { now: getChatTrailContext(), fromTimer };
    });
    expect(result.now).toEqual({ threadId: 't1', user: { id: 'u1' } });
    expect(result.fromTimer).toEqual({ threadId: 't1', user: { id: 'u1' } });
    expect(getChatTrailContext()).toBeUndefined();
  });

  it('keeps concurrent requests apart', async () => {
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withChatTrail({ threadId: `t${i}` }, async () => {
          await new Promise((resolve) => setTimeout(resolve, (20 - i) % 7));
          return getChatTrailContext()?.threadId;
        }),
      ),
    );
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`));
  });

  it('merges nested contexts, the inner one winning', () => {
    withChatTrail(
      { threadId: 'outer', user: { id: 'u1', email: 'a@b.test' }, metadata: { a: 1, b: 1 } },
      () => {
        withChatTrail({ metadata: { b: 2, c: 3 } }, () => {
          expect(getChatTrailContext()).toEqual({
            threadId: 'outer',
            user: { id: 'u1', email: 'a@b.test' },
            metadata: { a: 1, b: 2, c: 3 },
          });
        });
        withChatTrail({ threadId: 'inner', user: { id: 'u2' } }, () => {
          // A user is one identity: the inner one replaces the outer one, fields are not mixed.
          expect(getChatTrailContext()).toEqual({
            threadId: 'inner',
            user: { id: 'u2' },
            metadata: { a: 1, b: 1 },
          });
        });
        expect(getChatTrailContext()?.threadId).toBe('outer');
      },
    );
  });

  it('carries the capture of the outer context into inner ones, the same object, unless one is given', () => {
    const outer = { sources: [] };
    const inner = { sources: [] };
    withChatTrail({ threadId: 'request', capture: outer }, () => {
      withChatTrail({ user: { id: 'u1' } }, () => {
        expect(getChatTrailContext()?.capture).toBe(outer);
      });
      withChatTrail({ capture: inner }, () => {
        expect(getChatTrailContext()?.capture).toBe(inner);
      });
    });
    withChatTrail({ threadId: 'no-capture' }, () => {
      expect(getChatTrailContext()).not.toHaveProperty('capture');
    });
  });

  it('hands out a frozen snapshot that callers cannot change for others', () => {
    withChatTrail({ threadId: 't' }, () => {
      const context = getChatTrailContext()!;
      expect(Object.isFrozen(context)).toBe(true);
      expect(() => {
        (context as { threadId?: string }).threadId = 'changed';
      }).toThrow(TypeError);
    });
  });

  it('passes errors from fn through unchanged', async () => {
    const error = new Error('host error');
    expect(() =>
      withChatTrail({ threadId: 't' }, () => {
        throw error;
      }),
    ).toThrow(error);
    await expect(withChatTrail({ threadId: 't' }, () => Promise.reject(error))).rejects.toBe(error);
  });

  it('is shared with other copies of the module (ESM and CJS builds loaded together)', async () => {
    const copy = await import(`./chat-trail-context?copy=${Date.now()}`);
    expect(copy.getChatTrailContext).not.toBe(getChatTrailContext);
    withChatTrail({ threadId: 'shared' }, () => {
      expect(copy.getChatTrailContext()).toEqual({ threadId: 'shared' });
    });
  });
});
