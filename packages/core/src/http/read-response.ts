import { type APIError, createAPIError, InvalidResponseError } from '../errors';
import type { HttpTransport } from './http-transport';
import { redactJson } from './redact-json';
import type { SecretRedactor } from './redact-secrets';
import type { JsonRequest } from './request-json';
import { describe, type Where } from './request-where';
import { parseRetryAfter } from './retry-after';
import { headersOf, type TransportResponse } from './transport';

/** The parsed 2xx body; not JSON or failing `validate`, it rejects with {@link InvalidResponseError}. */
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
  // The body is left out: a success body is the caller's data, not an explanation.
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

/** A header whose name carries a secret is left out: `[redacted]` is no valid header name. */
function redactHeaders(headers: Headers, redact: SecretRedactor): Headers {
  const redacted = new Headers();
  headers.forEach((value, name) => {
    if (redact(name) === name) redacted.append(name, redact(value));
  });
  return redacted;
}
