import type { DestinationSpec } from '../destinations/destination-spec';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  type APIErrorInit,
  APIUserAbortError,
  createAPIError,
  InvalidResponseError,
} from '../errors';
import { messageOf } from '../internal/message-of';
import { quietly } from '../internal/quietly';
import type { DestinationStats, DropReason } from '../spec/chat-trail';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import type { LaneSettings } from './lane-host';

// The messages between a trail and its delivery worker (src/worker/), and the errors in them.

/** The worker's `workerData`: what it builds its lanes from. */
export interface WorkerInit {
  readonly specs: readonly DestinationSpec[];
  readonly host: LaneSettings;
  readonly flushIntervalMs: number;
  readonly debug: boolean;
  /** Paths or file URLs to resolve undici from, in order (see worker-main.ts). */
  readonly undiciFrom: readonly string[];
}

/** A feedback item as it crosses (`seq` names it, `lanes`: a bit per lane); a turn crosses as a `WireTurn`. */
export interface WireItem {
  readonly seq: number;
  readonly lanes: number;
  readonly bytes: number;
  readonly item: DeliveryItem;
}

export type ToWorker =
  /**
   * `(WireItem | WireTurn)[]` as JSON: a turn is JSON-safe once normalised (it goes out as JSON), and a string
   * costs the app's thread less than a structured clone (BENCHMARKS.md, "The event loop beside the worker").
   */
  | { readonly t: 'items'; readonly json: string }
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
      /** Per lane, `pins.bytes` (part of its stats' `queuedBytes`). */
      readonly pins: readonly number[];
      readonly debug: readonly string[];
    }
  | { readonly t: 'flushed'; readonly id: number }
  | { readonly t: 'stopped' };

/** An error as it crosses: cloning keeps no classes, so client errors cross as fields and are built again. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly api?: APIErrorInit & { requestId?: string | undefined };
}

export function toWireError(error: unknown): WireError | undefined {
  if (error === undefined) return undefined;
  const message = messageOf(error);
  if (!(error instanceof APIError)) return { name: error instanceof Error ? error.name : 'Error', message };
  const connection = error instanceof APIConnectionError ? error : undefined;
  return {
    name: error.name,
    message,
    api: {
      backend: error.backend,
      method: error.method,
      path: error.path,
      status: error.status,
      // A body that clones: what the client parsed from JSON, or text.
      body: error.body === undefined ? undefined : quietly(() => JSON.parse(JSON.stringify(error.body))),
      retryAfterMs: error.retryAfterMs,
      requestId: error.requestId,
      code: connection?.code,
      host: connection?.host,
      summary: connection?.summary,
    },
  };
}

/** The client errors not named by their status. */
const BY_NAME = { APIConnectionTimeoutError, APIConnectionError, InvalidResponseError, APIUserAbortError };

export function fromWireError(wire: WireError | undefined): unknown {
  if (wire === undefined) return undefined;
  const api = wire.api;
  if (api === undefined) return Object.assign(new Error(wire.message), { name: wire.name });
  const { requestId, ...rest } = api;
  const init: APIErrorInit = { ...rest, message: wire.message };
  if (requestId !== undefined) init.headers = new Headers({ 'x-request-id': requestId });
  if (Object.hasOwn(BY_NAME, wire.name)) return new BY_NAME[wire.name as keyof typeof BY_NAME](init);
  return api.status === undefined ? new APIError(init) : createAPIError({ ...init, status: api.status });
}
