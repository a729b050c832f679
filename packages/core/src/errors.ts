import { quietly } from './internal/quietly';
import type { DropReason } from './spec/chat-trail';

// One class per HTTP status family, as in openai-node. None carries the API key: requests redact first.

/** Base class of every error thrown by `@chattrail/core`. */
export class ChatTrailError extends Error {
  override name = 'ChatTrailError';
}

/** One entry of a FastAPI 422 body: `{"detail":[{"loc":["body","content"],"msg":"...","type":"..."}]}`. */
export interface ValidationErrorItem {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** What an {@link APIError} is built from; `code`, `host` and `summary` are for connection errors. */
export interface APIErrorInit {
  backend: string;
  method: string;
  /** URL path (no origin, no query string). */
  path: string;
  status?: number;
  headers?: Headers;
  body?: unknown;
  retryAfterMs?: number;
  /** Replaces the generated explanation. */
  message?: string;
  cause?: unknown;
  code?: string;
  host?: string;
  summary?: string;
}

/** An HTTP request to Mielto or Melodi failed: an error status, or no response at all (subclasses). */
export class APIError extends ChatTrailError {
  override name = 'APIError';
  /** `'Mielto'` or `'Melodi'`. */
  readonly backend: string;
  readonly method: string;
  readonly path: string;
  /** HTTP status; `undefined` when no response arrived (connection, timeout, abort). */
  readonly status: number | undefined;
  readonly headers: Headers | undefined;
  /** The response body: parsed JSON, or text when it was not JSON. Secrets are scrubbed. */
  readonly body: unknown;
  /** The server's request id (`x-request-id` / `request-id`), for support tickets. */
  readonly requestId: string | undefined;
  /** `body.detail` as the server sent it (a string, or FastAPI's list of validation items). */
  readonly detail: unknown;
  /** `body.error_code`, e.g. Mielto's `CREDIT_LIMIT_EXCEEDED` on 402. */
  readonly errorCode: string | undefined;
  /** How long the server asked to wait (`Retry-After` / `retry-after-ms`), in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(init: APIErrorInit) {
    const body = asRecord(init.body);
    const errorCode = typeof body?.error_code === 'string' ? body.error_code : undefined;
    super(init.message ?? describeFailure(init, errorCode), causeOf(init));
    this.backend = init.backend;
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.headers = init.headers;
    this.body = init.body;
    this.requestId = init.headers?.get('x-request-id') ?? init.headers?.get('request-id') ?? undefined;
    this.detail = body?.detail;
    this.errorCode = errorCode;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** 400: the request was malformed. Not retried. */
export class BadRequestError extends APIError {
  override name = 'BadRequestError';
}

/** 401: the API key is missing, wrong or revoked. Not retried. */
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}

/** 402: the account is out of credit; `errorCode` says which limit (`CREDIT_LIMIT_EXCEEDED`, ...). */
export class PaymentRequiredError extends APIError {
  override name = 'PaymentRequiredError';
}

/** 403: the key may not do this (wrong workspace or project). Not retried. */
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError';
}

/** 404: the resource (e.g. a conversation id) does not exist. Not retried. */
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
}

/** 409: the request conflicts with the current state. Not retried: for a create it is not transient. */
export class ConflictError extends APIError {
  override name = 'ConflictError';
}

/** 413: the body is too large; split the batch and send the halves. Not retried as is. */
export class PayloadTooLargeError extends APIError {
  override name = 'PayloadTooLargeError';
}

/** 422: the body failed validation. `detail` is FastAPI's parsed list of `{ loc, msg, type }`. */
export class UnprocessableEntityError extends APIError {
  override name = 'UnprocessableEntityError';
  declare readonly detail: ValidationErrorItem[];

  constructor(init: APIErrorInit) {
    super(init);
    const raw: unknown = this.detail;
    (this as { detail: unknown }).detail = Array.isArray(raw) ? raw.filter(isValidationErrorItem) : [];
  }
}

/** 429: too many requests; `retryAfterMs` says when to come back, if the server said so. */
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
}

/** 500 and above: the backend failed. Retried with backoff. */
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}

/** No response arrived: DNS, refused or reset connection, TLS failure. Retried with backoff. */
export class APIConnectionError extends APIError {
  override name = 'APIConnectionError';
  /** The system or transport code (`ENOTFOUND`, `ECONNREFUSED`, ...), if any. */
  readonly code: string | undefined;
  /** `host:port` the request went to (never with credentials). */
  readonly host: string | undefined;
  /** The failure in a few words, e.g. `cannot resolve host api.example`. */
  readonly summary: string;

  constructor(init: APIErrorInit) {
    super(init);
    this.code = init.code;
    this.host = init.host;
    this.summary = init.summary ?? this.message;
  }
}

/** No response within `timeoutMs`. Retried with backoff. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = 'APIConnectionTimeoutError';
}

/** A 2xx whose body is not JSON or lacks what the caller needs. Not resent: the request was processed. */
export class InvalidResponseError extends APIError {
  override name = 'InvalidResponseError';
}

/** The caller's `AbortSignal` fired. Never retried. */
export class APIUserAbortError extends APIError {
  override name = 'APIUserAbortError';
}

/** What {@link ChatTrailConnectionError} says about the failure. */
export interface ChatTrailConnectionErrorInit {
  /** The destination's name. */
  destination: string;
  /** The system or transport code (`ENOTFOUND`, `ECONNREFUSED`, ...), when there is one. */
  code?: string;
  /** `host:port` the destination could not reach. */
  host?: string;
  /** The client's `APIConnectionError`. */
  cause?: unknown;
}

/**
 * `onError`'s news that a destination cannot reach its backend (`mielto: cannot resolve host api.example`):
 * once per destination and cause, at the first failed attempt. Nothing is dropped; the turns are retried.
 */
export class ChatTrailConnectionError extends ChatTrailError {
  override name = 'ChatTrailConnectionError';
  readonly destination: string;
  readonly code: string | undefined;
  readonly host: string | undefined;

  constructor(message: string, init: ChatTrailConnectionErrorInit) {
    super(message, causeOf(init));
    this.destination = init.destination;
    this.code = init.code;
    this.host = init.host;
  }
}

/** What {@link ChatTrailDeliveryError} says about the failure. */
export interface ChatTrailDeliveryErrorInit {
  reason: DropReason;
  /** The destination's name, when the failure belongs to one. */
  destination?: string;
  /** The HTTP status the backend answered, when there was one. */
  status?: number;
  /** How many turns (or feedback items) this first report covers. */
  count: number;
  cause?: unknown;
}

/** What `onError` receives when the trail gives up on turns; the message holds the server's explanation. */
export class ChatTrailDeliveryError extends ChatTrailError {
  override name = 'ChatTrailDeliveryError';
  readonly reason: DropReason;
  readonly destination: string | undefined;
  readonly status: number | undefined;
  readonly count: number;

  constructor(message: string, init: ChatTrailDeliveryErrorInit) {
    super(message, causeOf(init));
    this.reason = init.reason;
    this.destination = init.destination;
    this.status = init.status;
    this.count = init.count;
  }
}

/** No `cause` key when there is none: `{ cause: undefined }` would still set one. */
function causeOf(init: { cause?: unknown }): ErrorOptions {
  return init.cause === undefined ? {} : { cause: init.cause };
}

/** The {@link APIError} subclass that matches `init.status`. */
export function createAPIError(init: APIErrorInit & { status: number }): APIError {
  const { status } = init;
  if (status === 400) return new BadRequestError(init);
  if (status === 401) return new AuthenticationError(init);
  if (status === 402) return new PaymentRequiredError(init);
  if (status === 403) return new PermissionDeniedError(init);
  if (status === 404) return new NotFoundError(init);
  if (status === 409) return new ConflictError(init);
  if (status === 413) return new PayloadTooLargeError(init);
  if (status === 422) return new UnprocessableEntityError(init);
  if (status === 429) return new RateLimitError(init);
  if (status >= 500) return new InternalServerError(init);
  return new APIError(init);
}

const MAX_DETAIL_CHARS = 500;

function describeFailure(init: APIErrorInit, errorCode: string | undefined): string {
  const where = `${init.backend} ${init.method} ${init.path}`;
  const status = init.status === undefined ? 'failed' : `failed with ${init.status}`;
  const code = errorCode === undefined ? '' : ` ${errorCode}`;
  const detail = describeBody(init.body);
  return `${where} ${status}${code}${detail === undefined ? '' : `: ${detail}`}`;
}

function describeBody(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() === '' ? undefined : clip(body);
  const record = asRecord(body);
  if (record === undefined) return undefined;
  const detail = record.detail;
  if (Array.isArray(detail)) {
    const items = detail.filter(isValidationErrorItem).map((item) => `${item.loc.join('.')}: ${item.msg}`);
    return items.length > 0 ? clip(items.join('; ')) : clip(safeStringify(detail));
  }
  if (typeof detail === 'string') return clip(detail);
  const message = [record.message, record.error, asRecord(record.error)?.message].find(
    (value): value is string => typeof value === 'string' && value.trim() !== '',
  );
  const issues = describeIssues(record.issues ?? record.errors);
  if (message !== undefined) return clip(issues === undefined ? message : `${message}: ${issues}`);
  if (issues !== undefined) return clip(issues);
  return detail === undefined ? undefined : clip(safeStringify(detail));
}

/** Zod-style `issues` / `errors` lists of `{ path, message }`, as Melodi sends. */
function describeIssues(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  const items = value.flatMap((entry) => {
    const issue = asRecord(entry);
    if (issue === undefined || typeof issue.message !== 'string') return [];
    const { path } = issue;
    const where = Array.isArray(path) ? path.join('.') : typeof path === 'string' ? path : '';
    return [where === '' ? issue.message : `${where}: ${issue.message}`];
  });
  return items.length > 0 ? items.join('; ') : undefined;
}

function isValidationErrorItem(value: unknown): value is ValidationErrorItem {
  const item = asRecord(value);
  return item !== undefined && Array.isArray(item.loc) && typeof item.msg === 'string';
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function safeStringify(value: unknown): string {
  return quietly(() => JSON.stringify(value)) ?? String(value);
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= MAX_DETAIL_CHARS ? oneLine : `${oneLine.slice(0, MAX_DETAIL_CHARS - 1)}…`;
}
