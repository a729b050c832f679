import { describe, expect, it } from 'vitest';
import { HistoryCache, type RecordedHistory } from './history-cache';

const history = (bytes: number): RecordedHistory => ({ messages: [], reuse: [], bytes });

describe('HistoryCache', () => {
  it('forgets the least recently recorded threads beyond its thread bound', () => {
    const cache = new HistoryCache(2, 1_000);
    cache.set('a', history(1));
    cache.set('b', history(1));
    cache.set('a', history(1)); // recorded again: now the most recent
    cache.set('c', history(1));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.size).toBe(2);
  });

  it('stays within its byte bound and keeps no history larger than the bound', () => {
    const cache = new HistoryCache(100, 100);
    cache.set('a', history(40));
    cache.set('b', history(40));
    cache.set('c', history(40));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.bytes).toBe(80);
    cache.set('huge', history(101));
    expect(cache.get('huge')).toBeUndefined();
    // A thread whose history outgrew the bound is forgotten, not kept stale.
    cache.set('b', history(500));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.bytes).toBe(40);
  });
});
