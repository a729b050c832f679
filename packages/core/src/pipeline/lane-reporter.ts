import { APIConnectionError } from '../errors';
import { messageOf } from '../internal/message-of';
import type { DropReason } from '../spec/chat-trail';
import type { ChatTrailOptions } from './chat-trail-options';
import type { QueuedItem } from './lane-queue';
import { describeItems, handOverDrop, laneDropError, unreachableError } from './lane-reports';
import { statusOf } from './status-of';
import type { TrailErrors } from './trail-errors';
import type { TrailLane } from './trail-lane';

/** What a trail reports of its lanes' failures and drops: to `onDrop`, `onError` (once per cause), debug logs. */
export class LaneReporter {
  readonly #errors: TrailErrors;
  readonly #onDrop: ChatTrailOptions['onDrop'];
  readonly #maxAttempts: number;
  readonly #debugEnabled: boolean;
  readonly #debug: (message: string) => void;

  constructor(
    errors: TrailErrors,
    onDrop: ChatTrailOptions['onDrop'],
    maxAttempts: number,
    debugEnabled: boolean,
    debug: (message: string) => void,
  ) {
    this.#errors = errors;
    this.#onDrop = onDrop;
    this.#maxAttempts = maxAttempts;
    this.#debugEnabled = debugEnabled;
    this.#debug = debug;
  }

  /** A request of a batch in flight failed and is about to be retried by a custom destination itself. */
  retrying(lane: Pick<TrailLane, 'name'>, error: unknown): void {
    if (error instanceof APIConnectionError) this.unreachable(lane, error);
  }

  /** A request whose outcome is unknown was taken as done, not sent again (at-most-once). */
  notResent(lane: Pick<TrailLane, 'name'>, error: unknown): void {
    if (error instanceof APIConnectionError) {
      this.unreachable(lane, error, 'what it carried may not be stored and is not sent again (at-most-once)');
    } else this.#errors.remember(`${lane.name}: ${messageOf(error)}`);
  }

  dropped(
    lane: Pick<TrailLane, 'name'>,
    reason: DropReason,
    items: readonly QueuedItem[],
    error: unknown,
  ): void {
    if (this.#onDrop !== undefined) {
      const dropped = items.map((queued) => queued.item);
      handOverDrop(this.#onDrop, lane.name, reason, dropped, error, (message) => this.#debug(message));
    }
    const status = statusOf(error);
    if (error !== undefined) this.#errors.remember(`${lane.name}: ${messageOf(error)}`);
    if (this.#debugEnabled) {
      this.#debug(
        `${lane.name}: dropped ${describeItems(items)} (${reason}${status === undefined ? '' : ` ${status}`})`,
      );
    }
    // Once per (destination, reason, status): a revoked key must not flood the app's error tracker.
    if (!this.#errors.once(`${reason}:${lane.name}:${status ?? ''}`)) return;
    this.#errors.emit(laneDropError(lane.name, reason, items, error, this.#maxAttempts));
  }

  /** A batch failed transiently and went back to the queue. */
  failed(lane: Pick<TrailLane, 'name'>, error: unknown): void {
    if (error instanceof APIConnectionError) this.unreachable(lane, error);
    else this.#errors.remember(`${lane.name}: ${messageOf(error)}`);
  }

  /**
   * A destination got no response: reported once per destination and cause (code and host), not per
   * retry, and as soon as the first attempt fails (the client's retries of a hung request take several
   * timeouts). Every occurrence goes to the flush reports.
   */
  unreachable(lane: Pick<TrailLane, 'name'>, error: APIConnectionError, consequence?: string): void {
    const report = unreachableError(lane.name, error, consequence);
    this.#errors.remember(report.message);
    const kind = consequence === undefined ? 'connection' : 'not-resent';
    if (!this.#errors.once(`${kind}:${lane.name}:${error.code ?? error.name}:${error.host ?? ''}`)) return;
    this.#debug(
      consequence === undefined ? `${report.message} (turns stay queued and are retried)` : report.message,
    );
    this.#errors.emit(report);
  }
}
