import { describe, expect, it } from 'vitest';
import { InvalidResponseError, NotFoundError } from '../errors';
import { classifyDeliveryError } from './classify-delivery-error';

const where = { backend: 'Mielto', method: 'POST', path: '/api/v1/conversations' };

describe('classifyDeliveryError', () => {
  it('retries a 2xx with a broken body: never success, never permanent at once', () => {
    const error = new InvalidResponseError({ ...where, status: 201, message: 'no conversation id' });
    expect(classifyDeliveryError(error)).toEqual({ status: 'retry', error });
  });

  it('still drops a 404 as permanent', () => {
    const error = new NotFoundError({ ...where, status: 404 });
    expect(classifyDeliveryError(error, 2)).toEqual({
      status: 'dropped',
      reason: 'permanent_error',
      error,
      messages: 2,
    });
  });
});
