import { describe, expect, it } from 'vitest';
import { toJsonSafe } from './to-json-safe';

/** The result must always survive a JSON round trip unchanged. */
function roundTrips(value: unknown): void {
  expect(JSON.parse(JSON.stringify(value))).toEqual(value);
}

describe('toJsonSafe', () => {
  it('keeps plain JSON data as it is', () => {
    const data = { a: 1, b: 'two', c: [true, null, { d: 1.5 }], e: {} };
    expect(toJsonSafe(data)).toEqual(data);
    expect(toJsonSafe('text')).toBe('text');
    expect(toJsonSafe(null)).toBe(null);
  });

  it('returns fresh objects, never the input', () => {
    const input = { nested: { a: 1 }, list: [1] };
    const output = toJsonSafe(input) as Record<string, unknown>;
    expect(output).not.toBe(input);
    expect(output.nested).not.toBe(input.nested);
    expect(output.list).not.toBe(input.list);
  });

  it('replaces circular references and keeps shared ones', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    const list: unknown[] = [1];
    list.push(list);
    const shared = { x: 1 };
    expect(toJsonSafe(a)).toEqual({ name: 'a', self: '[Circular]' });
    expect(toJsonSafe(list)).toEqual([1, '[Circular]']);
    expect(toJsonSafe({ left: shared, right: shared })).toEqual({ left: { x: 1 }, right: { x: 1 } });
  });

  it('converts BigInt, Date, non-finite numbers, RegExp and boxed primitives', () => {
    const result = toJsonSafe({
      big: 12345678901234567890n,
      date: new Date('2025-01-02T03:04:05.006Z'),
      invalidDate: new Date('nope'),
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      negInf: Number.NEGATIVE_INFINITY,
      re: /ab+c/gi,
      boxed: [new String('s'), new Number(2), new Boolean(false)],
    });
    expect(result).toEqual({
      big: '12345678901234567890',
      date: '2025-01-02T03:04:05.006Z',
      invalidDate: null,
      nan: 'NaN',
      inf: 'Infinity',
      negInf: '-Infinity',
      re: '/ab+c/gi',
      boxed: ['s', 2, false],
    });
    roundTrips(result);
  });

  it('drops functions, symbols and undefined like JSON.stringify', () => {
    const sym = Symbol('s');
    expect(toJsonSafe({ f() {}, s: sym, u: undefined, [sym]: 1, keep: 1 })).toEqual({ keep: 1 });
    expect(toJsonSafe([() => 1, sym, undefined, 2])).toEqual([null, null, null, 2]);
    expect(toJsonSafe(() => 1)).toBe(null);
    expect(toJsonSafe(undefined)).toBe(null);
  });

  it('converts Map, Set and Error', () => {
    const error = new TypeError('bad input');
    expect(
      toJsonSafe({
        map: new Map<unknown, unknown>([
          ['a', 1],
          [2, 'two'],
          [{ k: 1 }, 'object key'],
        ]),
        set: new Set([1, 'x']),
        error,
      }),
    ).toEqual({
      map: { a: 1, '2': 'two', '[Object]': 'object key' },
      set: [1, 'x'],
      error: { name: 'TypeError', message: 'bad input' },
    });
  });

  it('describes binary data instead of copying it', () => {
    expect(
      toJsonSafe({
        bytes: new Uint8Array(34 * 1024),
        buffer: Buffer.alloc(10),
        raw: new ArrayBuffer(2048),
        view: new DataView(new ArrayBuffer(4)),
        floats: new Float64Array(8),
        blob: new Blob(['hello']),
      }),
    ).toEqual({
      bytes: '[Uint8Array: 34 KB]',
      buffer: '[Uint8Array: 10 B]',
      raw: '[ArrayBuffer: 2 KB]',
      view: '[DataView: 4 B]',
      floats: '[Float64Array: 64 B]',
      blob: '[Blob: 5 B]',
    });
  });

  it('honours toJSON, and survives one that returns its own object or throws', () => {
    const self = {
      a: 1,
      toJSON() {
        return self;
      },
    };
    expect(toJsonSafe({ url: new URL('https://a.test/x?y=1') })).toEqual({ url: 'https://a.test/x?y=1' });
    expect(toJsonSafe({ custom: { toJSON: () => ({ v: 2n }) } })).toEqual({ custom: { v: '2' } });
    expect(toJsonSafe(self)).toEqual({ a: 1 });
    expect(
      toJsonSafe({
        bad: {
          toJSON() {
            throw new Error('no');
          },
        },
      }),
    ).toEqual({ bad: '[Unreadable]' });
  });

  describe('prototype pollution', () => {
    it('drops __proto__, constructor and prototype keys', () => {
      const hostile = JSON.parse(
        '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"ok":1}',
      );
      const result = toJsonSafe({ ...{ prototype: 1 }, nested: hostile }) as Record<string, any>;
      expect(result).toEqual({ nested: { ok: 1 } });
      expect(Object.keys(result.nested)).toEqual(['ok']);
      expect(Object.getPrototypeOf(result.nested)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('drops a __proto__ key coming from a Map', () => {
      const result = toJsonSafe(new Map([['__proto__', { polluted: true }]])) as Record<string, unknown>;
      expect(Object.keys(result)).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('is safe to deep-merge into another object afterwards', () => {
      const result = toJsonSafe(JSON.parse('{"a":{"__proto__":{"polluted":true}}}')) as Record<string, any>;
      const target: Record<string, any> = { a: {} };
      for (const [k, v] of Object.entries(result.a)) target.a[k] = v;
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  it('survives getters and proxies that throw', () => {
    const withGetter = {
      ok: 1,
      get boom(): number {
        throw new Error('getter');
      },
    };
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    expect(toJsonSafe({ withGetter, proxy })).toEqual({
      withGetter: { ok: 1, boom: '[Unreadable]' },
      proxy: '[Unreadable]',
    });
  });

  it('stops at the depth limit with a marker', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 100; i++) deep = { child: deep };
    let result = toJsonSafe(deep, { maxDepth: 3 }) as any;
    expect(result).toEqual({ child: { child: { child: '[Max depth]' } } });
    result = toJsonSafe(deep);
    let levels = 0;
    while (typeof result === 'object') {
      result = result.child;
      levels++;
    }
    expect(levels).toBe(20);
    expect(result).toBe('[Max depth]');
  });

  it('does not overflow the stack on a 100,000-level chain even with maxDepth Infinity', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { child: deep };
    expect(() => toJsonSafe(deep, { maxDepth: Number.POSITIVE_INFINITY, maxNodes: 1e9 })).not.toThrow();
  });

  it('limits keys per object and items per array with markers', () => {
    const wide = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]));
    expect(toJsonSafe(wide, { maxKeys: 3 })).toEqual({ k0: 0, k1: 1, k2: 2, '…': '[7 more keys]' });
    expect(toJsonSafe([1, 2, 3, 4, 5], { maxArrayLength: 2 })).toEqual([1, 2, '[3 more items]']);
  });

  it('never reads keys past the key limit', () => {
    let reads = 0;
    const counted = Object.defineProperties(
      {},
      Object.fromEntries(
        Array.from({ length: 100 }, (_, i) => [
          `k${i}`,
          {
            enumerable: true,
            get() {
              reads++;
              return i;
            },
          },
        ]),
      ),
    );
    toJsonSafe(counted, { maxKeys: 5 });
    expect(reads).toBeLessThanOrEqual(6);
  });

  it('bounds total work on huge inputs', () => {
    const row = Array.from({ length: 1000 }, (_, i) => i);
    const huge = Array.from({ length: 1000 }, () => ({ row }));
    const result = toJsonSafe(huge) as unknown[];
    expect(JSON.stringify(result).length).toBeLessThan(200_000);
    expect(JSON.stringify(result)).toContain('more items');
  });

  it('truncates long strings when asked', () => {
    const result = toJsonSafe({ text: 'x'.repeat(10_000) }, { maxStringBytes: 100 }) as { text: string };
    expect(Buffer.byteLength(result.text)).toBeLessThanOrEqual(100);
    expect(result.text).toMatch(/\[truncated \d+ bytes\]$/);
  });

  it('handles class instances through their own enumerable fields', () => {
    class Point {
      x = 1;
      y = 2;
      norm(): number {
        return Math.hypot(this.x, this.y);
      }
    }
    expect(toJsonSafe(new Point())).toEqual({ x: 1, y: 2 });
    expect(toJsonSafe(Object.assign(Object.create(null), { a: 1 }))).toEqual({ a: 1 });
  });

  it('describes promises and weak collections', () => {
    expect(toJsonSafe([Promise.resolve(1), new WeakMap(), new WeakSet()])).toEqual([
      '[Promise]',
      '[WeakMap]',
      '[WeakSet]',
    ]);
  });
});
