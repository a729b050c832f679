import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './request-json';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const parse = (init: Record<string, string>) => parseRetryAfter(new Headers(init), NOW);

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parse({ 'retry-after': '120' })).toBe(120_000);
    expect(parse({ 'retry-after': '0' })).toBe(0);
    expect(parse({ 'retry-after': ' 1.5 ' })).toBe(1500);
  });

  it('reads an HTTP date relative to now', () => {
    expect(parse({ 'retry-after': 'Sun, 01 Jun 2025 12:00:30 GMT' })).toBe(30_000);
  });

  it('treats a date in the past as zero', () => {
    expect(parse({ 'retry-after': 'Sun, 01 Jun 2025 11:00:00 GMT' })).toBe(0);
  });

  it('prefers retry-after-ms', () => {
    expect(parse({ 'retry-after-ms': '250', 'retry-after': '10' })).toBe(250);
    expect(parse({ 'retry-after-ms': '12.5' })).toBe(12.5);
  });

  it('falls back to retry-after when retry-after-ms is malformed', () => {
    expect(parse({ 'retry-after-ms': 'soon', 'retry-after': '2' })).toBe(2000);
  });

  it('ignores missing, negative and malformed values', () => {
    expect(parse({})).toBeUndefined();
    expect(parse({ 'retry-after': '-5' })).toBeUndefined();
    expect(parse({ 'retry-after': 'soon' })).toBeUndefined();
    expect(parse({ 'retry-after': '' })).toBeUndefined();
    expect(parse({ 'retry-after': '1e3' })).toBeUndefined();
  });
});
