import { describe, expect, it } from 'vitest';
import { createSecretRedactor } from './redact-secrets';
import { redactJson } from './request-json';

const KEY = 'mk_live_ab+cd/ef==';
const redact = createSecretRedactor([KEY]);

describe('redactJson', () => {
  it('redacts every string at any depth, object keys included, in a copy', () => {
    const body = JSON.parse(
      `{"detail":"invalid key mk_live_ab\\u002Bcd\\/ef==","${KEY}":[1,true,null,{"deep":["${KEY}"]}]}`,
    );
    expect(redactJson(body, redact)).toEqual({
      detail: 'invalid key [redacted]',
      '[redacted]': [1, true, null, { deep: ['[redacted]'] }],
    });
    expect(body.detail).toContain(KEY);
  });

  it('keeps a __proto__ key a key', () => {
    const redacted = redactJson(JSON.parse(`{"__proto__":{"polluted":"${KEY}"}}`), redact) as object;
    expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(redacted, '__proto__')?.value).toEqual({ polluted: '[redacted]' });
  });
});
