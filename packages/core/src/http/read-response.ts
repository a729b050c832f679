import { type APIError, createAPIError, InvalidResponseError } from '../errors';
import type { HttpTransport } from './http-transport';
import type { RawResponse } from './raw-request';
import { redactHeaders } from './redact-headers';
import { redactJson } from './redact-json';
import type { JsonRequest } from './request-json';
import { describe, type Where } from './request-where';
import { parseRetryAfter } from './retry-after';

/**
 * The parsed 2xx body. One that is not JSON, or that `validate` finds wrong, rejects with
 * {@link InvalidResponseError}: never taken as success, and never as a permanent failure either.
 */
export function parseSuccess<T>(
  transport: HttpTransport,
  response: RawResponse,
  where: Where,
  validate: JsonRequest['validate'],
): T {
  let body: unknown;
  if (response.text.trim() !== '') {
    try {
      body = JSON.parse(response.text);
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
  response: RawResponse,
  where: Where,
  problem: string,
): InvalidResponseError {
  // The body itself is left out: a success body is the caller's data, not an explanation.
  return new InvalidResponseError({
    ...where,
    status: response.status,
    headers: redactHeaders(response.headers(), transport.redact),
    message: `${describe(where)} returned ${response.status} with ${problem}`,
  });
}

export function errorFromResponse(transport: HttpTransport, response: RawResponse, where: Where): APIError {
  const { redact } = transport;
  const { text } = response;
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
  const headers = response.headers();
  return createAPIError({
    ...where,
    status: response.status,
    headers: redactHeaders(headers, redact),
    body,
    retryAfterMs: parseRetryAfter(headers),
  });
}
