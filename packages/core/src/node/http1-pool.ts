import { Buffer } from 'node:buffer';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Http1Connection } from './http1-connection';
import type { Http1Response } from './http1-response-parser';

/** Settings of {@link Http1Pool}. */
export interface Http1PoolOptions {
  /** Connections per origin. */
  maxSockets: number;
  /** An idle connection is closed after this long. */
  idleTimeoutMs: number;
}

/** Where a request goes, parsed once per URL by the caller. */
export interface Http1Target {
  https: boolean;
  /** For connecting: no brackets around an IPv6 address. */
  hostname: string;
  port: number;
  /** The `Host` header: host and port as the URL gave them. */
  host: string;
  /** Path and query. */
  path: string;
}

/** One request for {@link Http1Pool.request}. */
export interface Http1Request {
  method: string;
  /** Lower-cased names; `host`, `content-length` and `connection` are set by the pool. */
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  signal: AbortSignal | undefined;
  keepBody: (status: number) => boolean;
}

interface Origin {
  key: string;
  idle: Http1Connection[];
  /** Open connections, idle or busy. */
  open: number;
  waiting: Array<(connection: Http1Connection | undefined) => void>;
  /** The latest TLS session (ticket) the server gave, to resume the next connection with. */
  tlsSession?: Buffer;
}

// RFC 9110 token characters for names; values may not carry CR, LF or NUL (header injection), nor what
// latin1 cannot write.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE_FORBIDDEN = /[\r\n\0\u0100-\uffff]/;
// A method is a token, as a header name is.
const METHOD = HEADER_NAME;

/**
 * Keep-alive HTTP/1.1 connections per origin, each carrying one request at a time: what
 * `createNodeFetch()` sends through when no proxy is involved.
 *
 * Why not `node:http`: for the trail's requests (a few KB of JSON each way, on connections that stay open)
 * Node's client spends most of its time on objects around the bytes (`ClientRequest`, `IncomingMessage`,
 * the agent's bookkeeping, stream state). Writing the head and body in one go and reading the response
 * with a small parser costs the client about half the CPU per request (`bench/delivery-replay.mjs`).
 *
 * Like a keep-alive agent: at most `maxSockets` connections per origin (further requests wait for one in
 * order), idle connections reused most-recent-first, TLS sessions resumed, unref'd while idle and closed
 * after `idleTimeoutMs` or when the server closes them. A connection that failed or whose response said
 * `connection: close` is never reused.
 */
export class Http1Pool {
  readonly #options: Http1PoolOptions;
  readonly #origins = new Map<string, Origin>();
  /** Every open connection, idle or busy, for destroy(). */
  readonly #connections = new Set<Http1Connection>();
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(options: Http1PoolOptions) {
    this.#options = options;
  }

  /** Sends one request; rejects with the signal's reason when aborted, else with the connection's error. */
  async request(target: Http1Target, request: Http1Request): Promise<Http1Response> {
    const { signal } = request;
    if (signal?.aborted) throw signal.reason;
    const head = requestHead(target, request);
    const body =
      request.body === undefined
        ? undefined
        : typeof request.body === 'string'
          ? Buffer.from(request.body, 'utf8')
          : Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
    const headText = `${head}${body === undefined ? '' : `content-length: ${body.length}\r\n`}\r\n`;
    const origin = this.#origin(target);
    const connection = await this.#acquire(origin, target, signal);
    if (signal?.aborted) {
      this.#release(origin, connection);
      throw signal.reason;
    }
    const onAbort = () => connection.destroy(signal!.reason instanceof Error ? signal!.reason : undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await connection.exchange({
        head: headText,
        body,
        isHead: request.method === 'HEAD',
        keepBody: request.keepBody,
      });
      return response;
    } catch (error) {
      throw signal?.aborted ? signal.reason : error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#release(origin, connection);
    }
  }

  /** Closes every connection; requests in flight reject. */
  destroy(): void {
    for (const connection of [...this.#connections]) connection.destroy();
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  #origin(target: Http1Target): Origin {
    const key = `${target.https ? 's' : ''}${target.hostname}:${target.port}`;
    let origin = this.#origins.get(key);
    if (origin === undefined) {
      origin = { key, idle: [], open: 0, waiting: [] };
      this.#origins.set(key, origin);
    }
    return origin;
  }

  #acquire(origin: Origin, target: Http1Target, signal: AbortSignal | undefined): Promise<Http1Connection> {
    for (;;) {
      const connection = origin.idle.pop();
      if (connection === undefined) break;
      if (connection.idle) return Promise.resolve(connection);
    }
    if (origin.open < this.#options.maxSockets) return Promise.resolve(this.#connect(origin, target));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const at = origin.waiting.indexOf(take);
        if (at !== -1) origin.waiting.splice(at, 1);
        reject(signal!.reason);
      };
      // Handed a connection (or told to open one: undefined) by #release when one is free.
      const take = (connection: Http1Connection | undefined) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(connection ?? this.#connect(origin, target));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      origin.waiting.push(take);
    });
  }

  #connect(origin: Origin, target: Http1Target): Http1Connection {
    origin.open++;
    const socket: Socket = target.https
      ? this.#tlsConnect(origin, target)
      : netConnect({ host: target.hostname, port: target.port });
    const connection = new Http1Connection(socket, (gone) => this.#onGone(origin, gone));
    this.#connections.add(connection);
    this.#startSweeper();
    return connection;
  }

  #tlsConnect(origin: Origin, target: Http1Target): Socket {
    const socket = tlsConnect({
      host: target.hostname,
      port: target.port,
      // SNI takes host names only.
      servername: isIP(target.hostname) === 0 ? target.hostname : undefined,
      ALPNProtocols: ['http/1.1'],
      // Resumed from the origin's last session when the server allows it, as Node's https agent does:
      // a connection opened after an idle spell skips the full handshake.
      session: origin.tlsSession,
    });
    socket.on('session', (session: Buffer) => {
      origin.tlsSession = session;
    });
    return socket;
  }

  #release(origin: Origin, connection: Http1Connection): void {
    if (!connection.idle) return; // gone: #onGone has accounted for it
    const next = origin.waiting.shift();
    if (next !== undefined) next(connection);
    else {
      connection.park();
      origin.idle.push(connection);
    }
  }

  #onGone(origin: Origin, connection: Http1Connection): void {
    this.#connections.delete(connection);
    origin.open--;
    const at = origin.idle.indexOf(connection);
    if (at !== -1) origin.idle.splice(at, 1);
    // Its place is free: the first request waiting opens a connection of its own.
    if (origin.waiting.length > 0 && origin.open < this.#options.maxSockets)
      origin.waiting.shift()!(undefined);
  }

  /** Closes connections idle for longer than `idleTimeoutMs`; the timer never keeps the process alive. */
  #startSweeper(): void {
    if (this.#sweeper !== undefined) return;
    const { idleTimeoutMs } = this.#options;
    this.#sweeper = setInterval(
      () => {
        const now = performance.now();
        let open = 0;
        for (const origin of this.#origins.values()) {
          for (const connection of [...origin.idle]) {
            if (now - connection.idleSince >= idleTimeoutMs) connection.destroy();
          }
          open += origin.open;
        }
        if (open === 0) {
          clearInterval(this.#sweeper);
          this.#sweeper = undefined;
        }
      },
      Math.max(100, Math.min(idleTimeoutMs / 2, 5_000)),
    );
    this.#sweeper.unref?.();
  }
}

/** Request line and headers (without `content-length` and the final blank line). */
function requestHead(target: Http1Target, request: Http1Request): string {
  if (!METHOD.test(request.method))
    throw new TypeError(`invalid HTTP method ${JSON.stringify(request.method)}`);
  let head = `${request.method} ${target.path} HTTP/1.1\r\nhost: ${target.host}\r\n`;
  for (const name in request.headers) {
    if (name === 'host' || name === 'content-length' || name === 'connection' || name === 'transfer-encoding')
      continue;
    const value = request.headers[name]!;
    if (!HEADER_NAME.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    if (HEADER_VALUE_FORBIDDEN.test(value)) throw new TypeError(`invalid value for header ${name}`);
    head += `${name}: ${value}\r\n`;
  }
  return head;
}
