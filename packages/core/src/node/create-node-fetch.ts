import { Buffer } from 'node:buffer';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** Options of {@link createNodeFetch}. */
export interface NodeFetchOptions {
  /** Connections kept open per host (HTTP keep-alive). Default 16: enough for a destination's 8 in flight. */
  maxSockets?: number;
  /** Idle keep-alive connections are closed after this long. Default 30,000 ms. */
  idleTimeoutMs?: number;
}

// Statuses whose responses carry no body (the Response constructor refuses one).
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` for the chattrail clients and destinations on Node, built on `node:http` / `node:https` with
 * keep-alive agents instead of the global `fetch` (undici):
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
 * most of the trail's CPU on it (web streams and the objects around them). With this one the trail
 * delivered ~1.5× the turns per CPU second to a do-nothing backend (`bench/delivery-throughput.mjs … sink`).
 * The global `fetch` stays the default because it is what every runtime has; this subpath is Node-only.
 *
 * It is a fetch for JSON APIs, not a general one: string or byte bodies only (anything else is a
 * TypeError), no redirects followed (a 3xx is returned as it is), no decompression (it sends no
 * `accept-encoding`, so servers answer uncompressed), no cookies or cache. Aborting through `signal` destroys
 * the request and rejects with the signal's reason, as `fetch` does.
 */
export function createNodeFetch(options: NodeFetchOptions = {}): typeof fetch {
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 16,
    timeout: options.idleTimeoutMs ?? 30_000,
  };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);

  return function nodeFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let url: URL;
      let body: string | Uint8Array | undefined;
      try {
        if (typeof Request !== 'undefined' && input instanceof Request) {
          throw new TypeError('createNodeFetch(): pass a URL and an init object, not a Request');
        }
        url = input instanceof URL ? input : new URL(String(input));
        if (url.protocol !== 'http:' && url.protocol !== 'https:') {
          throw new TypeError(`createNodeFetch(): only http and https URLs, got ${url.protocol}`);
        }
        body = requestBody(init.body);
      } catch (error) {
        reject(error);
        return;
      }
      const https = url.protocol === 'https:';
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, name) => {
        headers[name] = value;
      });
      if (body !== undefined) headers['content-length'] = String(byteLength(body));

      const onAbort = () => request.destroy(signal!.reason instanceof Error ? signal!.reason : undefined);
      const request = (https ? httpsRequest : httpRequest)(
        url,
        { method: init.method ?? 'GET', headers, agent: https ? httpsAgent : httpAgent },
        (response) => {
          const chunks: Uint8Array[] = [];
          response.on('data', (chunk: Uint8Array) => chunks.push(chunk));
          response.on('error', fail);
          response.on('end', () => {
            signal?.removeEventListener('abort', onAbort);
            try {
              resolve(toResponse(response, chunks));
            } catch (error) {
              reject(error);
            }
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
  } as typeof fetch;
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

function toResponse(message: IncomingMessage, chunks: Uint8Array[]): Response {
  const status = message.statusCode ?? 0;
  const headers = new Headers();
  for (let i = 0; i + 1 < message.rawHeaders.length; i += 2) {
    headers.append(message.rawHeaders[i]!, message.rawHeaders[i + 1]!);
  }
  // One Buffer for the whole body (Node's Buffers are Uint8Arrays the Response takes as they are).
  const body = NULL_BODY_STATUSES.has(status)
    ? null
    : chunks.length === 1
      ? chunks[0]!
      : Buffer.concat(chunks);
  return new Response(body as BodyInit | null, {
    status,
    statusText: message.statusMessage ?? '',
    headers,
  });
}
