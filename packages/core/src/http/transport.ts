import { quietly } from '../internal/quietly';

/** One request as a {@link Transport} gets it. */
export interface TransportRequest {
  /** Upper case. */
  method: string;
  /** Absolute, query included, credentials never. */
  url: string;
  /** Lower-cased names; `content-length` is the transport's to set. */
  headers: Record<string, string>;
  /** JSON text, if any. */
  body: string | undefined;
  /** Aborted on timeout (reading the body included) or by the caller: stop and reject. */
  signal: AbortSignal;
  /** Nobody reads a 2xx body: it may be drained undecoded and answered as `''`. */
  discardBody: boolean;
}

/** The whole answer to a {@link TransportRequest}, whatever its status. */
export interface TransportResponse {
  status: number;
  /** A `Headers`, or an object with lower-cased names; read for errors only. */
  headers: Headers | Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Decoded as UTF-8; `''` when there is none. */
  body: string;
}

/** One HTTP request: resolves with any status; rejects only without an answer (`code`s on its `cause`s). */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** `fetchImpl`, or the global `fetch` looked up per request (frameworks may patch it later). */
export function fetchTransport(fetchImpl: typeof fetch | undefined): Transport {
  return async ({ url, method, headers, body, signal, discardBody }) => {
    const response = await (fetchImpl ?? globalThis.fetch)(url, { method, headers, body, signal });
    // Drained either way: an unread body keeps the connection from being reused.
    let text = '';
    if (discardBody && response.ok) await response.arrayBuffer();
    else text = await response.text();
    return { status: response.status, headers: response.headers, body: text };
  };
}

export function headersOf(headers: TransportResponse['headers']): Headers {
  if (headers instanceof Headers) return headers;
  const result = new Headers();
  for (const [name, value] of Object.entries(headers ?? {})) {
    for (const item of typeof value === 'string' ? [value] : Array.isArray(value) ? value : []) {
      quietly(() => result.append(name, item)); // an invalid header is left out, not failing the report
    }
  }
  return result;
}
