import { describe, expect, it } from 'vitest';
import { formatBytes } from './format-bytes';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1 KB'],
    [34 * 1024 + 100, '34 KB'],
    [1024 * 1024 - 1, '1.0 MB'],
    [1.2 * 1024 * 1024, '1.2 MB'],
    [3 * 1024 ** 3, '3.0 GB'],
    [-1, 'unknown size'],
    [Number.NaN, 'unknown size'],
  ])('formats %d as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
