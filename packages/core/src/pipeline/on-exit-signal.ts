/**
 * `SIGTERM` and `SIGINT` (a deploy, a container stop, Ctrl-C), for trails created with `handleSignals`:
 * each registered hook runs (a trail shuts down, bounded), then the signal is raised again so the process
 * ends as it would have without us. One pair of process listeners serves every trail. If the app has
 * listeners of its own for the signal, it is not raised again: the app has taken charge of exiting.
 * `process` is reached through `globalThis`, guarded: elsewhere than Node this does nothing.
 */
type Hook = () => Promise<unknown>;

type Signal = 'SIGTERM' | 'SIGINT';

interface ProcessLike {
  pid: number;
  on(event: Signal, listener: (signal: Signal) => void): unknown;
  removeListener(event: Signal, listener: (signal: Signal) => void): unknown;
  listenerCount(event: Signal): number;
  kill(pid: number, signal: Signal): unknown;
}

const SIGNALS: readonly Signal[] = ['SIGTERM', 'SIGINT'];
const hooks = new Set<Hook>();
let listening = false;

function nodeProcess(): ProcessLike | undefined {
  const candidate = (globalThis as { process?: Partial<ProcessLike> }).process;
  return typeof candidate?.on === 'function' &&
    typeof candidate.removeListener === 'function' &&
    typeof candidate.listenerCount === 'function' &&
    typeof candidate.kill === 'function'
    ? (candidate as ProcessLike)
    : undefined;
}

function listen(process: ProcessLike, on: boolean): void {
  for (const signal of SIGNALS) {
    if (on) process.on(signal, onSignal);
    else process.removeListener(signal, onSignal);
  }
  listening = on;
}

function onSignal(signal: Signal): void {
  const process = nodeProcess()!;
  // From now on a second signal gets the default action: a second Ctrl-C ends the process at once.
  listen(process, false);
  const running = [...hooks].map((hook) => {
    try {
      return hook();
    } catch {
      return undefined;
    }
  });
  hooks.clear();
  void Promise.allSettled(running).then(() => {
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

/**
 * Runs `hook` on SIGTERM or SIGINT, then raises the signal again once every hook has settled. Returns
 * the function that unregisters it. A no-op where there is no process.
 */
export function onExitSignal(hook: Hook): () => void {
  const process = nodeProcess();
  if (process === undefined) return noop;
  try {
    if (!listening) listen(process, true);
  } catch {
    return noop;
  }
  hooks.add(hook);
  return () => {
    if (!hooks.delete(hook) || hooks.size > 0 || !listening) return;
    try {
      listen(process, false);
    } catch {
      // Exiting must never throw into the host.
    }
  };
}

function noop(): void {}
