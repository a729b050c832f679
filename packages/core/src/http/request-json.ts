import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  ChatTrailError,
  createAPIError,
  InvalidResponseError,
} from '../errors';
import { LruMap } from '../internal/lru-map';
import { optionChecker } from '../options/option-checker';
import { VERSION } from '../version';
import { backoffDelayMs } from './backoff';
import { type ConnectionTarget, describeConnectionFailure } from './describe-connection-failure';
import type { HttpClientOptions, RequestOptions, RetryInfo } from './http-options';
import { isAmbiguousError } from './is-ambiguous-error';
import { JsonText } from './json-text';
import { type RawResponse, rawRequestOf } from './raw-request';
import { redactCause } from './redact-cause';
import { redactHeaders } from './redact-headers';
import { redactJson } from './redact-json';
import { createSecretRedactor, type SecretRedactor } from './redact-secrets';
import { parseRetryAfter } from './retry-after';
import { isRetryableError } from './retryable';

/** Default time allowed per attempt. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Default number of retries after the first attempt. */
export const DEFAULT_MAX_RETRIES = 2;
/**
 * Longest `Retry-After` the requester waits out. A server asking for more (an hour-long rate-limit
 * window) gets the error thrown at once, carrying `retryAfterMs`, so a caller holding a queue can
 * schedule the retry itself instead of parking a request that long.
 */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Everything a client fixes once for all its requests; built by {@link createHttpTransport}. */
export interface HttpTransport {
  /** Display name used in error messages: `'Mielto'` or `'Melodi'`. */
  readonly backend: string;
  /** No trailing slash, no credentials. */
  readonly baseUrl: string;
  /** Where requests go, as connection errors name it. */
  readonly target: ConnectionTarget;
  /** Lower-cased names; authentication included. */
  readonly headers: Readonly<Record<string, string>>;
  /** Redacts the secrets (the API key, a base URL's password) from error bodies, headers and messages. */
  readonly redact: SecretRedactor;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly fetch: typeof fetch | undefined;
  readonly onRetry: ((info: RetryInfo) => void) | undefined;
  /** Parsed URLs of query-less paths: a destination sends to the same few paths all day. */
  readonly urls: LruMap<string, ParsedUrl>;
}

interface ParsedUrl {
  href: string;
  pathname: string;
}

/** Bound of {@link HttpTransport.urls}; paths carrying ids (`/conversations/{id}`) are unbounded in number. */
const MAX_CACHED_URLS = 64;

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
 * Applies the defaults of {@link HttpClientOptions} in one place and validates them, so both clients
 * behave the same. Throws {@link ChatTrailError} on a malformed base URL or option: a configuration
 * mistake should surface when the client is built, not on the first request.
 */
export function createHttpTransport(config: {
  backend: string;
  baseUrl: string;
  authHeaders: Record<string, string>;
  secrets: readonly string[];
  options: HttpClientOptions;
}): HttpTransport {
  const { backend, options } = config;
  let baseUrl = config.baseUrl.replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new ChatTrailError(
      `${backend}: baseUrl must be an absolute http(s) URL, got ${JSON.stringify(withoutUserinfo(baseUrl))}`,
    );
  }
  const secrets = [...config.secrets];
  if (parsed.username !== '' || parsed.password !== '') {
    // Credentials in the URL (`https://user:pass@host`) are never sent: `fetch` refuses such a URL (and
    // names it, password and all, in its error), and the Authorization header is the API key's. They are
    // dropped from the URL every request and message is built from, and redacted should a server echo them.
    const user = decoded(parsed.username);
    const password = decoded(parsed.password);
    secrets.push(password, parsed.password, `${user}:${password}`);
    parsed.username = '';
    parsed.password = '';
    baseUrl = parsed.href.replace(/\/+$/, '');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new ChatTrailError(
      `${backend}: timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`,
    );
  }
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new ChatTrailError(`${backend}: maxRetries must be a non-negative integer, got ${maxRetries}`);
  }
  const check = optionChecker(backend);
  check.fn('fetch', options.fetch);
  check.fn('onRetry', options.onRetry);
  const { defaultHeaders } = options;
  if (defaultHeaders !== undefined && (defaultHeaders === null || typeof defaultHeaders !== 'object')) {
    check.fail('defaultHeaders', 'an object', defaultHeaders);
  }
  return {
    backend,
    baseUrl,
    target: {
      hostname: parsed.hostname,
      hostPort: `${parsed.hostname}:${parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : parsed.port}`,
    },
    headers: mergeHeaders(
      { accept: 'application/json', 'x-chattrail-sdk': `core/${VERSION}` },
      config.authHeaders,
      options.defaultHeaders,
    ),
    redact: createSecretRedactor(secrets),
    timeoutMs,
    maxRetries,
    fetch: options.fetch,
    onRetry: options.onRetry,
    urls: new LruMap(MAX_CACHED_URLS),
  };
}

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
      if (response.ok) {
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

interface Where {
  backend: string;
  method: string;
  path: string;
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
): Promise<RawResponse> {
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
    const raw = rawRequestOf(transport.fetch);
    if (raw !== undefined) return await raw(url, { ...init, signal: controller.signal, discard });
    // Resolved per call, not at construction: frameworks may install or patch the global later.
    const fetchImpl = transport.fetch ?? globalThis.fetch;
    const response = await fetchImpl(url, { ...init, signal: controller.signal });
    // Drained either way (an unread body keeps the connection from being reused); bytes need no decoding.
    let text = '';
    if (discard && response.ok) await response.arrayBuffer();
    else text = await response.text();
    return { ok: response.ok, status: response.status, headers: () => response.headers, text };
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

/**
 * The parsed 2xx body. One that is not JSON, or that `validate` finds wrong, rejects with
 * {@link InvalidResponseError}: never taken as success, and never as a permanent failure either.
 */
function parseSuccess<T>(
  transport: HttpTransport,
  response: RawResponse,
  where: Where,
  validate: JsonRequest['validate'],
): T {
  let body: unknown;
  if (response.text.trim() !== '') {
    try {
      body = JSON.parse(response.text);
    } catch {
      throw invalidResponse(transport, response, where, 'a body that is not JSON');
    }
  }
  const problem = validate?.(body);
  if (problem !== undefined) throw invalidResponse(transport, response, where, problem);
  return body as T;
}

function invalidResponse(
  transport: HttpTransport,
  response: RawResponse,
  where: Where,
  problem: string,
): InvalidResponseError {
  // The body itself is left out: a success body is the caller's data, not an explanation.
  return new InvalidResponseError({
    ...where,
    status: response.status,
    headers: redactHeaders(response.headers(), transport.redact),
    message: `${describe(where)} returned ${response.status} with ${problem}`,
  });
}

function errorFromResponse(transport: HttpTransport, response: RawResponse, where: Where): APIError {
  const { redact } = transport;
  const { text } = response;
  // Redacted after parsing, string by string: JSON.parse turns an escaped echo of the key (`\u002B`, `\/`)
  // back into the key itself. The redactor knows those forms too, so the raw text of a body that is not
  // JSON (a proxy's HTML page, a plain-text error), kept as it is, is redacted the same way.
  let body: unknown;
  if (text.trim() !== '') {
    try {
      body = redactJson(JSON.parse(text), redact);
    } catch {
      body = redact(text);
    }
  }
  const headers = response.headers();
  return createAPIError({
    ...where,
    status: response.status,
    headers: redactHeaders(headers, redact),
    body,
    retryAfterMs: parseRetryAfter(headers),
  });
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

function abortError(where: Where): APIUserAbortError {
  return new APIUserAbortError({ ...where, message: `${describe(where)} was aborted by the caller` });
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

/** Merges header records left to right with lower-cased names, so `Authorization` cannot appear twice. */
function mergeHeaders(...sources: (Readonly<Record<string, string>> | undefined)[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const source of sources) {
    if (source === undefined) continue;
    for (const [name, value] of Object.entries(source)) merged[name.toLowerCase()] = value;
  }
  return merged;
}

function describe(where: Where): string {
  return `${where.backend} ${where.method} ${where.path}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A URL's text with any `user:password@` taken out, for messages about a URL that does not even parse. */
function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i, '$1');
}

function decoded(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}
