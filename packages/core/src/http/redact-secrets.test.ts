import { describe, expect, it } from 'vitest';
import { createSecretRedactor } from './redact-secrets';

const redactSecrets = (text: string, secrets: readonly string[]) => createSecretRedactor(secrets)(text);

// `+`, `/` and `=` make every encoding of the key differ from the key.
const KEY = 'mk_live_ab+cd/ef==';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

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
    expect(redactSecrets('axbxcxd', ['.b.c+'])).toBe('axbxcxd');
  });

  it('skips secrets too short to be meaningful', () => {
    expect(redactSecrets('abc', ['', 'a', 'ab'])).toBe('abc');
  });
});

describe('createSecretRedactor', () => {
  const redact = createSecretRedactor([KEY]);

  it.each([
    ['verbatim', KEY],
    ['JSON-escaped', 'mk_live_ab+cd\\/ef=='],
    ['\\u escapes (ASP.NET)', 'mk_live_ab\\u002Bcd\\u002fef\\u003D\\u003d'],
    [
      'every character \\u-escaped',
      [...KEY].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
    ],
    ['URL-encoded', encodeURIComponent(KEY)],
    ['URL-encoded, lower-case hex', encodeURIComponent(KEY).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())],
    ['form-encoded', new URLSearchParams({ k: KEY }).toString().slice(2)],
    ['HTML entities', 'mk_live_ab&#43;cd&#x2F;ef&#61;&#x3d;'],
    ['base64', b64(KEY)],
    ['base64url', b64(KEY).replace(/\+/g, '-').replace(/\//g, '_')],
  ])('redacts the key %s', (_form, echoed) => {
    expect(redact(`invalid key "${echoed}" given`)).toBe('invalid key "[redacted]" given');
  });

  it.each([
    ['user:key', 'user:'],
    [':key', ':'],
    ['a longer user name', 'someone@example.com:'],
  ])('redacts Basic credentials of %s', (_form, prefix) => {
    // The whole base64 word goes, not only the run that encodes the key alone.
    expect(redact(`Basic ${b64(prefix + KEY)}, realm="x"`)).toBe('Basic [redacted], realm="x"');
  });

  it('redacts a key with characters outside ASCII in its escaped and encoded forms', () => {
    const key = 'clé-€-😀-0123';
    const redactWide = createSecretRedactor([key]);
    for (const echoed of [
      key,
      JSON.stringify(key).slice(1, -1),
      JSON.stringify(key)
        .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
        .slice(1, -1),
      encodeURIComponent(key),
    ]) {
      expect(redactWide(`x ${echoed} y`)).toBe('x [redacted] y');
    }
  });

  it('leaves other text alone', () => {
    expect(redact('mk_live_ab cd ef and dGhpcyBpcyBmaW5l')).toBe('mk_live_ab cd ef and dGhpcyBpcyBmaW5l');
  });
});
