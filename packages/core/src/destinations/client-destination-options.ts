import type { Transport } from '../http/transport';

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
