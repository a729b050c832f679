import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  type APIErrorInit,
  APIUserAbortError,
  createAPIError,
  InvalidResponseError,
} from '../errors';
import { messageOf } from '../internal/message-of';

/**
 * An error crossing from the delivery worker: cloning keeps no classes, so client errors cross as their
 * fields and are built again (the trail reports the same classes, `status` and `summary` either way).
 */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly api?: APIErrorInit & { requestId?: string | undefined };
}

export function toWireError(error: unknown): WireError | undefined {
  if (error === undefined) return undefined;
  const message = messageOf(error);
  if (!(error instanceof APIError)) return { name: error instanceof Error ? error.name : 'Error', message };
  const connection = error instanceof APIConnectionError ? error : undefined;
  return {
    name: error.name,
    message,
    api: {
      backend: error.backend,
      method: error.method,
      path: error.path,
      status: error.status,
      body: jsonOrUndefined(error.body),
      retryAfterMs: error.retryAfterMs,
      requestId: error.requestId,
      code: connection?.code,
      host: connection?.host,
      summary: connection?.summary,
    },
  };
}

export function fromWireError(wire: WireError | undefined): unknown {
  if (wire === undefined) return undefined;
  const api = wire.api;
  if (api === undefined) return Object.assign(new Error(wire.message), { name: wire.name });
  const { requestId, ...rest } = api;
  const init: APIErrorInit = { ...rest, message: wire.message };
  if (requestId !== undefined) init.headers = new Headers({ 'x-request-id': requestId });
  if (wire.name === 'APIConnectionTimeoutError') return new APIConnectionTimeoutError(init);
  if (wire.name === 'APIConnectionError') return new APIConnectionError(init);
  if (wire.name === 'InvalidResponseError') return new InvalidResponseError(init);
  if (wire.name === 'APIUserAbortError') return new APIUserAbortError(init);
  return api.status === undefined ? new APIError(init) : createAPIError({ ...init, status: api.status });
}

/** A body that clones: what the client parsed from JSON, or text. */
function jsonOrUndefined(body: unknown): unknown {
  try {
    return body === undefined ? undefined : JSON.parse(JSON.stringify(body));
  } catch {
    return undefined;
  }
}
