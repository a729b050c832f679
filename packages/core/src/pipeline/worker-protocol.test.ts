import { describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  AuthenticationError,
  RateLimitError,
} from '../errors';
import { fromWireError, toWireError } from './worker-protocol';

// Structured cloning keeps no classes: errors cross from the worker as fields and are built again.
const roundTrip = (error: unknown) => fromWireError(structuredClone(toWireError(error)));

describe('wire errors', () => {
  it('rebuilds the client errors with their class and fields', () => {
    const init = { backend: 'Mielto', method: 'POST', path: '/api/v1/messages' };
    const refused = roundTrip(
      new APIConnectionError({
        ...init,
        code: 'ECONNREFUSED',
        host: '127.0.0.1:9',
        summary: 'connection refused 127.0.0.1:9',
      }),
    ) as APIConnectionError;
    expect(refused).toBeInstanceOf(APIConnectionError);
    expect(refused).toMatchObject({
      code: 'ECONNREFUSED',
      host: '127.0.0.1:9',
      summary: 'connection refused 127.0.0.1:9',
    });
    expect(roundTrip(new APIConnectionTimeoutError({ ...init, message: 'no response' }))).toBeInstanceOf(
      APIConnectionTimeoutError,
    );
    const headers = new Headers({ 'x-request-id': 'req-1' });
    const denied = roundTrip(
      new AuthenticationError({ ...init, status: 401, headers, body: { detail: 'bad key' } }),
    );
    expect(denied).toBeInstanceOf(AuthenticationError);
    expect(denied).toMatchObject({ status: 401, requestId: 'req-1', detail: 'bad key', backend: 'Mielto' });
    const limited = roundTrip(new RateLimitError({ ...init, status: 429, retryAfterMs: 1_000 }));
    expect(limited).toMatchObject({ status: 429, retryAfterMs: 1_000 });
    expect(limited).toBeInstanceOf(RateLimitError);
  });

  it('keeps the name and message of anything else, and nothing for nothing', () => {
    const error = roundTrip(new TypeError('send() did not resolve to an array of outcomes')) as Error;
    expect(error).toMatchObject({
      name: 'TypeError',
      message: 'send() did not resolve to an array of outcomes',
    });
    expect(roundTrip('a string')).toMatchObject({ message: 'a string' });
    expect(toWireError(undefined)).toBeUndefined();
  });
});
