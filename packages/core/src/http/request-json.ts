import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  type APIErrorInit,
  APIUserAbortError,
  ChatTrailError,
  createAPIError,
  InvalidResponseError,
} from '../errors';
import { messageOf } from '../internal/message-of';
import { quietly } from '../internal/quietly';
import { backoffDelayMs } from './backoff';
import { describeConnectionFailure } from './describe-connection-failure';
import { followAbort, unfollowAbort } from './follow-abort';
import type { RequestOptions } from './http-options';
import { type HttpTransport, mergeHeaders, type ParsedUrl } from './http-transport';
import { isAmbiguousError } from './is-ambiguous-error';
import { JsonText } from './json-text';
import type { SecretRedactor } from './redact-secrets';
import { isRetryableError } from './retryable';
import { headersOf, type TransportRequest, type TransportResponse } from './transport';

/** Longer `Retry-After`s throw at once (with `retryAfterMs`), so a caller with a queue can schedule it. */
const MAX_RETRY_AFTER_MS = 60_000;
const MAX_CAUSE_DEPTH = 5;
const FIELD = { writable: true, configurable: true };

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

/** What a request's errors name. */
type Where = Pick<APIErrorInit, 'backend' | 'method' | 'path'>;

/** One JSON request, timed out per attempt and retried on transient failures; rejects with an APIError. */
export async function requestJson<T>(
  transport: HttpTransport,
  request: JsonRequest,
  options: RequestOptions = {},
): Promise<T> {
  const url = urlOf(transport, request.path, request.query);
  const where = { backend: transport.backend, method: request.method, path: url.pathname };
  // Copied, not merged, when the call adds none: the transport's names are lower-cased already.
  const extra = options.headers;
  const headers = extra === undefined ? { ...transport.headers } : mergeHeaders(transport.headers, extra);
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
  const discardBody = options.discardResponse === true;
  const attempt = { url: url.href, method: request.method, headers, body, discardBody };
  const timeoutMs = options.timeoutMs ?? transport.timeoutMs;

  for (let retry = 0; ; retry++) {
    let error: APIError;
    try {
      const response = await sendOnce(transport, attempt, timeoutMs, options.signal, where);
      if (response.status >= 200 && response.status <= 299) {
        return discardBody ? (undefined as T) : parseSuccess<T>(transport, response, where, request.validate);
      }
      error = errorFromResponse(transport, response, where);
    } catch (caught) {
      if (!(caught instanceof APIError) || caught instanceof APIUserAbortError) throw caught;
      error = caught;
    }
    if (retry >= (options.maxRetries ?? transport.maxRetries) || !isRetryableError(error)) throw error;
    if (options.retryAmbiguous === false && isAmbiguousError(error)) throw error;
    const delayMs = error.retryAfterMs ?? backoffDelayMs(retry);
    if (delayMs > MAX_RETRY_AFTER_MS) throw error;
    // An observer must not change the outcome.
    quietly(() => transport.onRetry?.({ ...where, retry: retry + 1, delayMs, error }));
    await sleep(delayMs, options.signal, where);
  }
}

/** The timeout covers reading the body too: a server can stall mid-body. */
async function sendOnce(
  transport: HttpTransport,
  attempt: Omit<TransportRequest, 'signal'>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  where: Where,
): Promise<TransportResponse> {
  if (signal?.aborted) throw abortError(where);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  if (signal) followAbort(signal, controller);
  try {
    const response = await transport.send({ ...attempt, signal: controller.signal });
    // A user's transport may answer anything: a failed attempt, not a crash.
    if (!Number.isInteger(response?.status) || typeof response.body !== 'string') {
      throw new TypeError('the transport resolved without a numeric status and a string body');
    }
    return response;
  } catch (error) {
    if (signal?.aborted) throw abortError(where);
    const { target, redact } = transport;
    const failure = timedOut
      ? { code: undefined, summary: `no response within ${timeoutMs} ms from ${target.hostPort}` }
      : describeConnectionFailure(error, target);
    const summary = timedOut ? failure.summary : redact(failure.summary);
    const code = failure.code === undefined || summary.includes(failure.code) ? '' : ` (${failure.code})`;
    throw new (timedOut ? APIConnectionTimeoutError : APIConnectionError)({
      ...where,
      message: `${describe(where)} failed: ${summary}${code}`,
      cause: timedOut ? undefined : redactCause(error, redact),
      code: failure.code,
      host: target.hostPort,
      summary,
    });
  } finally {
    clearTimeout(timer);
    if (signal) unfollowAbort(signal, controller);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined, where: Where): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(where));
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
  if (query === undefined) transport.urls.set(path, url);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
  }
  return url;
}

function describe(where: Where): string {
  return `${where.backend} ${where.method} ${where.path}`;
}

function abortError(where: Where): APIUserAbortError {
  return new APIUserAbortError({ ...where, message: `${describe(where)} was aborted by the caller` });
}

/** The parsed 2xx body; not JSON or failing `validate`, it rejects with {@link InvalidResponseError}. */
function parseSuccess<T>(
  transport: HttpTransport,
  response: TransportResponse,
  where: Where,
  validate: JsonRequest['validate'],
): T {
  const empty = response.body.trim() === '';
  const body: unknown = empty ? undefined : quietly(() => JSON.parse(response.body));
  const problem = !empty && body === undefined ? 'a body that is not JSON' : validate?.(body);
  if (problem === undefined) return body as T;
  // The body is left out: a success body is the caller's data, not an explanation.
  throw new InvalidResponseError({
    ...where,
    status: response.status,
    headers: redactHeaders(headersOf(response.headers), transport.redact),
    message: `${describe(where)} returned ${response.status} with ${problem}`,
  });
}

function errorFromResponse(transport: HttpTransport, response: TransportResponse, where: Where): APIError {
  const { redact } = transport;
  const empty = response.body.trim() === '';
  let body = empty ? undefined : quietly(() => redactJson(JSON.parse(response.body), redact));
  if (!empty && body === undefined) body = redact(response.body); // not JSON, or too deep to redact
  const headers = headersOf(response.headers);
  return createAPIError({
    ...where,
    status: response.status,
    headers: redactHeaders(headers, redact),
    body,
    retryAfterMs: parseRetryAfter(headers),
  });
}

/** A header whose name carries a secret is left out: `[redacted]` is no valid header name. */
function redactHeaders(headers: Headers, redact: SecretRedactor): Headers {
  const redacted = new Headers();
  headers.forEach((value, name) => {
    if (redact(name) === name) redacted.append(name, redact(value));
  });
  return redacted;
}

/** A copy of parsed JSON with every string and key redacted; too deep a body throws a `RangeError`. */
export function redactJson(value: unknown, redact: SecretRedactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactJson(item, redact));
  // fromEntries defines own properties, so a `__proto__` key stays a key and never becomes a prototype.
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [redact(key), redactJson(item, redact)]),
  );
}

/**
 * A connection error's `cause`, or an `Error` copy with secrets redacted when its texts (nested causes too)
 * carry one: undici names a rejected `Bearer <key>` header, and `util.inspect` prints the whole chain.
 */
export function redactCause(cause: unknown, redact: SecretRedactor, depth = 0): unknown {
  if (typeof cause === 'string') return redact(cause);
  if (cause === null || typeof cause !== 'object') return cause;
  if (depth >= MAX_CAUSE_DEPTH) return undefined;
  const source = cause as Record<string, unknown>;
  const enumerable = new Set(Object.keys(source));
  const result = new Error();
  let changed = false;
  // `cause` and an AggregateError's `errors` are own but not enumerable.
  for (const key of new Set(['message', 'stack', 'cause', 'errors', ...enumerable])) {
    let value: unknown;
    try {
      if (!Object.hasOwn(source, key) && key !== 'message' && key !== 'stack') continue;
      value = source[key];
    } catch {
      continue; // a throwing getter: nothing to copy
    }
    let copy = value;
    if (typeof value === 'string') copy = redact(value);
    else if (key === 'errors' && Array.isArray(value)) {
      const errors = value.map((error) => redactCause(error, redact, depth + 1));
      if (errors.some((error, i) => error !== value[i])) copy = errors;
    } else if (key === 'cause' || (value !== null && typeof value === 'object')) {
      copy = redactCause(value, redact, depth + 1);
    }
    if (copy !== value) changed = true;
    Object.defineProperty(result, key, { ...FIELD, value: copy, enumerable: enumerable.has(key) });
  }
  if (!changed) return cause;
  if (cause instanceof Error) Object.defineProperty(result, 'name', { ...FIELD, value: cause.name });
  return result;
}

/** The wait asked for in ms: `retry-after-ms`, else `Retry-After` (seconds or a date); malformed: none. */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const milliseconds = nonNegativeNumber(headers.get('retry-after-ms'));
  if (milliseconds !== undefined) return milliseconds;
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = nonNegativeNumber(value);
  if (seconds !== undefined) return seconds * 1000;
  // Only a value that looks like a date: Date.parse accepts too much ("1" is year 2001).
  const date = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function nonNegativeNumber(value: string | null): number | undefined {
  const trimmed = value?.trim() ?? '';
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return undefined;
  const parsed = Number(trimmed);
  return Number.isFinite(parsed) ? parsed : undefined;
}
