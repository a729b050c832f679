import { afterEach, describe, expect, it } from 'vitest';
import { findWaitUntil } from './find-wait-until';

const KEY = Symbol.for('@vercel/request-context');
const registry = globalThis as Record<symbol, unknown>;

afterEach(() => {
  delete registry[KEY];
});

describe('findWaitUntil', () => {
  it('is undefined off Vercel, and when the context has none or throws', () => {
    expect(findWaitUntil()).toBeUndefined();
    registry[KEY] = { get: () => ({}) };
    expect(findWaitUntil()).toBeUndefined();
    registry[KEY] = {
      get: () => {
        throw new Error('outside a request');
      },
    };
    expect(findWaitUntil()).toBeUndefined();
  });

  it("calls the request context's waitUntil as a method", () => {
    const received: unknown[] = [];
    const context = {
      waitUntil(this: unknown, promise: Promise<unknown>) {
        received.push(this, promise);
      },
    };
    registry[KEY] = { get: () => context };
    const promise = Promise.resolve();
    findWaitUntil()!(promise);
    expect(received).toEqual([context, promise]);
  });
});
