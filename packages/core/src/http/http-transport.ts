import { ChatTrailError } from '../errors';
import { LruMap } from '../internal/lru-map';
import { quietly } from '../internal/quietly';
import { optionChecker } from '../options/option-checker';
import { VERSION } from '../version';
import type { HttpClientOptions } from './http-options';
import { createSecretRedactor } from './redact-secrets';
import { fetchTransport } from './transport';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RETRIES = 2;

/** Everything a client fixes once for all its requests; header names are lower-cased. */
export type HttpTransport = ReturnType<typeof createHttpTransport>;
export type ParsedUrl = Pick<URL, 'href' | 'pathname'>;

// Paths carrying ids (`/conversations/{id}`) are unbounded in number.
const MAX_CACHED_URLS = 64;

/** Applies and validates {@link HttpClientOptions}; throws {@link ChatTrailError} on a bad one. */
export function createHttpTransport(config: {
  backend: string;
  baseUrl: string;
  authHeaders: Record<string, string>;
  secrets: readonly string[];
  options: HttpClientOptions;
}) {
  const { backend, options } = config;
  let baseUrl = config.baseUrl.replace(/\/+$/, '');
  const parsed = quietly(() => new URL(baseUrl));
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') {
    throw new ChatTrailError(
      `${backend}: baseUrl must be an absolute http(s) URL, got ${JSON.stringify(withoutUserinfo(baseUrl))}`,
    );
  }
  const secrets = [...config.secrets];
  if (parsed.username !== '' || parsed.password !== '') {
    // Never sent (`fetch` rejects such a URL, naming the password) and redacted should a server echo them.
    const user = decoded(parsed.username);
    const password = decoded(parsed.password);
    secrets.push(password, parsed.password, `${user}:${password}`);
    parsed.username = '';
    parsed.password = '';
    baseUrl = parsed.href.replace(/\/+$/, '');
  }
  const check = optionChecker(backend);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs))
    check.fail('timeoutMs', 'a positive number of milliseconds', timeoutMs);
  const maxRetries = check.nonNegativeInteger('maxRetries', options.maxRetries, DEFAULT_MAX_RETRIES);
  check.fn('fetch', options.fetch);
  check.fn('transport', options.transport);
  if (options.fetch !== undefined && options.transport !== undefined) {
    throw new ChatTrailError(`${backend}: pass fetch or transport, not both`);
  }
  check.fn('onRetry', options.onRetry);
  check.object('defaultHeaders', options.defaultHeaders, undefined);
  return {
    backend,
    baseUrl, // no trailing slash, no credentials
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
    // Parsed URLs of query-less paths: a destination sends to the same few paths all day.
    urls: new LruMap<string, ParsedUrl>(MAX_CACHED_URLS),
  };
}

/** Left to right with lower-cased names, so `Authorization` cannot appear twice. */
export function mergeHeaders(...sources: (Readonly<Record<string, string>> | undefined)[]) {
  const merged: Record<string, string> = {};
  for (const source of sources) {
    if (source === undefined) continue;
    for (const [name, value] of Object.entries(source)) merged[name.toLowerCase()] = value;
  }
  return merged;
}

function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i, '$1');
}

function decoded(component: string): string {
  return quietly(() => decodeURIComponent(component)) ?? component;
}
