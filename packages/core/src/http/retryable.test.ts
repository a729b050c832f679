import { describe, expect, it } from 'vitest';
import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError, createAPIError } from '../errors';
import { isRetryableError, isRetryableStatus } from './retryable';

const where = { backend: 'Mielto', method: 'POST', path: '/api/v1/messages' };

describe('isRetryableStatus', () => {
  it.each([408, 425, 429, 500, 502, 503, 504, 599])('retries %i', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });

  it.each([200, 400, 401, 402, 403, 404, 409, 413, 422])('does not retry %i', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });
});

describe('isRetryableError', () => {
  it('retries connection failures and timeouts', () => {
    expect(isRetryableError(new APIConnectionError({ ...where, message: 'x' }))).toBe(true);
    expect(isRetryableError(new APIConnectionTimeoutError({ ...where, message: 'x' }))).toBe(true);
  });

  it('follows the status of HTTP errors', () => {
    expect(isRetryableError(createAPIError({ ...where, status: 503 }))).toBe(true);
    expect(isRetryableError(createAPIError({ ...where, status: 401 }))).toBe(false);
  });

  it('never retries aborts or foreign errors', () => {
    expect(isRetryableError(new APIUserAbortError({ ...where, message: 'x' }))).toBe(false);
    expect(isRetryableError(new Error('x'))).toBe(false);
    expect(isRetryableError('x')).toBe(false);
  });
});
