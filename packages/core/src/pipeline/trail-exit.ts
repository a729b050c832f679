import { quietly } from '../internal/quietly';
import type { FlushOptions, FlushReport } from '../spec/chat-trail';
import type { Spool } from '../spool/spool';
import { CHAT_TRAIL_DEFAULTS } from './chat-trail-options';
import type { TrailLane } from './trail-lane';

export interface ExitingTrail {
  readonly lanes: readonly TrailLane[];
  spool(): Spool | undefined;
  isClosed(): boolean;
  flush(timeoutMs: number): Promise<FlushReport>;
  shutdown(options: FlushOptions): Promise<FlushReport>;
  /** The exit flush gave up: stop taking records, and abandon what is left as shutdown() does. */
  giveUp(timeoutMs: number): void;
  debug(message: string): void;
}

/** A trail's `beforeExit` flush (`exitFlushMs`) and its SIGTERM/SIGINT hook (`handleSignals`); returns `off`. */
export function onTrailExit(ms: number, handleSignals: boolean, trail: ExitingTrail): () => void {
  let idle = true;
  // The app ended without `flush()`: one flush within `exitFlushMs`; if it gives up, the process is let go.
  const offBeforeExit =
    ms === 0
      ? noop
      : onBeforeExit(() => {
          if (trail.isClosed() || !idle || !trail.lanes.some((lane) => lane.pending > 0)) return;
          idle = false;
          trail.debug(`the process is exiting with deliveries pending: flushing for up to ${ms} ms`);
          void trail.flush(ms).then((report) => {
            idle = report.ok;
            if (report.ok) return;
            // Requests still in flight would hold the process up to their own timeout.
            offBeforeExit();
            reportLost(trail, report, 'the process is exiting without flush()', ms);
            trail.giveUp(ms);
          });
        });
  const offSignals = !handleSignals
    ? noop
    : onExitSignal(async () => {
        const timeoutMs = ms > 0 ? ms : CHAT_TRAIL_DEFAULTS.exitFlushMs;
        const report = await trail.shutdown({ timeoutMs });
        if (!report.ok) reportLost(trail, report, 'the process got a signal to end', timeoutMs);
      });
  return () => {
    offBeforeExit();
    offSignals();
  };
}

/** Once, on stderr, counts only: what an exit could not deliver. Never throws. */
function reportLost(trail: ExitingTrail, report: FlushReport, why: string, waitedMs: number): void {
  quietly(() => {
    const pending = trail.lanes.flatMap((lane) => (lane.pending > 0 ? [`${lane.name} ${lane.pending}`] : []));
    const left = [
      pending.length > 0 ? `${report.pendingTurns} turn deliveries pending (${pending.join(', ')})` : '',
      report.droppedTurns !== undefined ? `${report.droppedTurns} dropped` : '',
    ].filter((part) => part !== '');
    const spool = trail.spool()?.stats();
    console.error(
      `[chattrail] ${why}: after ${waitedMs} ms (exitFlushMs), ${left.join(', ')}; ${spool?.state === 'on' ? `these stay in the spool (${spool.dir}) for the next start` : 'these are lost'}.`,
    );
  });
}

// One process listener per event for every trail (no MaxListeners warning); through `globalThis`: Edge-safe.

type Signal = 'SIGTERM' | 'SIGINT';

interface ProcessLike {
  pid: number;
  on(event: Signal | 'beforeExit', listener: (signal: Signal) => void): unknown;
  removeListener(event: Signal | 'beforeExit', listener: (signal: Signal) => void): unknown;
  listenerCount(event: Signal): number;
  kill(pid: number, signal: Signal): unknown;
}

const SIGNALS: readonly Signal[] = ['SIGTERM', 'SIGINT'];
const exitHooks = new Set<() => void>();
const signalHooks = new Set<() => Promise<unknown>>();

function noop(): void {}

const someProcess = () => (globalThis as { process?: Partial<ProcessLike> }).process;

function signalProcess(): ProcessLike | undefined {
  const process = someProcess();
  const has = (name: keyof ProcessLike) => typeof process?.[name] === 'function';
  return has('on') && has('removeListener') && has('listenerCount') && has('kill')
    ? (process as ProcessLike)
    : undefined;
}

/** Adds `hook`; the first one turns the process listener on, the last one removed turns it off. */
function register<H>(hooks: Set<H>, hook: H, listen: (on: boolean) => void): () => void {
  try {
    if (hooks.size === 0) listen(true);
  } catch {
    return noop;
  }
  hooks.add(hook);
  return () => {
    if (hooks.delete(hook) && hooks.size === 0) quietly(() => listen(false));
  };
}

/** Calls `hook` on each `beforeExit` (the trail's timers are unref'd); returns `off`. */
function onBeforeExit(hook: () => void): () => void {
  const process = someProcess();
  if (typeof process?.on !== 'function') return noop;
  return register(exitHooks, hook, (on) => {
    if (on) process.on?.('beforeExit', runExitHooks);
    else process.removeListener?.('beforeExit', runExitHooks);
  });
}

function runExitHooks(): void {
  // A copy: a hook may unregister itself (or another trail) while this runs.
  for (const hook of [...exitHooks]) quietly(hook);
}

/** Runs `hook` on SIGTERM/SIGINT, then re-raises the signal (unless the app listens too); returns `off`. */
function onExitSignal(hook: () => Promise<unknown>): () => void {
  const process = signalProcess();
  return process === undefined ? noop : register(signalHooks, hook, (on) => listen(process, on));
}

function listen(process: ProcessLike, on: boolean): void {
  for (const signal of SIGNALS) {
    if (on) process.on(signal, onSignal);
    else process.removeListener(signal, onSignal);
  }
}

function onSignal(signal: Signal): void {
  const process = signalProcess()!;
  // From now on a second signal gets the default action: a second Ctrl-C ends the process at once.
  listen(process, false);
  // Async functions: a hook rejects, never throws.
  const running = [...signalHooks].map((hook) => hook());
  signalHooks.clear();
  void Promise.allSettled(running).then(() => {
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}
