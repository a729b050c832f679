import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createSecretRedactor } from './redact-secrets';
import { redactCause } from './request-json';

const KEY = 'mk_live_ab+cd/ef==';
const redact = createSecretRedactor([KEY]);

describe('redactCause', () => {
  it('keeps a cause that carries no secret as it is', () => {
    const cause = new TypeError('fetch failed', {
      cause: Object.assign(new Error('boom'), { code: 'ECONNRESET' }),
    });
    expect(redactCause(cause, redact)).toBe(cause);
  });

  it('copies a cause chain that carries the key, redacting it everywhere', () => {
    const inner = Object.assign(new Error(`invalid header "Bearer ${KEY}"`), {
      code: 'E_HEADER',
      value: KEY,
    });
    const aggregate = new AggregateError([inner], 'all attempts failed');
    const outer = new TypeError('fetch failed', { cause: aggregate });
    const copy = redactCause(outer, redact) as Error;
    expect(copy).not.toBe(outer);
    expect(copy.name).toBe('TypeError');
    expect(copy.message).toBe('fetch failed');
    const rendered = inspect(copy, { depth: Infinity, showHidden: true });
    expect(rendered).not.toContain(KEY);
    expect(rendered).toContain('Bearer [redacted]');
    expect(rendered).toContain('E_HEADER');
  });

  it('redacts a string cause', () => {
    expect(redactCause(`key ${KEY}`, redact)).toBe('key [redacted]');
  });
});
