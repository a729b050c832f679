// Kept apart from `withChatTrail` so both paths can be tested in one runtime.

import { nodeBuiltin } from '../internal/node-builtin';

type AsyncLocalStorageConstructor = new <T>() => {
  run<R>(store: T, fn: () => R): R;
  getStore(): T | undefined;
};

export type ContextMode = 'async-local-storage' | 'sync-only';

export interface ContextStore<T> {
  readonly mode: ContextMode;
  run<R>(value: T, fn: () => R): R;
  get(): T | undefined;
}

/** AsyncLocalStorage without a top-level import (Edge, browsers): the global, else `node:async_hooks`. */
export function loadAsyncLocalStorage(): AsyncLocalStorageConstructor | undefined {
  const native = (globalThis as { AsyncLocalStorage?: unknown }).AsyncLocalStorage;
  const found =
    typeof native === 'function'
      ? native
      : nodeBuiltin<{ AsyncLocalStorage?: unknown }>('node:async_hooks')?.AsyncLocalStorage;
  return typeof found === 'function' ? (found as AsyncLocalStorageConstructor) : undefined;
}

export function createContextStore<T>(
  AsyncLocalStorage: AsyncLocalStorageConstructor | undefined,
): ContextStore<T> {
  if (AsyncLocalStorage !== undefined) {
    const storage = new AsyncLocalStorage<T>();
    return {
      mode: 'async-local-storage',
      run: (value, fn) => storage.run(value, fn),
      get: () => storage.getStore(),
    };
  }
  // Restored as soon as fn returns, even a promise: a context outliving fn would leak into the next request.
  let current: T | undefined;
  return {
    mode: 'sync-only',
    run(value, fn) {
      const previous = current;
      current = value;
      try {
        return fn();
      } finally {
        current = previous;
      }
    },
    get: () => current,
  };
}
