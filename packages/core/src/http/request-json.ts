import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  ChatTrailError,
  InvalidResponseError,
} from '../errors';
import { messageOf } from '../internal/message-of';
import { backoffDelayMs } from './backoff';
import { describeConnectionFailure } from './describe-connection-failure';
import type { RequestOptions, RetryInfo } from './http-options';
import { type HttpTransport, mergeHeaders, type ParsedUrl } from './http-transport';
import { isAmbiguousError } from './is-ambiguous-error';
import { JsonText } from './json-text';
import { errorFromResponse, parseSuccess } from './read-response';
import { redactCause } from './redact-cause';
import { abortError, describe, type Where } from './request-where';
import { isRetryableError } from './retryable';
import type { TransportResponse } from './transport';

/**
 * Longest `Retry-After` the requester waits out. A server asking for more (an hour-long rate-limit
 * window) gets the error thrown at once, carrying `retryAfterMs`, so a caller holding a queue can
 * schedule the retry itself instead of parking a request that long.
 */
export const MAX_RETRY_AFTER_MS = 60_000;

/** One JSON call. */
export interface JsonRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Appended to the base URL; starts with `/`. */
  path: string;
  /** `undefined` and `null` values are left out. */
  query?: Record<string, string | number | boolean | null | undefined>;
  /** Serialised with `JSON.stringify`; a {@link JsonText} is sent as it is. */
  body?: unknown;
  /**
   * Checks a 2xx body the caller depends on (not called when the response is discarded): returns what is
   * wrong with it, and the request rejects with {@link InvalidResponseError}; `undefined` when it is fine.
   */
  validate?: (body: unknown) => string | undefined;
}

/** Sends one request through a client's transport; what resource classes (`client.messages`) hold. */
export type Requester = <T>(request: JsonRequest, options?: RequestOptions) => Promise<T>;

/**
 * Sends one JSON request with a per-attempt timeout, retries with exponential backoff and equal jitter on
 * transient failures (408/425/429/5xx, timeouts, network errors; `Retry-After` honoured up to
 * {@link MAX_RETRY_AFTER_MS}), and resolves with the parsed body (`undefined` for an empty one).
 *
 * Rejects with an {@link APIError} subclass, never anything else, except {@link ChatTrailError} for a body
 * that cannot be serialised.
 *
 * Retrying a POST after a timeout can deliver it twice when the server did process the first attempt;
 * neither backend documents an idempotency key. Callers that care pass `retryAmbiguous: false` (such a
 * failure is then thrown at once; see `isAmbiguousError`) and keep their own ids in the payload (the
 * trail does both). A 2xx whose body is not JSON or fails `validate` rejects with
 * {@link InvalidResponseError} and is never resent: the server did process it.
 */
export async function requestJson<T>(
  transport: HttpTransport,
  request: JsonRequest,
  options: RequestOptions = {},
): Promise<T> {
  const url = urlOf(transport, request.path, request.query);
  const where = { backend: transport.backend, method: request.method, path: url.pathname };
  const headers = mergeHeaders(transport.headers, options.headers);
  let body: string | undefined;
  if (request.body !== undefined) {
    try {
      body = request.body instanceof JsonText ? request.body.text : JSON.stringify(request.body);
    } catch (error) {
      throw new ChatTrailError(
        `${describe(where)}: the request body is not serialisable: ${messageOf(error)}`,
      );
    }
    headers['content-type'] ??= 'application/json';
  }
  const maxRetries = options.maxRetries ?? transport.maxRetries;
  const timeoutMs = options.timeoutMs ?? transport.timeoutMs;
  const init = { method: request.method, headers, body };

  for (let retry = 0; ; retry++) {
    let error: APIError;
    try {
      const discard = options.discardResponse === true;
      const response = await sendOnce(transport, url.href, init, timeoutMs, options.signal, where, discard);
      if (response.status >= 200 && response.status <= 299) {
        return discard ? (undefined as T) : parseSuccess<T>(transport, response, where, request.validate);
      }
      error = errorFromResponse(transport, response, where);
    } catch (caught) {
      if (!(caught instanceof APIError) || caught instanceof APIUserAbortError) throw caught;
      error = caught;
    }
    if (retry >= maxRetries || !isRetryableError(error)) throw error;
    // The server may have applied it: the caller said a second copy is worse than none.
    if (options.retryAmbiguous === false && isAmbiguousError(error)) throw error;
    const delayMs = error.retryAfterMs ?? backoffDelayMs(retry);
    if (delayMs > MAX_RETRY_AFTER_MS) throw error;
    notifyRetry(transport, { ...where, retry: retry + 1, delayMs, error });
    await sleep(delayMs, options.signal, where);
  }
}

/** One attempt. The timeout covers reading the body too: a server can stall mid-body as well. */
async function sendOnce(
  transport: HttpTransport,
  url: string,
  init: { method: string; headers: Record<string, string>; body: string | undefined },
  timeoutMs: number,
  signal: AbortSignal | undefined,
  where: Where,
  discard: boolean,
): Promise<TransportResponse> {
  if (signal?.aborted) throw abortError(where);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const forwardAbort = () => controller.abort();
  signal?.addEventListener('abort', forwardAbort, { once: true });
  try {
    const response = await transport.send({ url, ...init, signal: controller.signal, discardBody: discard });
    // A user's transport may answer anything: a malformed answer is a failed attempt, not a crash.
    if (!Number.isInteger(response?.status) || typeof response.body !== 'string') {
      throw new TypeError('the transport resolved without a numeric status and a string body');
    }
    return response;
  } catch (error) {
    if (signal?.aborted) throw abortError(where);
    const { target, redact } = transport;
    if (timedOut) {
      const summary = `no response within ${timeoutMs} ms from ${target.hostPort}`;
      throw new APIConnectionTimeoutError({
        ...where,
        message: `${describe(where)} failed: ${summary}`,
        host: target.hostPort,
        summary,
      });
    }
    const failure = describeConnectionFailure(error, target);
    const summary = redact(failure.summary);
    const code = failure.code === undefined || summary.includes(failure.code) ? '' : ` (${failure.code})`;
    throw new APIConnectionError({
      ...where,
      message: `${describe(where)} failed: ${summary}${code}`,
      cause: redactCause(error, redact),
      code: failure.code,
      host: target.hostPort,
      summary,
    });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', forwardAbort);
  }
}

function notifyRetry(transport: HttpTransport, info: RetryInfo): void {
  try {
    transport.onRetry?.(info);
  } catch {
    // An observer must not change the outcome of the request.
  }
}

function sleep(ms: number, signal: AbortSignal | undefined, where: Where): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(where));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(where));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function urlOf(transport: HttpTransport, path: string, query: JsonRequest['query']): ParsedUrl {
  if (query !== undefined) return buildUrl(transport.baseUrl, path, query);
  let url = transport.urls.get(path);
  if (url === undefined) {
    const { href, pathname } = buildUrl(transport.baseUrl, path, undefined);
    url = { href, pathname };
    transport.urls.set(path, url);
  }
  return url;
}

function buildUrl(baseUrl: string, path: string, query: JsonRequest['query']): URL {
  const url = new URL(baseUrl + path);
  if (query !== undefined) {
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
  }
  return url;
}
