import { describe, expect, it } from 'vitest';
import { LruMap } from './lru-map';

describe('LruMap', () => {
  it('forgets the least recently used entry beyond maxEntries', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1).set('b', 2);
    expect(map.get('a')).toBe(1); // a is now the most recent
    map.set('c', 3);
    expect(map.get('b')).toBeUndefined();
    expect(map.get('a')).toBe(1);
    expect(map.get('c')).toBe(3);
    expect(map.size).toBe(2);
    expect(map.delete('a')).toBe(true);
    expect(map.size).toBe(1);
  });
});

describe('LruMap at scale', () => {
  it('stays exact about its bound and keeps the recently used through many evictions', () => {
    const evicted: string[] = [];
    const map = new LruMap<string, number>(1_000, (key) => evicted.push(key));
    for (let i = 0; i < 1_000; i++) map.set(`k${i}`, i);
    // k0 is used again and again while 50,000 new keys pass through.
    for (let i = 0; i < 50_000; i++) {
      expect(map.get('k0')).toBe(0);
      map.set(`n${i}`, i);
    }
    expect(map.size).toBe(1_000);
    expect(evicted).toHaveLength(50_000);
    expect(evicted).not.toContain('k0');
    // The newest keys are all there; peek does not count as a use.
    for (let i = 49_001; i < 50_000; i++) expect(map.peek(`n${i}`)).toBe(i);
  });

  it('skips what was deleted and evicts on request', () => {
    const map = new LruMap<string, number>(3);
    map.set('a', 1).set('b', 2).set('c', 3);
    map.delete('a');
    expect(map.evictOldest()).toEqual(['b', 2]);
    expect(map.size).toBe(1);
    expect(map.evictOldest()).toEqual(['c', 3]);
    expect(map.evictOldest()).toBeUndefined();
  });

  // Speed is a benchmark figure; this only guards the shape of the cost: a million evictions from a map of
  // 100,000 entries finish (quadratic behaviour would take minutes).
  it('evicts in O(1): a million evictions through 100,000 entries', () => {
    const map = new LruMap<number, number>(100_000);
    for (let i = 0; i < 1_100_000; i++) map.set(i, i);
    expect(map.size).toBe(100_000);
    expect(map.peek(1_099_999)).toBe(1_099_999);
    expect(map.peek(1_000_000)).toBe(1_000_000);
    expect(map.peek(999_999)).toBeUndefined();
  });
});
