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

  // The core step: three turns through createChatTrail, each resending the history, stored once.
  expect(out).toContain('Core: three turns recorded through @chattrail/core');
  expect(out).toMatch(
    /3 turns recorded in thread "demo-core-thread" \(8 messages, .*\); shutdown: everything delivered/,
  );
  const core = out.slice(out.indexOf('Core: three turns'));
  const mieltoCopy = core.slice(core.indexOf('── Mielto conversation'), core.indexOf('── Melodi thread'));
  const melodiCopy = core.slice(
    core.indexOf('── Melodi thread'),
    core.indexOf('\n\n', core.indexOf('── Melodi thread')),
  );
  for (const copy of [mieltoCopy, melodiCopy]) {
    expect(copy).toContain('thread "demo-core-thread" · user user-grace');
    expect(copy.match(/Can you help me plan a day in Lyon tomorrow\?/g)).toHaveLength(1);
    expect(copy.match(/Which museum do you recommend\?/g)).toHaveLength(1);
    expect(copy).toContain('The Musée des Confluences');
    expect(copy.trim().split('\n')).toHaveLength(9); // the header and the 8 messages, in order
  }
  expect(mieltoCopy).toContain('→ calls get_weather({"city":"Lyon"})');
  expect(melodiCopy).toContain(
    '"toolCalls":[{"id":"call_lyon_1","name":"get_weather","args":{"city":"Lyon"}}]',
  );
}, 120_000); // five steps (seed, core, Express, LangChain, AI SDK), on a possibly busy machine
