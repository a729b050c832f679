import { describe, expect, it } from 'vitest';
import { misroutedHint } from './misrouted-hint.js';

const ROUTES = [
  'POST /api/v1/conversations',
  'GET /api/v1/conversations',
  'POST /api/v1/messages',
  'POST /api/v1/chat/completions',
  'PUT /api/external/threads',
  'POST /api/external/feedback',
];
const ORIGIN = 'http://127.0.0.1:4477';

describe('misroutedHint', () => {
  it('names the missing /api/v1 prefix and the variable to set', () => {
    const hint = misroutedHint('GET', '/conversations', ROUTES, ORIGIN);
    expect(hint?.backend).toBe('mielto');
    expect(hint?.message).toContain('No devserver route GET /conversations');
    expect(hint?.message).toContain('did you mean GET /api/v1/conversations?');
    expect(hint?.message).toContain('Set MIELTO_BASE_URL=http://127.0.0.1:4477/api/v1');
  });

  it('names the missing /api/external prefix for Melodi', () => {
    const hint = misroutedHint('PUT', '/threads', ROUTES, ORIGIN);
    expect(hint?.backend).toBe('melodi');
    expect(hint?.message).toContain('did you mean PUT /api/external/threads?');
    expect(hint?.message).toContain('Set MELODI_BASE_URL=http://127.0.0.1:4477/api/external');
  });

  it.each([
    ['POST', '/api/messages', 'POST /api/v1/messages'],
    ['POST', '/api/v1/api/v1/chat/completions', 'POST /api/v1/chat/completions'],
    ['PUT', '/api/v1/threads', 'PUT /api/external/threads'],
    ['POST', '/feedback', 'POST /api/external/feedback'],
  ])('hints %s %s → %s', (method, path, meant) => {
    expect(misroutedHint(method, path, ROUTES, ORIGIN)?.message).toContain(`did you mean ${meant}?`);
  });

  it('prefers the route of the same method', () => {
    expect(misroutedHint('POST', '/conversations', ROUTES, ORIGIN)?.message).toContain(
      'did you mean POST /api/v1/conversations?',
    );
  });

  it.each(['/', '/_devserver/threads', '/nothing', '/api/v1/conversations'])(
    'says nothing for %s',
    (path) => {
      expect(misroutedHint('GET', path, ROUTES, ORIGIN)).toBeUndefined();
    },
  );
});
