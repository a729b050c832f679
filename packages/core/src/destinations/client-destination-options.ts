import type { RequestOptions } from '../http/http-options';
import type { Transport } from '../http/transport';
import type { DestinationSendContext } from '../spec/chat-trail-destination';

/** Options the built-in destinations share. */
export interface ClientDestinationOptions<Client> {
  /** A client to share (its timeout applies unless given here; its retries do not). Default: a new one. */
  client?: Client;
  /** The `fetch` its client uses. Default: the global `fetch`, per request. Ignored with `client`. */
  fetch?: typeof fetch;
  /**
   * Sends its client's requests instead of `fetch` (not together with it). On Node, `undiciTransport()` from
   * `@chattrail/core/node` costs the trail less CPU per request. Ignored with `client`.
   */
  transport?: Transport;
  /** Per-attempt timeout. Default: the trail's `timeoutMs` (10 s). */
  timeoutMs?: number;
  /** @deprecated Ignored: the trail retries failed batches (`maxAttempts`). A value but 0 warns once. */
  maxRetries?: number;
}

/**
 * A destination's per-request options: sent once per attempt, a shared client too (the trail's lane is the
 * one retry layer); a shared client keeps its own timeout unless the destination was given one.
 */
export function trailRequestOptions(
  options: ClientDestinationOptions<unknown>,
  extra: RequestOptions = {},
): (context: DestinationSendContext) => RequestOptions {
  const ownClient = options.client === undefined;
  return (context) => {
    const timeoutMs = options.timeoutMs ?? (ownClient ? context.timeoutMs : undefined);
    const base: RequestOptions = { signal: context.signal, maxRetries: 0, ...extra };
    return timeoutMs === undefined ? base : { ...base, timeoutMs };
  };
}
