import { ChatTrailError } from '../errors';
import { LruMap } from '../internal/lru-map';
import { optionChecker } from '../options/option-checker';
import { VERSION } from '../version';
import type { ConnectionTarget } from './describe-connection-failure';
import type { HttpClientOptions, RetryInfo } from './http-options';
import { createSecretRedactor, type SecretRedactor } from './redact-secrets';
import { fetchTransport, type Transport } from './transport';

/** Default time allowed per attempt. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Default number of retries after the first attempt. */
export const DEFAULT_MAX_RETRIES = 2;
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
  /** The given `transport`, or one over the given `fetch` (or the global one). */
  readonly send: Transport;
  readonly onRetry: ((info: RetryInfo) => void) | undefined;
  /** Parsed URLs of query-less paths: a destination sends to the same few paths all day. */
  readonly urls: LruMap<string, ParsedUrl>;
}

export interface ParsedUrl {
  href: string;
  pathname: string;
}

/** Bound of {@link HttpTransport.urls}; paths carrying ids (`/conversations/{id}`) are unbounded in number. */
const MAX_CACHED_URLS = 64;

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
  check.fn('transport', options.transport);
  if (options.fetch !== undefined && options.transport !== undefined) {
    throw new ChatTrailError(`${backend}: pass fetch or transport, not both`);
  }
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
    send: options.transport ?? fetchTransport(options.fetch),
    onRetry: options.onRetry,
    urls: new LruMap(MAX_CACHED_URLS),
  };
}

/** Merges header records left to right with lower-cased names, so `Authorization` cannot appear twice. */
export function mergeHeaders(
  ...sources: (Readonly<Record<string, string>> | undefined)[]
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const source of sources) {
    if (source === undefined) continue;
    for (const [name, value] of Object.entries(source)) merged[name.toLowerCase()] = value;
  }
  return merged;
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
