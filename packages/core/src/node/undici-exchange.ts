import type { TransportRequest, TransportResponse } from '../http/transport';

type ResponseHeaders = Record<string, string | string[] | undefined>;

/** One request through undici's `dispatch()`, without `request()`'s stream and promises (BENCHMARKS.md). */
abstract class Exchange {
  settled = false;
  #status = 0;
  #headers: ResponseHeaders | Buffer[] = {};
  #chunks: Buffer[] = [];
  #keep = true;
  #abort: ((reason: Error) => void) | undefined;

  constructor(
    private readonly request: TransportRequest,
    private readonly resolve: (response: TransportResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    if (request.signal.aborted) this.#cancel(request.signal.reason);
    else request.signal.addEventListener('abort', this);
  }

  /** The signal's listener (an object, not a closure per request). */
  handleEvent(): void {
    this.#cancel(this.request.signal.reason);
  }

  /** The request failed: rejects with undici's error (once). */
  fail(error: unknown): void {
    if (this.#settle()) this.reject(error);
  }

  protected started(abort: (reason: Error) => void): void {
    this.#abort = abort;
    // Cancelled while it waited for a connection.
    if (this.settled) abort(abortReason(this.request.signal.reason));
  }

  protected head(status: number, headers: ResponseHeaders | Buffer[]): void {
    if (status < 200) return; // an interim 1xx answer
    this.#status = status;
    this.#headers = headers;
    this.#keep = !(this.request.discardBody && status <= 299);
  }

  protected data(chunk: Buffer): void {
    if (this.#keep) this.#chunks.push(chunk);
  }

  protected end(): void {
    if (!this.#settle()) return;
    const chunks = this.#chunks;
    const text =
      chunks.length === 0 ? '' : (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
    // As `Response.text()` decodes: a leading byte order mark dropped.
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const status = this.#status;
    const raw = this.#headers;
    this.resolve(
      Array.isArray(raw) ? new RawHeadersResponse(status, body, raw) : { status, body, headers: raw },
    );
  }

  /** The signal fired: rejects with its reason, and stops the request if undici has started it. */
  #cancel(reason: unknown): void {
    if (!this.#settle()) return;
    this.reject(reason);
    this.#abort?.(abortReason(reason));
  }

  #settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.request.signal.removeEventListener('abort', this);
    return true;
  }
}

/** undici ≥ 8. */
export class ExchangeHandler extends Exchange {
  onRequestStart(controller: { abort(reason: Error): void }): void {
    this.started((reason) => controller.abort(reason));
  }
  onResponseStart(_controller: unknown, status: number, headers: ResponseHeaders): void {
    this.head(status, headers);
  }
  onResponseData(_controller: unknown, chunk: Buffer): void {
    this.data(chunk);
  }
  onResponseEnd(): void {
    this.end();
  }
  onResponseError(_controller: unknown, error: Error): void {
    this.fail(error);
  }
}

/** undici 6 and 7. */
export class LegacyExchangeHandler extends Exchange {
  onConnect(abort: (reason: Error) => void): void {
    this.started(abort);
  }
  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    this.head(status, rawHeaders);
    return true;
  }
  onData(chunk: Buffer): boolean {
    this.data(chunk);
    return true;
  }
  onComplete(): void {
    this.end();
  }
  onError(error: Error): void {
    this.fail(error);
  }
}

/** Raw headers (undici 6 and 7) made an object only when read (errors only), by a class getter: BENCHMARKS.md. */
class RawHeadersResponse implements TransportResponse {
  constructor(
    readonly status: number,
    readonly body: string,
    private readonly raw: readonly Buffer[],
  ) {}
  /** As an object with lower-cased names. */
  get headers(): ResponseHeaders {
    const raw = this.raw;
    const headers: ResponseHeaders = {};
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toString('latin1').toLowerCase();
      const value = raw[i + 1]!.toString('latin1');
      const seen = headers[name];
      headers[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    return headers;
  }
}

const abortReason = (reason: unknown) => (reason instanceof Error ? reason : new Error('aborted'));
