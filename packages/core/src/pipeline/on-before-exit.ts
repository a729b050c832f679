/**
 * Node's `beforeExit`: the event loop has emptied and the process is about to end. The trail's timers are
 * unref'd so that it never keeps a process alive, which also means a script that records and ends without
 * `flush()` would leave its turns queued; this is where they get one last, bounded, chance.
 *
 * One process listener serves every trail (registered with the first, removed with the last), so an app
 * that creates many trails never trips Node's MaxListeners warning. `process` is reached through
 * `globalThis`, guarded: on Edge runtimes and in browsers there is none, and this does nothing.
 */
type Hook = () => void;

interface ProcessLike {
  on(event: 'beforeExit', listener: () => void): unknown;
  off?(event: 'beforeExit', listener: () => void): unknown;
  removeListener?(event: 'beforeExit', listener: () => void): unknown;
}

const hooks = new Set<Hook>();

function nodeProcess(): ProcessLike | undefined {
  const candidate = (globalThis as { process?: Partial<ProcessLike> }).process;
  return typeof candidate?.on === 'function' ? (candidate as ProcessLike) : undefined;
}

function runHooks(): void {
  // A copy: a hook may unregister itself (or another trail) while this runs.
  for (const hook of [...hooks]) {
    try {
      hook();
    } catch {
      // Exiting must never throw into the host.
    }
  }
}

/**
 * Calls `hook` whenever the process is about to exit with an empty event loop (each time: work the hook
 * starts can empty it again). Returns the function that unregisters it. A no-op where there is no process.
 */
export function onBeforeExit(hook: Hook): () => void {
  const process = nodeProcess();
  if (process === undefined) return noop;
  try {
    if (hooks.size === 0) process.on('beforeExit', runHooks);
  } catch {
    return noop;
  }
  hooks.add(hook);
  return () => {
    if (!hooks.delete(hook) || hooks.size > 0) return;
    try {
      (process.off ?? process.removeListener)?.call(process, 'beforeExit', runHooks);
    } catch {
      // As above.
    }
  };
}

function noop(): void {}
