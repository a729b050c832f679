import { type APIError, createAPIError, InvalidResponseError } from '../errors';
import type { HttpTransport } from './http-transport';
import { redactHeaders } from './redact-headers';
import { redactJson } from './redact-json';
import type { JsonRequest } from './request-json';
import { describe, type Where } from './request-where';
import { parseRetryAfter } from './retry-after';
import { headersOf, type TransportResponse } from './transport';

/**
 * The parsed 2xx body. One that is not JSON, or that `validate` finds wrong, rejects with
 * {@link InvalidResponseError}: never taken as success, and never as a permanent failure either.
 */
export function parseSuccess<T>(
  transport: HttpTransport,
  response: TransportResponse,
  where: Where,
  validate: JsonRequest['validate'],
): T {
  let body: unknown;
  if (response.body.trim() !== '') {
    try {
      body = JSON.parse(response.body);
    } catch {
      throw invalidResponse(transport, response, where, 'a body that is not JSON');
    }
  }
  const problem = validate?.(body);
  if (problem !== undefined) throw invalidResponse(transport, response, where, problem);
  return body as T;
}

function invalidResponse(
  transport: HttpTransport,
  response: TransportResponse,
  where: Where,
  problem: string,
): InvalidResponseError {
  // The body itself is left out: a success body is the caller's data, not an explanation.
  return new InvalidResponseError({
    ...where,
    status: response.status,
    headers: redactHeaders(headersOf(response.headers), transport.redact),
    message: `${describe(where)} returned ${response.status} with ${problem}`,
  });
}

export function errorFromResponse(
  transport: HttpTransport,
  response: TransportResponse,
  where: Where,
): APIError {
  const { redact } = transport;
  const text = response.body;
  // Redacted after parsing, string by string: JSON.parse turns an escaped echo of the key (`\u002B`, `\/`)
  // back into the key itself. The redactor knows those forms too, so the raw text of a body that is not
  // JSON (a proxy's HTML page, a plain-text error), kept as it is, is redacted the same way.
  let body: unknown;
  if (text.trim() !== '') {
    try {
      body = redactJson(JSON.parse(text), redact);
    } catch {
      body = redact(text);
    }
  }
  const headers = headersOf(response.headers);
  return createAPIError({
    ...where,
    status: response.status,
    headers: redactHeaders(headers, redact),
    body,
    retryAfterMs: parseRetryAfter(headers),
  });
}
