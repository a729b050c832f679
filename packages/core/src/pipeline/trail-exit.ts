import type { FlushOptions, FlushReport } from '../spec/chat-trail';
import { CHAT_TRAIL_DEFAULTS } from './chat-trail-options';
import { onBeforeExit } from './on-before-exit';
import { onExitSignal } from './on-exit-signal';

/** What a trail's exit hooks need of it. */
export interface ExitingTrail {
  isClosed(): boolean;
  pending(): boolean;
  flush(timeoutMs: number): Promise<FlushReport>;
  shutdown(options: FlushOptions): Promise<FlushReport>;
  /** The exit flush gave up: stop taking records, and abandon what is left as shutdown() does. */
  giveUp(timeoutMs: number): void;
  reportLost(report: FlushReport, why: string, waitedMs: number): void;
  debug(message: string): void;
}

/** A trail's `beforeExit` flush (`exitFlushMs`) and its SIGTERM/SIGINT hook (`handleSignals`). */
export class TrailExit {
  readonly #ms: number;
  readonly #trail: ExitingTrail;
  #state: 'idle' | 'running' | 'gave-up' = 'idle';
  readonly #offBeforeExit: () => void;
  readonly #offSignals: () => void;

  constructor(exitFlushMs: number, handleSignals: boolean, trail: ExitingTrail) {
    this.#ms = exitFlushMs;
    this.#trail = trail;
    this.#offBeforeExit = exitFlushMs === 0 ? () => {} : onBeforeExit(() => this.#flushBeforeExit());
    this.#offSignals = handleSignals ? onExitSignal(() => this.#shutDownOnSignal()) : () => {};
  }

  off(): void {
    this.#offBeforeExit();
    this.#offSignals();
  }

  /**
   * The event loop emptied with deliveries pending: the app ended without `flush()`. One flush, bounded by
   * `exitFlushMs` (its timer and requests keep the process alive that long, no longer). If it gives up,
   * what is left is reported once on stderr, counts only, and the process is let go: `beforeExit` comes
   * again once the flush settles, and finds nothing more to do.
   */
  #flushBeforeExit(): void {
    const trail = this.#trail;
    if (trail.isClosed() || this.#state !== 'idle' || !trail.pending()) return;
    this.#state = 'running';
    trail.debug(`the process is exiting with deliveries pending: flushing for up to ${this.#ms} ms`);
    void trail.flush(this.#ms).then((report) => {
      if (report.ok) {
        this.#state = 'idle';
        return;
      }
      this.#state = 'gave-up';
      // Requests still in flight would hold the process up to their own timeout.
      this.#offBeforeExit();
      trail.reportLost(report, 'the process is exiting without flush()', this.#ms);
      trail.giveUp(this.#ms);
    });
  }

  /** SIGTERM or SIGINT under `handleSignals`: shut down within `exitFlushMs`, and say what was lost. */
  async #shutDownOnSignal(): Promise<void> {
    const timeoutMs = this.#ms > 0 ? this.#ms : CHAT_TRAIL_DEFAULTS.exitFlushMs;
    const report = await this.#trail.shutdown({ timeoutMs });
    if (!report.ok) this.#trail.reportLost(report, 'the process got a signal to end', timeoutMs);
  }
}
