import { describe, expect, it } from 'vitest';
import { ResponseChains } from './response-chains';

describe('ResponseChains', () => {
  it('remembers chains, least recently used out first', () => {
    const chains = new ResponseChains(2);
    chains.set('resp:a', { threadId: 't1', nextPosition: 2 });
    chains.set('resp:b', { threadId: 't2', nextPosition: 4 });
    chains.get('resp:a');
    chains.set('resp:c', { threadId: 't3', nextPosition: 6 });
    expect(chains.get('resp:a')).toEqual({ threadId: 't1', nextPosition: 2 });
    expect(chains.get('resp:b')).toBeUndefined();
    expect(chains.get('resp:c')).toEqual({ threadId: 't3', nextPosition: 6 });
  });

  it("does not hold a client's huge conversation id (10,000 of them would hold gigabytes)", () => {
    const chains = new ResponseChains();
    const huge = `conv:${'x'.repeat(90 * 1024)}`;
    chains.set(huge, { threadId: 'short', nextPosition: 2 });
    expect(chains.get(huge)).toBeUndefined();
    chains.set('resp:r1', { threadId: 'x'.repeat(90 * 1024), nextPosition: 2 });
    expect(chains.get('resp:r1')).toBeUndefined();
  });
});
