import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff';

describe('backoffDelayMs', () => {
  it('doubles the step per retry from 250 ms up to the 8 s cap', () => {
    const max = (retry: number) => backoffDelayMs(retry, { random: () => 0.999999 });
    expect([0, 1, 2, 3, 4, 5, 6, 10, 100, 5000].map(max)).toEqual([
      249, 499, 999, 1999, 3999, 7999, 7999, 7999, 7999, 7999,
    ]);
  });

  it('never goes below half the step (equal jitter)', () => {
    expect(backoffDelayMs(3, { random: () => 0 })).toBe(1000);
    expect(backoffDelayMs(0, { random: () => 0 })).toBe(125);
  });

  it('stays within [step / 2, step) over many random draws', () => {
    for (let retry = 0; retry < 12; retry++) {
      const step = Math.min(8000, 250 * 2 ** retry);
      for (let i = 0; i < 500; i++) {
        const delay = backoffDelayMs(retry);
        expect(delay).toBeGreaterThanOrEqual(step / 2);
        expect(delay).toBeLessThan(step);
      }
    }
  });

  it('spreads delays across the window', () => {
    const delays = Array.from({ length: 2000 }, () => backoffDelayMs(4));
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    // Uniform on [2000, 4000): the mean is 3000.
    expect(mean).toBeGreaterThan(2750);
    expect(mean).toBeLessThan(3250);
  });

  it('honours custom base and cap', () => {
    expect(backoffDelayMs(0, { baseMs: 10, capMs: 15, random: () => 0.5 })).toBe(7);
    expect(backoffDelayMs(5, { baseMs: 10, capMs: 15, random: () => 0.5 })).toBe(11);
  });
});
