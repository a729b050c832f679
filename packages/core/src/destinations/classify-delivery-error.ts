import {
  APIError,
  APIUserAbortError,
  ChatTrailError,
  InvalidResponseError,
  PayloadTooLargeError,
} from '../errors';
import { isRetryableError } from '../http/retryable';
import type { DeliveryOutcome } from '../spec/chat-trail-destination';

/**
 * The outcome of a failed client call: transient errors, aborts and a garbled 2xx (an outage, not a
 * verdict on the items) → `retry`; 413 → `too_large`; other statuses and configuration errors (they would
 * fail the same way again) → `permanent_error`; anything else is a bug → `internal_error`.
 */
export function classifyDeliveryError(error: unknown, messages = 0): DeliveryOutcome {
  if (
    error instanceof APIUserAbortError ||
    error instanceof InvalidResponseError ||
    isRetryableError(error)
  ) {
    const retryAfterMs = error instanceof APIError ? error.retryAfterMs : undefined;
    return retryAfterMs === undefined ? { status: 'retry', error } : { status: 'retry', error, retryAfterMs };
  }
  if (error instanceof PayloadTooLargeError)
    return { status: 'dropped', reason: 'too_large', error, messages };
  if (error instanceof ChatTrailError)
    return { status: 'dropped', reason: 'permanent_error', error, messages };
  return { status: 'dropped', reason: 'internal_error', error, messages };
}
