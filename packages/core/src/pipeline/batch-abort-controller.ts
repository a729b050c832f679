/**
 * An AbortController for one batch of one destination. Every concurrent request of the batch listens to
 * its signal; past 10 listeners Node prints `MaxListenersExceededWarning` into the app's logs, although
 * nothing leaks (each request removes its listener when done). The limit is lifted for this signal only,
 * through `events.setMaxListeners`, looked up at run time so no Node-only import reaches Edge bundles.
 */
export function batchAbortController(): AbortController {
  const controller = new AbortController();
  try {
    const runtime = globalThis as {
      process?: {
        getBuiltinModule?: (id: string) => { setMaxListeners?: (n: number, ...targets: unknown[]) => void };
      };
    };
    runtime.process?.getBuiltinModule?.('node:events')?.setMaxListeners?.(0, controller.signal);
  } catch {
    // Only a warning is at stake.
  }
  return controller;
}
