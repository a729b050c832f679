/**
 * Where the ambient chattrail context lives: AsyncLocalStorage when the runtime has it, a synchronous
 * stack otherwise. Kept apart from `withChatTrail` so both paths can be tested in one runtime.
 */

/** The part of AsyncLocalStorage this module uses. */
export interface AsyncLocalStorageLike<T> {
  run<R>(store: T, fn: () => R): R;
  getStore(): T | undefined;
}

/** A constructor of {@link AsyncLocalStorageLike}. */
export type AsyncLocalStorageConstructor = new <T>() => AsyncLocalStorageLike<T>;

/** How far a context set by `withChatTrail` reaches. */
export type ContextMode =
  /** Through every `await`, timer and callback started inside the function. */
  | 'async-local-storage'
  /** Only the synchronous part of the function: lost after its first `await`. */
  | 'sync-only';

export interface ContextStore<T> {
  readonly mode: ContextMode;
  run<R>(value: T, fn: () => R): R;
  get(): T | undefined;
}

/**
 * Finds AsyncLocalStorage without a top-level `import 'node:async_hooks'` (which would stop the core from
 * loading on Edge runtimes and in browsers):
 * 1. `globalThis.AsyncLocalStorage`: Vercel Edge and Next.js expose it, as do Cloudflare Workers with
 *    `nodejs_als` / `nodejs_compat`.
 * 2. `process.getBuiltinModule('node:async_hooks')`: Node ≥ 20.16 / 22.3, Deno, Bun, and Workers with
 *    `nodejs_compat`. A synchronous lookup, so no bundler sees an import it would try to resolve.
 * 3. Otherwise `undefined` (older Node 20, browsers): the caller falls back to sync-only context.
 */
export function loadAsyncLocalStorage(): AsyncLocalStorageConstructor | undefined {
  const runtime = globalThis as {
    AsyncLocalStorage?: unknown;
    process?: { getBuiltinModule?: (id: string) => { AsyncLocalStorage?: unknown } | undefined };
  };
  if (typeof runtime.AsyncLocalStorage === 'function') {
    return runtime.AsyncLocalStorage as AsyncLocalStorageConstructor;
  }
  try {
    const asyncHooks = runtime.process?.getBuiltinModule?.('node:async_hooks');
    if (typeof asyncHooks?.AsyncLocalStorage === 'function') {
      return asyncHooks.AsyncLocalStorage as AsyncLocalStorageConstructor;
    }
  } catch {
    // A runtime that has getBuiltinModule but not this module: fall through to sync-only.
  }
  return undefined;
}

/** Builds a store on AsyncLocalStorage when given one, else on a synchronous stack. */
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
  // The previous value is restored as soon as fn returns, even when fn returned a promise: a context
  // that outlived its function here would leak into whichever request runs next.
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
