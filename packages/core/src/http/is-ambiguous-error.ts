import { APIConnectionError, InvalidResponseError } from '../errors';

/**
 * Codes of failures that happen before a request is written: the server cannot have seen it. Anything
 * else that cuts a connection (a reset, "other side closed", a timeout) may come after the server
 * stored the request.
 */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/**
 * Whether a failed request may have been processed by the server all the same, so that sending it again
 * could apply it twice: a 2xx with a broken body ({@link InvalidResponseError}: it was processed), a
 * timeout, or a connection that died without a known "never sent" cause (DNS failure, refused connection,
 * certificate error). Neither Mielto nor Melodi takes an idempotency key, so a POST that fails this way
 * is either retried (at-least-once, duplicates possible) or not (at-most-once, loss possible).
 */
export function isAmbiguousError(error: unknown): boolean {
  if (error instanceof InvalidResponseError) return true;
  if (!(error instanceof APIConnectionError)) return false;
  return !causeCodes(error.cause).some((code) => NEVER_SENT.has(code));
}

/** The `code`s along a cause chain (undici nests the socket's error; DNS may report an AggregateError). */
function causeCodes(cause: unknown, depth = 0): string[] {
  if (depth > 5 || cause === null || typeof cause !== 'object') return [];
  const codes: string[] = [];
  const { code, errors } = cause as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') codes.push(code);
  if (Array.isArray(errors)) for (const inner of errors) codes.push(...causeCodes(inner, depth + 1));
  codes.push(...causeCodes((cause as { cause?: unknown }).cause, depth + 1));
  return codes;
}
