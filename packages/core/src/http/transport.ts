/** One request as a {@link Transport} gets it. */
export interface TransportRequest {
  /** Upper case: `GET`, `POST`, `PUT`, `PATCH`, `DELETE`. */
  method: string;
  /** Absolute http(s) URL, query included, credentials never. */
  url: string;
  /** Lower-cased names; `content-length` is the transport's to set. */
  headers: Record<string, string>;
  /** JSON text; `undefined` when there is no body. */
  body: string | undefined;
  /**
   * Aborted when the attempt runs out of time (the client's `timeoutMs`, which covers reading the body)
   * or the caller aborts: stop and reject, with anything.
   */
  signal: AbortSignal;
  /** Nobody reads a 2xx body: the transport may drain it without decoding and answer `body: ''`. */
  discardBody: boolean;
}

/** The whole answer to a {@link TransportRequest}, whatever its status. */
export interface TransportResponse {
  status: number;
  /** A `Headers`, or an object with lower-cased names. Read for errors only (`Retry-After`, `error.headers`). */
  headers: Headers | Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The body decoded as UTF-8 (`''` when there is none). */
  body: string;
}

/**
 * Sends one HTTP request. Resolves with the answer to any status (4xx and 5xx included: the client decides
 * about those); rejects only when there is no answer (connection failed, timed out, aborted). The client
 * classifies the rejection by the `code`s on the error and its `cause`s (`ECONNREFUSED`, `ECONNRESET`,
 * `UND_ERR_SOCKET`, ...) and redacts secrets from it before anyone sees it.
 */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/**
 * The default transport: `fetchImpl`, or the global `fetch` looked up per request (frameworks may install
 * or patch it after the client is built).
 */
export function fetchTransport(fetchImpl: typeof fetch | undefined): Transport {
  return async ({ url, method, headers, body, signal, discardBody }) => {
    const response = await (fetchImpl ?? globalThis.fetch)(url, { method, headers, body, signal });
    // Drained either way (an unread body keeps the connection from being reused); bytes need no decoding.
    let text = '';
    if (discardBody && response.ok) await response.arrayBuffer();
    else text = await response.text();
    return { status: response.status, headers: response.headers, body: text };
  };
}

/** A response's headers as a `Headers`, whichever form the transport gave. */
export function headersOf(headers: TransportResponse['headers']): Headers {
  if (headers instanceof Headers) return headers;
  const result = new Headers();
  for (const [name, value] of Object.entries(headers ?? {})) {
    for (const item of typeof value === 'string' ? [value] : Array.isArray(value) ? value : []) {
      try {
        result.append(name, item);
      } catch {
        // A name or value `Headers` refuses: left out rather than failing the error report.
      }
    }
  }
  return result;
}
