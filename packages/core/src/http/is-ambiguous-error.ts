import { APIConnectionError, InvalidResponseError } from '../errors';

/** Failures before the request is written (any cause); any other cut may come after the server stored it. */
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

/** Whether the server may have processed a failed request: a broken 2xx, a timeout, a cut after sending. */
export function isAmbiguousError(error: unknown): boolean {
  if (error instanceof InvalidResponseError) return true;
  if (!(error instanceof APIConnectionError)) return false;
  return !neverSent(error.cause);
}

function neverSent(cause: unknown, depth = 0): boolean {
  if (depth > 5 || cause === null || typeof cause !== 'object') return false;
  const { code, errors } = cause as { code?: unknown; errors?: unknown };
  if (typeof code === 'string' && NEVER_SENT.has(code)) return true;
  if (Array.isArray(errors) && errors.some((inner) => neverSent(inner, depth + 1))) return true;
  return neverSent((cause as { cause?: unknown }).cause, depth + 1);
}
