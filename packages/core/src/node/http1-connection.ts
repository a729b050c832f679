import type { Buffer } from 'node:buffer';
import type { Socket } from 'node:net';
import { type Http1Response, Http1ResponseParser } from './http1-response-parser';

/** One request for {@link Http1Connection.exchange}: the head is already serialised. */
export interface Http1Exchange {
  /** Request line and headers, ending in the blank line; latin1. */
  head: string;
  body: Buffer | undefined;
  isHead: boolean;
  keepBody: (status: number) => boolean;
}

/**
 * One HTTP/1.1 connection (plain or TLS socket) carrying one request at a time, as a keep-alive agent's
 * socket does. It knows whether it can take another request (`reusable`) and tells its pool when it is
 * gone (`onGone`), whether it was busy or idle at the time.
 */
export class Http1Connection {
  readonly #socket: Socket;
  readonly #onGone: (connection: Http1Connection) => void;
  #parser: Http1ResponseParser | undefined;
  #settle: ((error: unknown, response?: Http1Response) => void) | undefined;
  #requestWritten = false;
  #gone = false;
  /** When it last became idle (performance.now()). */
  idleSince = 0;

  constructor(socket: Socket, onGone: (connection: Http1Connection) => void) {
    this.#socket = socket;
    this.#onGone = onGone;
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.#onData(data));
    socket.on('end', () => this.#onEnd());
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(connectionError('socket hang up', 'ECONNRESET')));
  }

  /** Whether it is open and has no request in flight. */
  get idle(): boolean {
    return !this.#gone && this.#settle === undefined;
  }

  /** Sends the request and resolves with the whole response; rejects with the socket's error. */
  exchange(request: Http1Exchange): Promise<Http1Response> {
    return new Promise((resolve, reject) => {
      this.#parser = new Http1ResponseParser({ head: request.isHead, keepBody: request.keepBody });
      this.#requestWritten = false;
      this.#settle = (error, response) => (error === undefined ? resolve(response!) : reject(error));
      const socket = this.#socket;
      socket.ref();
      const written = () => {
        this.#requestWritten = true;
      };
      if (request.body === undefined) {
        socket.write(request.head, 'latin1', written);
      } else {
        // One write (writev) for head and body: one packet for a small request.
        socket.cork();
        socket.write(request.head, 'latin1');
        socket.write(request.body, written);
        socket.uncork();
      }
    });
  }

  /** Marks it idle in a pool: timed from now, and unref'd (an idle connection must not keep the process alive). */
  park(): void {
    this.idleSince = performance.now();
    this.#socket.unref();
  }

  /** Closes it; a request in flight rejects with `error`. */
  destroy(error?: Error): void {
    this.#fail(error ?? connectionError('socket hang up', 'ECONNRESET'));
  }

  #onData(data: Buffer): void {
    const parser = this.#parser;
    if (parser === undefined) {
      // Nothing was asked: a server that talks out of turn (a 408 before closing an idle connection, say)
      // cannot be trusted with the next request.
      this.#fail(connectionError('unexpected data on an idle connection', 'ECONNRESET'));
      return;
    }
    let done: boolean;
    try {
      done = parser.push(data);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (done) this.#complete(parser.response!, parser.trailingBytes);
  }

  #onEnd(): void {
    const parser = this.#parser;
    if (parser?.end()) {
      this.#complete(parser.response!);
      return;
    }
    this.#fail(connectionError('socket hang up', 'ECONNRESET'));
  }

  #complete(response: Http1Response, trailingBytes = false): void {
    const settle = this.#settle!;
    this.#parser = undefined;
    this.#settle = undefined;
    // A response that came before the whole request was written (an early 413, say) leaves the server
    // reading or discarding the rest: the connection's state is unknown, so it is not used again.
    // Bytes after the response (trailingBytes) mean the server and we no longer agree where answers begin.
    if (!response.keepAlive || trailingBytes || !this.#requestWritten || this.#socket.writableLength > 0) {
      this.#gone = true;
      this.#socket.destroy();
      this.#onGone(this);
    }
    settle(undefined, response);
  }

  #fail(error: unknown): void {
    const settle = this.#settle;
    this.#parser = undefined;
    this.#settle = undefined;
    if (!this.#gone) {
      this.#gone = true;
      this.#socket.destroy();
      this.#onGone(this);
    }
    settle?.(error);
  }
}

function connectionError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}
