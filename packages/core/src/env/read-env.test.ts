import { afterEach, describe, expect, it, vi } from 'vitest';
import { readEnv } from './read-env';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

describe('readEnv', () => {
  it('reads and trims a variable', () => {
    vi.stubEnv('CHATTRAIL_TEST_VAR', '  value ');
    expect(readEnv('CHATTRAIL_TEST_VAR')).toBe('value');
  });

  it('treats missing and blank values as unset', () => {
    vi.stubEnv('CHATTRAIL_TEST_BLANK', '   ');
    expect(readEnv('CHATTRAIL_TEST_BLANK')).toBeUndefined();
    expect(readEnv('CHATTRAIL_TEST_SURELY_MISSING')).toBeUndefined();
  });

  it('returns undefined where there is no process at all', () => {
    vi.stubGlobal('process', undefined);
    expect(readEnv('PATH')).toBeUndefined();
  });

  it('returns undefined when reading throws (Deno without --allow-env)', () => {
    vi.stubGlobal('process', undefined);
    vi.stubGlobal('Deno', {
      env: {
        get() {
          throw new Error('PermissionDenied');
        },
      },
    });
    expect(readEnv('PATH')).toBeUndefined();
  });
});
