import type { APIError } from '../errors';
import type { Transport } from './transport';

/** Settings shared by `MieltoClient` and `MelodiClient`. */
export interface HttpClientOptions {
  /**
   * Time allowed for one attempt (connect, response headers and body), in milliseconds. Each retry gets
   * the full timeout again. Default 10,000.
   */
  timeoutMs?: number;
  /** Retries after the first attempt on 408/425/429/5xx, timeouts and network errors. Default 2. */
  maxRetries?: number;
  /**
   * The `fetch` to use instead of `globalThis.fetch`, e.g. an unpatched copy on platforms whose framework
   * patches the global (Next.js caches and dedupes `fetch`). Looked up per request when omitted, so a
   * global installed after the client is created is still picked up.
   */
  fetch?: typeof fetch;
  /**
   * Sends the requests instead of `fetch` (see {@link Transport}), e.g. `undiciTransport()` from
   * `@chattrail/core/node`. Not together with `fetch`.
   */
  transport?: Transport;
  /** Headers added to every request (after the SDK's own, so they can override them). */
  defaultHeaders?: Record<string, string>;
  /**
   * Called before every retry, e.g. to count retries. Errors it throws are ignored: an observer must not
   * change the outcome of the request.
   */
  onRetry?: (info: RetryInfo) => void;
}

/** Per-call settings, accepted as the last argument of every client method. */
export interface RequestOptions {
  /** Aborts the request (and any pending retry) with `APIUserAbortError`. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
  /**
   * Whether a failure that leaves it unknown if the server processed the request (see `isAmbiguousError`:
   * the connection died or timed out after the request was sent) is retried. Default true. Pass false
   * for a POST that must not be applied twice: the error is thrown at once and the caller decides.
   */
  retryAmbiguous?: boolean;
  /**
   * @internal The trail never reads what the server stored: a successful response's body is drained
   * unparsed and the method resolves with an empty result (`[]`, or `undefined` for a single object).
   */
  discardResponse?: boolean;
}

/** What {@link HttpClientOptions.onRetry} is told before each retry. */
export interface RetryInfo {
  backend: string;
  method: string;
  path: string;
  /** 1 for the first retry, 2 for the second, ... */
  retry: number;
  /** How long the client waits before sending it. */
  delayMs: number;
  /** Why the previous attempt failed. */
  error: APIError;
}
