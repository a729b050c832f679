import { describe, expect, it } from 'vitest';
import { HashedIdSet } from './hashed-id-set';

describe('HashedIdSet', () => {
  it('holds what was added, through growth, and nothing else', () => {
    const set = new HashedIdSet();
    for (let i = 0; i < 50_000; i++) set.add(`thread-${i}`);
    set.add('thread-7'); // again: counted once
    expect(set.size).toBe(50_000);
    for (let i = 0; i < 50_000; i++) expect(set.has(`thread-${i}`)).toBe(true);
    for (let i = 50_000; i < 100_000; i++) expect(set.has(`thread-${i}`)).toBe(false);
    expect(set.has('')).toBe(false);
    set.add('');
    expect(set.has('')).toBe(true);
  });

  it('tells apart ids that differ in one character, case or non-ASCII text', () => {
    const set = new HashedIdSet();
    set.add('6672a1b0-0001');
    set.add('Chat-é');
    expect(set.has('6672a1b0-0002')).toBe(false);
    expect(set.has('chat-é')).toBe(false);
    expect(set.has('Chat-e')).toBe(false);
    expect(set.has('Chat-é')).toBe(true);
  });
});
