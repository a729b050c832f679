import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff';

describe('backoffDelayMs', () => {
  it('doubles the ceiling per retry from 250 ms up to the 8 s cap', () => {
    const max = (retry: number) => backoffDelayMs(retry, { random: () => 0.999999 });
    expect([0, 1, 2, 3, 4, 5, 6, 10, 100, 5000].map(max)).toEqual([
      249, 499, 999, 1999, 3999, 7999, 7999, 7999, 7999, 7999,
    ]);
  });

  it('can be zero (full jitter)', () => {
    expect(backoffDelayMs(3, { random: () => 0 })).toBe(0);
  });

  it('stays within [0, min(cap, base × 2^retry)) over many random draws', () => {
    for (let retry = 0; retry < 12; retry++) {
      const ceiling = Math.min(8000, 250 * 2 ** retry);
      for (let i = 0; i < 500; i++) {
        const delay = backoffDelayMs(retry);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    }
  });

  it('spreads delays across the window', () => {
    const delays = Array.from({ length: 2000 }, () => backoffDelayMs(4));
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).toBeGreaterThan(1500);
    expect(mean).toBeLessThan(2500);
  });

  it('honours custom base and cap', () => {
    expect(backoffDelayMs(0, { baseMs: 10, capMs: 15, random: () => 0.5 })).toBe(5);
    expect(backoffDelayMs(5, { baseMs: 10, capMs: 15, random: () => 0.5 })).toBe(7);
  });
});
