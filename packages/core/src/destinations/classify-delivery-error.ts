import {
  APIError,
  APIUserAbortError,
  ChatTrailError,
  InvalidResponseError,
  PayloadTooLargeError,
} from '../errors';
import { isRetryableError } from '../http/retryable';
import type { DeliveryOutcome } from '../spec/chat-trail-destination';

/** Transient, aborted, garbled 2xx (an outage) → retry; 413 → too_large; other statuses → permanent. */
export function classifyDeliveryError(error: unknown, messages = 0): DeliveryOutcome {
  if (
    error instanceof APIUserAbortError ||
    error instanceof InvalidResponseError ||
    isRetryableError(error)
  ) {
    const retryAfterMs = error instanceof APIError ? error.retryAfterMs : undefined;
    return retryAfterMs === undefined ? { status: 'retry', error } : { status: 'retry', error, retryAfterMs };
  }
  const reason =
    error instanceof PayloadTooLargeError
      ? 'too_large'
      : error instanceof ChatTrailError
        ? 'permanent_error'
        : 'internal_error';
  return { status: 'dropped', reason, error, messages };
}
