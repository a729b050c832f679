import { describe, expect, it } from 'vitest';
import type { Turn } from '../spec/turn';
import { maskApiKeys } from './mask-api-keys';
import { maskCardNumbers, passesLuhn } from './mask-card-numbers';
import { maskEmails } from './mask-emails';
import { maskPhoneNumbers } from './mask-phone-numbers';
import { redactText } from './redact-text';

describe('maskers', () => {
  it('maskEmails', () => {
    expect(maskEmails('write to ada.lovelace+ai@example.co.uk today')).toBe('write to [email] today');
    expect(maskEmails('no address @ here')).toBe('no address @ here');
  });

  it('maskCardNumbers masks Luhn-valid numbers only', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
    expect(maskCardNumbers('card 4111 1111 1111 1111 and 5500-0000-0000-0004.')).toBe(
      'card [card] and [card].',
    );
    expect(maskCardNumbers('order 4111111111111112')).toBe('order 4111111111111112');
    expect(maskCardNumbers('id abc4111111111111111')).toBe('id abc4111111111111111');
  });

  it('maskPhoneNumbers masks phone-shaped numbers and leaves dates and small numbers', () => {
    for (const phone of [
      '+44 20 7946 0958',
      '(555) 123-4567',
      '555.123.4567',
      '+15551234567',
      '5551234567',
    ]) {
      expect(maskPhoneNumbers(`call ${phone} now`)).toBe('call [phone] now');
    }
    for (const text of ['on 2024-01-15', 'on 15.01.2024', 'version 1.2.3', 'it costs 1234', 'order 123456']) {
      expect(maskPhoneNumbers(text)).toBe(text);
    }
  });

  it('maskApiKeys masks credentials and leaves ids', () => {
    const cases = [
      'sk-proj-AbCdEf0123456789XyZ',
      'sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345',
      'sk_live_abcdefghijklmnop1234',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'xoxb-1234567890-abcdefghij',
      'AKIAIOSFODNN7EXAMPLE',
      'AIzaSyA-abcdefghijklmnopqrstuvwxyz01234',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      '0123456789abcdef0123456789abcdef',
      'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCd',
    ];
    for (const secret of cases) expect(maskApiKeys(`key: ${secret} end`)).toBe('key: [secret] end');
    expect(maskApiKeys('Authorization: Bearer abc.def-ghi_123')).toBe('Authorization: Bearer [secret]');
    for (const text of [
      'id 550e8400-e29b-41d4-a716-446655440000',
      'conv_01234567890abcdef',
      'a normal sentence',
    ]) {
      expect(maskApiKeys(text)).toBe(text);
    }
  });
});

describe('redactText', () => {
  const turn = (): Turn => ({
    id: 't',
    threadId: 'thread',
    user: { id: 'u', email: 'user@example.com' },
    messages: [
      { id: 'm1', role: 'user', content: 'I am ada@example.com', metadata: { note: 'call 555-123-4567' } },
      {
        id: 'm2',
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'c', name: 'email', args: { to: ['bob@example.com'], n: 1 } }],
      },
      {
        id: 'm3',
        role: 'tool',
        content: '',
        toolResult: { toolCallId: 'c', output: { sent: 'bob@example.com' } },
      },
    ],
    startedAt: '',
    endedAt: '',
    status: 'error',
    // A made-up key, assembled so secret scanners do not flag the fixture.
    error: { name: 'Error', message: `bad key ${'sk-'}abcdefghijklmnop1234` },
    metadata: { requester: 'ops@example.com' },
    source: 'manual',
  });

  it('masks every text of a turn with all built-in maskers by default, leaving ids and the user', () => {
    const redacted = redactText()(turn());
    expect(redacted.messages[0]).toEqual({
      id: 'm1',
      role: 'user',
      content: 'I am [email]',
      metadata: { note: 'call [phone]' },
    });
    expect(redacted.messages[1]!.toolCalls![0]!.args).toEqual({ to: ['[email]'], n: 1 });
    expect(redacted.messages[2]!.toolResult!.output).toEqual({ sent: '[email]' });
    expect(redacted.error!.message).toBe('bad key [secret]');
    expect(redacted.metadata).toEqual({ requester: '[email]' });
    expect(redacted.user).toEqual({ id: 'u', email: 'user@example.com' });
  });

  it('runs only the maskers it is given, custom ones included', () => {
    const redacted = redactText(maskEmails, (text) => text.replaceAll('am', 'AM'))(turn());
    expect(redacted.messages[0]!.content).toBe('I AM [email]');
    expect(redacted.messages[0]!.metadata).toEqual({ note: 'call 555-123-4567' });
  });
});
