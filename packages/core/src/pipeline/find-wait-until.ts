/** A platform hook that keeps a serverless invocation alive until the promise settles. */
export type WaitUntil = (promise: Promise<unknown>) => void;

const VERCEL_REQUEST_CONTEXT = Symbol.for('@vercel/request-context');

interface VercelRequestContext {
  waitUntil?: (promise: Promise<unknown>) => void;
}

/**
 * The `waitUntil` of the current Vercel request, when running on Vercel (Node or Edge functions): Vercel
 * publishes the request context under a global symbol, which is what `@vercel/functions` reads too, so no
 * dependency is needed. Looked up per call because the context is per request. `undefined` elsewhere.
 */
export function findWaitUntil(): WaitUntil | undefined {
  try {
    const registry = globalThis as {
      [VERCEL_REQUEST_CONTEXT]?: { get?: () => VercelRequestContext | undefined };
    };
    const context = registry[VERCEL_REQUEST_CONTEXT]?.get?.();
    if (typeof context?.waitUntil !== 'function') return undefined;
    return (promise) => context.waitUntil?.(promise);
  } catch {
    return undefined;
  }
}
