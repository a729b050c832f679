import { messageOf } from '../internal/message-of';
import { unrefTimer } from '../internal/unref-timer';
import { findWaitUntil, type WaitUntil } from './find-wait-until';
import type { TrailLane } from './trail-lane';

/** When a trail's lanes send: at `flushAt` right after the current synchronous work, else on the interval timer; serverless, at once under `waitUntil`. */
export class LaneScheduler {
  #stopped = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #kickScheduled = false;
  #serverlessScheduled = false;

  constructor(
    private readonly lanes: readonly TrailLane[],
    private readonly flushIntervalMs: number,
    private readonly timeoutMs: number,
    private readonly waitUntil: WaitUntil | undefined,
    private readonly debug: (message: string) => void,
  ) {}

  /** Items were queued; `full`: a lane reached `flushAt`. */
  queued(full: boolean): void {
    const waitUntil = this.waitUntil ?? findWaitUntil();
    if (waitUntil !== undefined) this.#scheduleServerlessFlush(waitUntil);
    else if (!full) this.armTimer();
    else if (!this.#kickScheduled) {
      // Right after the current synchronous work, never inside record().
      this.#kickScheduled = true;
      queueMicrotask(() => {
        this.#kickScheduled = false;
        this.#kickAll();
      });
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  armTimer(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    const fire = () => {
      this.#timer = undefined;
      this.#kickAll();
    };
    this.#timer = unrefTimer(setTimeout(fire, this.flushIntervalMs));
  }

  #kickAll(): void {
    for (const lane of this.lanes) lane.kick();
  }

  /** Serverless: the invocation may freeze once it answered, so deliver at once under `waitUntil`. */
  #scheduleServerlessFlush(waitUntil: WaitUntil): void {
    if (this.#serverlessScheduled) return;
    this.#serverlessScheduled = true;
    const delivery = Promise.resolve().then(() => {
      this.#serverlessScheduled = false;
      const deadline = Date.now() + this.timeoutMs;
      return Promise.all(this.lanes.map((lane) => lane.drain(deadline))).then(noop, noop);
    });
    try {
      waitUntil(delivery);
    } catch (error) {
      this.debug(`waitUntil threw (${messageOf(error)}); delivering without it`);
    }
  }
}

function noop(): void {}
