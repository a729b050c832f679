import type { APIError } from '../errors';
import type { Transport } from './transport';

/** Settings shared by `MieltoClient` and `MelodiClient`. */
export interface HttpClientOptions {
  /** Milliseconds allowed per attempt (connect, headers and body). Default 10,000. */
  timeoutMs?: number;
  /** Retries after the first attempt on 408/425/429/5xx, timeouts and network errors. Default 2. */
  maxRetries?: number;
  /** Used instead of the global `fetch` (looked up per request), e.g. one Next.js has not patched. */
  fetch?: typeof fetch;
  /** Sends the requests instead of `fetch`, e.g. `undiciTransport()` from `@chattrail/core/node`. */
  transport?: Transport;
  /** Added to every request, overriding the SDK's own. */
  defaultHeaders?: Record<string, string>;
  /** Called before every retry; what it throws is ignored. */
  onRetry?: (info: RetryInfo) => void;
}

/** Per-call settings, accepted as the last argument of every client method. */
export interface RequestOptions {
  /** Aborts the request (and any pending retry) with `APIUserAbortError`. */
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
  headers?: Record<string, string>;
  /** false: no retry once the server may have the request (a timeout, a cut after sending). Default true. */
  retryAmbiguous?: boolean;
  /** @internal A 2xx body is drained unparsed and the method resolves empty. */
  discardResponse?: boolean;
}

/** What {@link HttpClientOptions.onRetry} is told before each retry. */
export interface RetryInfo {
  backend: string;
  method: string;
  path: string;
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  /** Why the previous attempt failed. */
  error: APIError;
}
