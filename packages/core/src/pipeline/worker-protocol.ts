import type { DestinationSpec } from '../destinations/destination-spec';
import type { DestinationStats, DropReason } from '../spec/chat-trail';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import type { TurnMessage } from '../spec/turn';
import type { LaneSettings } from './lane-host';
import type { WireError } from './wire-error';

// The messages between a trail and its delivery worker (src/worker/). Types only.

/** The worker's `workerData`: what it builds its lanes from. */
export interface WorkerInit {
  readonly specs: readonly DestinationSpec[];
  readonly host: LaneSettings;
  readonly flushIntervalMs: number;
  readonly debug: boolean;
  /** Paths or file URLs to resolve undici from, in order (see worker-main.ts). */
  readonly undiciFrom: readonly string[];
}

/**
 * One queued item as it crosses (`seq` names it, `lanes`: a bit per lane). A turn's thread stays behind: the
 * worker keeps a copy (`mirror`) of `have` messages; `head` extends it to `start`, then the turn's `own`.
 */
export interface WireItem {
  readonly seq: number;
  readonly lanes: number;
  readonly bytes: number;
  readonly item: DeliveryItem;
  readonly mirror?: number;
  readonly have?: number;
  readonly head?: readonly TurnMessage[];
  readonly own?: number;
}

export type ToWorker =
  | { readonly t: 'items'; readonly items: readonly WireItem[] }
  | { readonly t: 'flush'; readonly id: number; readonly deadline: number }
  /** Thread arrays the app's thread no longer holds: their copies can go. */
  | { readonly t: 'forget'; readonly mirrors: readonly number[] }
  /** Shutdown with a spool: `stopLanes` in the worker, its outcomes reported, then `stopped`. */
  | { readonly t: 'stop'; readonly graceMs: number };

/** What happened in a lane that the trail reports (`LaneReporter`) or hands to `onDrop`. */
export interface LaneEvent {
  readonly lane: number;
  readonly kind: 'dropped' | 'failed' | 'retrying' | 'notResent';
  readonly reason?: DropReason;
  readonly seqs?: readonly number[];
  readonly error?: WireError | undefined;
}

export type FromWorker =
  | {
      readonly t: 'report';
      /** Per lane, the items it delivered since the last report. */
      readonly sent: readonly (readonly number[])[];
      readonly events: readonly LaneEvent[];
      readonly stats: readonly DestinationStats[];
      readonly debug: readonly string[];
    }
  | { readonly t: 'flushed'; readonly id: number }
  | { readonly t: 'stopped' };
