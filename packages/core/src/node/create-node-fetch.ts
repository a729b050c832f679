import { Buffer } from 'node:buffer';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { RAW_REQUEST, type RawRequestFunction } from '../http/raw-request';
import { LruMap } from '../internal/lru-map';
import { Http1Pool, type Http1Target } from './http1-pool';
import type { Http1Response } from './http1-response-parser';

/** Options of {@link createNodeFetch}. */
export interface NodeFetchOptions {
  /**
   * Connections kept open per host (HTTP keep-alive). Default 32: enough for a Mielto destination's up to
   * 24 requests in flight (three times its `concurrency` of 8, while a batch has new threads).
   */
  maxSockets?: number;
  /** Idle keep-alive connections are closed after this long. Default 30,000 ms. */
  idleTimeoutMs?: number;
  /**
   * Proxy settings (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, as Node's agents read them; Node ≥ 24.5).
   * Default: `process.env` when Node runs with `NODE_USE_ENV_PROXY=1` or `--use-env-proxy`, so requests
   * take the proxy the global `fetch` then takes; otherwise none. `null`: never a proxy.
   */
  proxyEnv?: Readonly<Record<string, string | undefined>> | null;
}

// Statuses whose responses carry no body (the Response constructor refuses one).
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` for the chattrail clients and destinations on Node that sends over its own keep-alive HTTP/1.1
 * connections ({@link Http1Pool}) instead of the global `fetch` (undici); through a proxy, over Node's
 * `node:http` / `node:https` agents:
 *
 * ```ts
 * import { createChatTrail, melodi, mielto } from '@chattrail/core';
 * import { createNodeFetch } from '@chattrail/core/node';
 *
 * const fetch = createNodeFetch();
 * const trail = createChatTrail({ destinations: [mielto({ fetch }), melodi({ fetch })] });
 * ```
 *
 * Why: delivering a turn is one HTTP request per thread and destination, and the global `fetch` spends
 * most of the trail's CPU on it (web streams and the objects around them). Node's own client still spends
 * about twice what the bare bytes need (`bench/delivery-replay.mjs`). The global `fetch` stays the default
 * because it is what every runtime has; this subpath is Node-only.
 *
 * The chattrail clients do not even call the function: they find a raw request on it (`RAW_REQUEST`) that
 * skips the `Response` and its web stream, and drains a body nobody reads without keeping it (see
 * BENCHMARKS.md). Any other caller gets a real `Response`.
 *
 * It is a fetch for JSON APIs, not a general one: string or byte bodies only (anything else is a
 * TypeError), no redirects followed (a 3xx is returned as it is), no decompression (it sends no
 * `accept-encoding`, so servers answer uncompressed), no cookies or cache. Aborting through `signal` destroys
 * the request and rejects with the signal's reason, as `fetch` does. Proxies: see `proxyEnv`.
 */
export function createNodeFetch(options: NodeFetchOptions = {}): typeof fetch {
  // `null` is passed on as it is: a Node that would fall back to the environment for an agent without
  // `proxyEnv` takes a falsy one as "no proxy".
  const proxyEnv =
    options.proxyEnv !== undefined
      ? options.proxyEnv
      : usesEnvProxy(process.env, process.execArgv)
        ? process.env
        : undefined;
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 32,
    timeout: options.idleTimeoutMs ?? 30_000,
    ...(proxyEnv === undefined ? {} : { proxyEnv: (proxyEnv === null ? null : { ...proxyEnv }) as never }),
  };
  // Through a proxy, Node's agents (they know how to tunnel); otherwise our own connections, which cost
  // about half the CPU per request (see Http1Pool).
  const send: Exchange =
    proxyEnv === undefined || proxyEnv === null
      ? poolExchange(
          new Http1Pool({ maxSockets: agentOptions.maxSockets, idleTimeoutMs: agentOptions.timeout }),
        )
      : agentExchange({ http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) });

  const nodeFetch = function nodeFetch(
    input: string | URL | Request,
    init: RequestInit = {},
  ): Promise<Response> {
    let target: Target;
    let body: string | Uint8Array | undefined;
    const headers: Record<string, string> = {};
    try {
      if (typeof Request !== 'undefined' && input instanceof Request) {
        throw new TypeError('createNodeFetch(): pass a URL and an init object, not a Request');
      }
      target = targetOf(input instanceof URL ? input : new URL(String(input)));
      body = requestBody(init.body);
      new Headers(init.headers).forEach((value, name) => {
        headers[name] = value;
      });
    } catch (error) {
      return Promise.reject(error);
    }
    const exchanged = send(target, fetchMethod(init.method), headers, body, init.signal ?? undefined, false);
    return exchanged.then(toResponse);
  } as typeof fetch;

  // What the chattrail clients use instead of the function itself (see RAW_REQUEST): the same exchange
  // without the Response around it.
  // URLs parsed once: a destination sends to the same few all day (bounded: some paths carry ids).
  const targets = new LruMap<string, Target>(64);
  const rawRequest: RawRequestFunction = (url, request) => {
    let target = targets.get(url);
    if (target === undefined) {
      try {
        target = targetOf(new URL(url));
      } catch (error) {
        return Promise.reject(error);
      }
      targets.set(url, target);
    }
    const exchanged = send(
      target,
      request.method,
      request.headers,
      request.body,
      request.signal,
      request.discard,
    );
    return exchanged.then((response) => ({
      ok: isSuccess(response.status),
      status: response.status,
      headers: () => headersOf(response.rawHeaders),
      text: response.body === undefined ? '' : utf8Text(response.body),
    }));
  };
  Object.defineProperty(nodeFetch, RAW_REQUEST, { value: rawRequest });
  return nodeFetch;
}

/** Whether Node was told to send its own requests through the proxy the environment names. */
export function usesEnvProxy(
  env: Readonly<Record<string, string | undefined>>,
  execArgv: readonly string[],
): boolean {
  const flag = (args: readonly string[]) => args.includes('--use-env-proxy');
  return env.NODE_USE_ENV_PROXY === '1' || flag(execArgv) || flag((env.NODE_OPTIONS ?? '').split(/\s+/));
}

/** A URL as both senders need it, worked out once per URL. */
interface Target extends Http1Target {
  /** For Node's agents (proxy path). */
  httpOptions: ReturnType<typeof urlToHttpOptions>;
}

function targetOf(url: URL): Target {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`createNodeFetch(): only http and https URLs, got ${url.protocol}`);
  }
  const https = url.protocol === 'https:';
  return {
    httpOptions: urlToHttpOptions(url),
    https,
    // The URL keeps an IPv6 address in brackets; sockets take it without.
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
    host: url.host,
    path: `${url.pathname}${url.search}`,
  };
}

/** The answer to one request, whichever way it went. */
type Answer = Omit<Http1Response, 'keepAlive'>;

/**
 * One request and its whole answer. `discard`: a 2xx body is drained without being kept (`body` is
 * undefined). Rejects with the signal's reason when aborted, as `fetch` does.
 */
type Exchange = (
  target: Target,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  signal: AbortSignal | undefined,
  discard: boolean,
) => Promise<Answer>;

/** Whether an answer's body is kept: always (a body there is), or with `discard` only for errors. */
const keepsBody = (status: number) => !NULL_BODY_STATUSES.has(status);
const keepsErrorBody = (status: number) => !isSuccess(status) && keepsBody(status);

function poolExchange(pool: Http1Pool): Exchange {
  return (target, method, headers, body, signal, discard) =>
    pool.request(target, { method, headers, body, signal, keepBody: discard ? keepsErrorBody : keepsBody });
}

interface Agents {
  http: HttpAgent;
  https: HttpsAgent;
}

function agentExchange(agents: Agents): Exchange {
  return (target, method, headers, body, signal, discard) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const outgoing = { ...headers };
      if (body !== undefined) outgoing['content-length'] = String(byteLength(body));
      const onAbort = () => request.destroy(signal!.reason instanceof Error ? signal!.reason : undefined);
      const keep = discard ? keepsErrorBody : keepsBody;
      const request = (target.https ? httpsRequest : httpRequest)(
        {
          ...target.httpOptions,
          method,
          headers: outgoing,
          agent: target.https ? agents.https : agents.http,
        },
        (response) => {
          const status = response.statusCode ?? 0;
          const keeping = keep(status);
          const chunks: Buffer[] = [];
          if (keeping) response.on('data', (chunk: Buffer) => chunks.push(chunk));
          else response.resume();
          response.on('error', fail);
          response.on('end', () => {
            signal?.removeEventListener('abort', onAbort);
            // One Buffer for the whole body (Node's Buffers are Uint8Arrays a Response takes as they are).
            const whole = !keeping ? undefined : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
            resolve({
              status,
              statusText: response.statusMessage ?? '',
              rawHeaders: response.rawHeaders,
              body: whole,
            });
          });
        },
      );
      function fail(error: unknown): void {
        signal?.removeEventListener('abort', onAbort);
        reject(signal?.aborted ? signal.reason : error);
      }
      request.on('error', fail);
      signal?.addEventListener('abort', onAbort, { once: true });
      request.end(body);
    });
}

// Methods `fetch` accepts in any case and sends upper-cased; any other name goes out as given.
const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

function fetchMethod(method: string | undefined): string {
  if (method === undefined) return 'GET';
  const upper = method.toUpperCase();
  return NORMALISED_METHODS.has(upper) ? upper : method;
}

/** What `Response.ok` says of a status. */
function isSuccess(status: number): boolean {
  return status >= 200 && status <= 299;
}

function requestBody(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('createNodeFetch(): only string and byte bodies are supported');
}

function byteLength(body: string | Uint8Array): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}

function toResponse(answer: Answer): Response {
  const body = NULL_BODY_STATUSES.has(answer.status) ? null : (answer.body ?? null);
  return new Response(body as BodyInit | null, {
    status: answer.status,
    statusText: answer.statusText,
    headers: headersOf(answer.rawHeaders),
  });
}

function headersOf(rawHeaders: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    headers.append(rawHeaders[i]!, rawHeaders[i + 1]!);
  }
  return headers;
}

/** As `Response.text()` decodes: UTF-8, a leading byte order mark dropped. */
function utf8Text(body: Buffer): string {
  const text = body.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
