/**
 * A cheaper way to send one request than `fetch`, which a `fetch` function may carry under this key
 * (`createNodeFetch()` does). `requestJson` uses it when present: no `Response`, `Headers` or web stream is
 * built around the answer, and a discarded 2xx body is drained without being kept. On Node those objects
 * cost more CPU than the request itself.
 *
 * A registered symbol, so the key is the same when the main entry and `@chattrail/core/node` are bundled
 * apart or installed twice.
 */
export const RAW_REQUEST: unique symbol = Symbol.for('chattrail.rawRequest') as never;

export interface RawRequest {
  method: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string | undefined;
  signal: AbortSignal;
  /** A 2xx body is read to the end and thrown away (`text` is `''`). */
  discard: boolean;
}

export interface RawResponse {
  ok: boolean;
  status: number;
  /** Built on demand: only errors need them. */
  headers: () => Headers;
  text: string;
}

/** Rejects like `fetch`: with the signal's reason when aborted, otherwise with the connection's error. */
export type RawRequestFunction = (url: string, request: RawRequest) => Promise<RawResponse>;

/** The raw sender a `fetch` carries, if any. */
export function rawRequestOf(fetchImpl: typeof fetch | undefined): RawRequestFunction | undefined {
  const raw = (fetchImpl as { [RAW_REQUEST]?: unknown } | undefined)?.[RAW_REQUEST];
  return typeof raw === 'function' ? (raw as RawRequestFunction) : undefined;
}
