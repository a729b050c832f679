import { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createContextStore, loadAsyncLocalStorage } from './context-store';

afterEach(() => {
  vi.unstubAllGlobals();
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('loadAsyncLocalStorage', () => {
  it('finds it through process.getBuiltinModule on Node', () => {
    expect(loadAsyncLocalStorage()).toBe(AsyncLocalStorage);
  });

  it('prefers globalThis.AsyncLocalStorage (Edge runtimes)', () => {
    class EdgeStorage {}
    vi.stubGlobal('AsyncLocalStorage', EdgeStorage);
    expect(loadAsyncLocalStorage()).toBe(EdgeStorage);
  });

  it('returns undefined where neither exists', () => {
    vi.stubGlobal('process', { ...process, getBuiltinModule: undefined });
    expect(loadAsyncLocalStorage()).toBeUndefined();
  });

  it('returns undefined when getBuiltinModule throws', () => {
    vi.stubGlobal('process', {
      ...process,
      getBuiltinModule() {
        throw new Error('no such module');
      },
    });
    expect(loadAsyncLocalStorage()).toBeUndefined();
  });
});

describe('createContextStore', () => {
  it('carries the value across awaits with AsyncLocalStorage', async () => {
    const store = createContextStore<string>(AsyncLocalStorage);
    expect(store.mode).toBe('async-local-storage');
    const seen = await store.run('a', async () => {
      await tick();
      return store.get();
    });
    expect(seen).toBe('a');
    expect(store.get()).toBeUndefined();
  });

  it('keeps concurrent runs apart with AsyncLocalStorage', async () => {
    const store = createContextStore<string>(AsyncLocalStorage);
    const results = await Promise.all(
      ['a', 'b', 'c'].map((value) =>
        store.run(value, async () => {
          await tick();
          return store.get();
        }),
      ),
    );
    expect(results).toEqual(['a', 'b', 'c']);
  });

  describe('sync-only fallback', () => {
    it('is visible synchronously, including nested runs', () => {
      const store = createContextStore<string>(undefined);
      expect(store.mode).toBe('sync-only');
      store.run('outer', () => {
        expect(store.get()).toBe('outer');
        store.run('inner', () => expect(store.get()).toBe('inner'));
        expect(store.get()).toBe('outer');
      });
      expect(store.get()).toBeUndefined();
    });

    it('is lost after the first await but never leaks into another run', async () => {
      const store = createContextStore<string>(undefined);
      const results = await Promise.all(
        ['a', 'b'].map((value) =>
          store.run(value, async () => {
            const before = store.get();
            await tick();
            return [before, store.get()];
          }),
        ),
      );
      expect(results).toEqual([
        ['a', undefined],
        ['b', undefined],
      ]);
    });

    it('restores the previous value when fn throws', () => {
      const store = createContextStore<string>(undefined);
      expect(() =>
        store.run('x', () => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(store.get()).toBeUndefined();
    });
  });
});
