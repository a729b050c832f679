/** A platform hook that keeps a serverless invocation alive until the promise settles. */
export type WaitUntil = (promise: Promise<unknown>) => void;

const VERCEL_REQUEST_CONTEXT = Symbol.for('@vercel/request-context');

/** The current Vercel request's `waitUntil`, from its global request context (as `@vercel/functions`). */
export function findWaitUntil(): WaitUntil | undefined {
  try {
    const registry = globalThis as {
      [VERCEL_REQUEST_CONTEXT]?: { get?: () => { waitUntil?: WaitUntil } | undefined };
    };
    const context = registry[VERCEL_REQUEST_CONTEXT]?.get?.();
    if (typeof context?.waitUntil !== 'function') return undefined;
    return (promise) => context.waitUntil?.(promise);
  } catch {
    return undefined;
  }
}
