import { APIConnectionError, APIError } from '../errors';

/** 408, 425, 429 and 5xx; others fail the same way again (413 needs a smaller body, 409 means it exists). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** A retryable status, or no response at all; never a caller's abort (no status) or a non-HTTP error. */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof APIConnectionError) return true;
  return error instanceof APIError && error.status !== undefined && isRetryableStatus(error.status);
}
