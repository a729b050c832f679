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
 * Turns an error from a client call into the outcome of the items it was for:
 * - transient (network, timeout, 408/425/429/5xx) and aborts (the trail is shutting down) → `retry`, so
 *   the items go back to the queue; nothing is lost to an outage within the queue bounds;
 * - a 2xx whose body is not JSON or lacks what we need ({@link InvalidResponseError}) → `retry` too: a
 *   proxy or a bad deploy answering garbage is an outage, not a verdict on the items;
 * - 413 → `too_large` (callers split first; this is what is left when they cannot);
 * - any other status, and configuration errors → `permanent_error`: sending it again would fail the
 *   same way, and retrying forever would hold the queue hostage;
 * - anything else is a bug → `internal_error`.
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
