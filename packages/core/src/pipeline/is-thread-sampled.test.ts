import { describe, expect, it } from 'vitest';
import { isThreadSampled } from './is-thread-sampled';

describe('isThreadSampled', () => {
  it('keeps everything at 1 and nothing at 0 or below', () => {
    expect(isThreadSampled('t', 1)).toBe(true);
    expect(isThreadSampled('t', 0)).toBe(false);
    expect(isThreadSampled('t', -1)).toBe(false);
    expect(isThreadSampled('t', Number.NaN)).toBe(false);
  });

  it('is deterministic per thread and close to the rate over many threads', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `thread-${i}`);
    for (const rate of [0.1, 0.5, 0.9]) {
      const kept = ids.filter((id) => isThreadSampled(id, rate));
      expect(kept.length / ids.length).toBeGreaterThan(rate - 0.02);
      expect(kept.length / ids.length).toBeLessThan(rate + 0.02);
      expect(ids.filter((id) => isThreadSampled(id, rate))).toEqual(kept);
    }
  });

  it('keeps at a higher rate every thread it keeps at a lower one', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `t${i}`);
    for (const id of ids) if (isThreadSampled(id, 0.2)) expect(isThreadSampled(id, 0.6)).toBe(true);
  });
});
