import { describe, expect, it } from 'vitest';
import { InMemoryConversationStore } from './conversation-store';

describe('InMemoryConversationStore', () => {
  it('remembers thread → conversation ids, bounded', () => {
    const store = new InMemoryConversationStore({ maxEntries: 2 });
    store.set('t1', 'conv_1');
    store.set('t2', 'conv_2');
    store.set('t3', 'conv_3');
    expect(store.get('t1')).toBeUndefined();
    expect(store.get('t3')).toBe('conv_3');
    expect(store.size).toBe(2);
  });
});
