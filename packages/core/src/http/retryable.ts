import { APIConnectionError, APIError, APIUserAbortError } from '../errors';

/**
 * Whether a response status is worth retrying: 408 (request timeout), 425 (too early), 429 (rate
 * limited) and every 5xx. Everything else is permanent: 400/401/402/403/404/422 will fail the same way
 * again, 413 needs a smaller body rather than a second try, and 409 on a create means the thing exists.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * Whether an error thrown by a client is transient: a retryable status, or no response at all
 * (connection failure or timeout). Aborts by the caller and non-HTTP errors are not.
 */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof APIUserAbortError) return false;
  if (error instanceof APIConnectionError) return true;
  return error instanceof APIError && error.status !== undefined && isRetryableStatus(error.status);
}
