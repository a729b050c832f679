import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

// The built package as an app loads it: plain Node, no vitest resolution in between.
describe('the built package', () => {
  it.each([
    ['require', "const m = require('@chattrail/langchain'); console.log(Object.keys(m).sort().join())"],
    ['import', "import('@chattrail/langchain').then((m) => console.log(Object.keys(m).sort().join()))"],
  ])('loads with %s and exports the handler and registerChatTrail', (_kind, script) => {
    const out = execFileSync(process.execPath, ['-e', script], { cwd: packageDir, encoding: 'utf8' });
    expect(out.trim()).toBe('ChatTrailCallbackHandler,registerChatTrail');
  });
});
