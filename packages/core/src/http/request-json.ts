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

/** Longer `Retry-After`s throw at once (with `retryAfterMs`), so a caller with a queue can schedule it. */
export const MAX_RETRY_AFTER_MS = 60_000;

export interface JsonRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Appended to the base URL; starts with `/`. */
  path: string;
  /** `undefined` and `null` values are left out. */
  query?: Record<string, string | number | boolean | null | undefined>;
  /** A {@link JsonText} is sent as it is. */
  body?: unknown;
  /** What is wrong with a 2xx body (rejects with {@link InvalidResponseError}), or `undefined`. */
  validate?: (body: unknown) => string | undefined;
}

export type Requester = <T>(request: JsonRequest, options?: RequestOptions) => Promise<T>;

/**
 * Sends one JSON request with a per-attempt timeout and retries on transient failures, and resolves with
 * the parsed body. Rejects with an {@link APIError}, or a {@link ChatTrailError} for an unserialisable body.
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
    if (options.retryAmbiguous === false && isAmbiguousError(error)) throw error;
    const delayMs = error.retryAfterMs ?? backoffDelayMs(retry);
    if (delayMs > MAX_RETRY_AFTER_MS) throw error;
    notifyRetry(transport, { ...where, retry: retry + 1, delayMs, error });
    await sleep(delayMs, options.signal, where);
  }
}

/** The timeout covers reading the body too: a server can stall mid-body. */
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
    // A user's transport may answer anything: a failed attempt, not a crash.
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
    // An observer must not change the outcome.
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
  const cached = query === undefined ? transport.urls.get(path) : undefined;
  if (cached !== undefined) return cached;
  const url = new URL(transport.baseUrl + path);
  if (query !== undefined) {
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    return url;
  }
  const parsed = { href: url.href, pathname: url.pathname };
  transport.urls.set(path, parsed);
  return parsed;
}
