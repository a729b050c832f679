import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// `npm run demo` is the README's first command: run it as a newcomer would and read what it prints.
it('runs the demo end to end and prints both transcripts read back from the devserver', async () => {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./demo.mjs', import.meta.url))]);
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  expect(code, out).toBe(0);
  expect(out).toMatch(/chattrail devserver running at http:\/\/127\.0\.0\.1:\d+/);
  expect(out).toContain('── Mielto conversation conv_');
  expect(out).toContain('── Melodi thread');
  expect(out).toContain('It is sunny in Paris, 21 °C.');
  expect(out).toContain('→ calls get_weather({"city":"Paris"})');
}, 30_000);
