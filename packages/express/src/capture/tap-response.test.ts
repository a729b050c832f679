import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { type ResponseObserver, tapResponse } from './tap-response';

function fakeResponse() {
  const calls: string[] = [];
  const res = {
    write(chunk: unknown) {
      calls.push(`write:${String(chunk)}`);
      return chunk !== 'full';
    },
    end(this: { write(c: unknown): boolean }, chunk?: unknown) {
      // Some layers implement end() with this.write(): that must not be observed twice.
      if (typeof chunk === 'string') this.write(chunk);
      calls.push('end');
      return this;
    },
    writeHead() {
      calls.push('writeHead');
      return this;
    },
  };
  return { res, calls };
}

describe('tapResponse', () => {
  it('calls the originals first, returns exactly what they return, and observes each chunk once', () => {
    const { res, calls } = fakeResponse();
    const seen: string[] = [];
    const observer: ResponseObserver = {
      writeHead: () => seen.push('head'),
      chunk: (chunk) => seen.push(`chunk:${String(chunk)}`),
      json: () => seen.push('json'),
      fail: (error) => {
        throw error;
      },
    };
    tapResponse(res as unknown as ServerResponse, observer);
    const r = res as unknown as ServerResponse;
    r.writeHead(200);
    expect(r.write('a')).toBe(true);
    expect(r.write('full')).toBe(false); // the backpressure signal passes through unchanged
    expect(r.end('z')).toBe(res);
    expect(calls).toEqual(['writeHead', 'write:a', 'write:full', 'write:z', 'end']);
    expect(seen).toEqual(['head', 'chunk:a', 'chunk:full', 'chunk:z']);
  });

  it('reports an observer failure and still writes', () => {
    const { res, calls } = fakeResponse();
    const failures: unknown[] = [];
    tapResponse(res as unknown as ServerResponse, {
      writeHead: () => {},
      chunk: () => {
        throw new Error('boom');
      },
      json: () => {},
      fail: (error) => failures.push(error),
    });
    expect((res as unknown as ServerResponse).write('a')).toBe(true);
    expect(calls).toEqual(['write:a']);
    expect(failures).toHaveLength(1);
  });
});
