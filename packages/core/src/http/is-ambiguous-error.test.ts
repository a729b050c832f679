import { describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  InternalServerError,
  InvalidResponseError,
} from '../errors';
import { isAmbiguousError } from './is-ambiguous-error';

const where = { backend: 'Mielto', method: 'POST', path: '/api/v1/messages' };
const socketError = (code: string) => Object.assign(new Error(code), { code });
const connectionError = (cause: unknown) => new APIConnectionError({ ...where, message: 'failed', cause });

describe('isAmbiguousError', () => {
  it('is true when the server may have processed the request', () => {
    expect(isAmbiguousError(new InvalidResponseError({ ...where, status: 201 }))).toBe(true);
    expect(isAmbiguousError(new APIConnectionTimeoutError({ ...where, message: 'timeout' }))).toBe(true);
    // undici: TypeError('fetch failed') with the socket's error as its cause.
    const reset = new TypeError('fetch failed', { cause: socketError('ECONNRESET') });
    expect(isAmbiguousError(connectionError(reset))).toBe(true);
    expect(
      isAmbiguousError(
        connectionError(new TypeError('fetch failed', { cause: socketError('UND_ERR_SOCKET') })),
      ),
    ).toBe(true);
    expect(isAmbiguousError(connectionError(undefined))).toBe(true);
  });

  it('is false when the request never left, or the server answered', () => {
    const refused = new TypeError('fetch failed', { cause: socketError('ECONNREFUSED') });
    expect(isAmbiguousError(connectionError(refused))).toBe(false);
    const dns = new TypeError('fetch failed', { cause: socketError('ENOTFOUND') });
    expect(isAmbiguousError(connectionError(dns))).toBe(false);
    // Happy eyeballs: every address refused, reported as an AggregateError.
    const all = new TypeError('fetch failed', {
      cause: Object.assign(new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')]), {
        code: undefined,
      }),
    });
    expect(isAmbiguousError(connectionError(all))).toBe(false);
    expect(isAmbiguousError(new InternalServerError({ ...where, status: 503 }))).toBe(false);
    expect(isAmbiguousError(new APIUserAbortError({ ...where, message: 'aborted' }))).toBe(false);
    expect(isAmbiguousError(new Error('boom'))).toBe(false);
  });
});
