import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact-secrets';

describe('redactSecrets', () => {
  it('replaces every occurrence of every secret', () => {
    expect(redactSecrets('key sk-abc and sk-abc and pk-1234', ['sk-abc', 'pk-1234'])).toBe(
      'key [redacted] and [redacted] and [redacted]',
    );
  });

  it('leaves text without secrets alone', () => {
    expect(redactSecrets('nothing here', ['sk-abc'])).toBe('nothing here');
  });

  it('treats secrets literally, not as patterns', () => {
    expect(redactSecrets('a.b.c+d', ['.b.c+'])).toBe('a[redacted]d');
  });

  it('skips secrets too short to be meaningful', () => {
    expect(redactSecrets('abc', ['', 'a', 'ab'])).toBe('abc');
  });
});
