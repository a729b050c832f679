import { describe, expect, it } from 'vitest';
import { describeConnectionFailure } from './describe-connection-failure';

const target = { hostname: 'api.example', hostPort: 'api.example:443' };
const systemError = (code: string, message = code) => Object.assign(new Error(message), { code });
const undici = (cause: unknown) => new TypeError('fetch failed', { cause });

describe('describeConnectionFailure', () => {
  it.each([
    [undici(systemError('ENOTFOUND')), 'ENOTFOUND', 'cannot resolve host api.example'],
    [systemError('EAI_AGAIN'), 'EAI_AGAIN', 'cannot resolve host api.example'],
    [undici(systemError('ECONNREFUSED')), 'ECONNREFUSED', 'connection refused api.example:443'],
    // undici with several addresses: an AggregateError of one error per address.
    [
      undici(Object.assign(new AggregateError([systemError('ECONNREFUSED')]), { code: 'ECONNREFUSED' })),
      'ECONNREFUSED',
      'connection refused api.example:443',
    ],
    [
      undici(systemError('UND_ERR_SOCKET', 'other side closed')),
      'UND_ERR_SOCKET',
      'connection to api.example:443 closed before the response',
    ],
    [
      systemError('ECONNRESET', 'socket hang up'),
      'ECONNRESET',
      'connection to api.example:443 closed before the response',
    ],
    [
      undici(systemError('UND_ERR_CONNECT_TIMEOUT')),
      'UND_ERR_CONNECT_TIMEOUT',
      'cannot connect to api.example:443: connecting timed out',
    ],
    [systemError('ENETUNREACH'), 'ENETUNREACH', 'api.example:443 is unreachable'],
    [
      undici(systemError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate')),
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'TLS with api.example:443 failed: self-signed certificate',
    ],
    [
      undici(new Error('bad port')),
      undefined,
      'connection error with api.example:443: fetch failed (bad port)',
    ],
    ['not even an error', undefined, 'connection error with api.example:443: not even an error'],
  ])('%s', (error, code, summary) => {
    expect(describeConnectionFailure(error, target)).toEqual({ code, summary });
  });

  it('names an IPv6 host without brackets', () => {
    const failure = describeConnectionFailure(systemError('ENOTFOUND'), {
      hostname: '[::1]',
      hostPort: '[::1]:80',
    });
    expect(failure.summary).toBe('cannot resolve host ::1');
  });
});
