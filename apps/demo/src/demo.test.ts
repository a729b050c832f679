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

  // The core step: four turns through createChatTrail, each resending the history, stored once.
  expect(out).toContain('Core: four turns recorded through @chattrail/core');
  expect(out).toMatch(
    /4 turns recorded in thread "demo-core-thread" \(9 messages, .*\); shutdown: everything delivered/,
  );
  const core = out.slice(out.indexOf('Core: four turns'));
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
    expect(copy.match(/And the day after\?/g)).toHaveLength(1); // the question the failed turn left unanswered
    expect(copy.trim().split('\n')).toHaveLength(10); // the header and the 9 messages, in order
  }
  expect(mieltoCopy).toContain('→ calls get_weather({"city":"Lyon"})');
  expect(melodiCopy).toContain(
    '"toolCalls":[{"id":"call_lyon_1","name":"get_weather","args":{"city":"Lyon"}}]',
  );

  // Per turn: status, latency, time to first token, tokens, and the error of the failed one.
  const coreTurns = core.slice(core.indexOf('── turns of "demo-core-thread"'));
  expect(coreTurns).toContain('── turns of "demo-core-thread": 4, status error ──');
  expect(coreTurns).toMatch(
    /turn 1\s+ok\s+latency 900 ms · TTFT 160 ms · tokens 40 in \/ 25 out \/ 65 total\n/,
  );
  expect(coreTurns).toMatch(
    /turn 3\s+ok\s+latency 1\.10 s · TTFT 180 ms · tokens 120 in \/ 25 out \/ 145 total\n/,
  );
  expect(coreTurns).toMatch(
    /turn 4\s+error\s+latency 1\.20 s · APICallError: The model provider answered 503 Service Unavailable/,
  );
  // Each adapter's turns, with the figures its model reported (timings in ms, or s on a slow machine).
  expect(out).toMatch(
    /── turns of "thread_[0-9a-f]+": 4, status ok ──\n {2}turn 1\s+ok\s+latency [\d.]+ m?s · tokens \d+ in/,
  );
  for (const thread of ['langchain-demo-thread', 'demo-ai-sdk-chat']) {
    expect(out).toMatch(
      new RegExp(
        `── turns of "${thread}": \\d+, status ok ──\\n {2}turn 1\\s+ok\\s+latency [\\d.]+ m?s · TTFT [\\d.]+ m?s · tokens \\d+ in`,
      ),
    );
  }

  // The import step: samples/chats.jsonl through the built `chattrail` executable, twice (the second run
  // stores nothing), then every thread read back, once per backend, each message once.
  const imported = out.slice(out.indexOf('Import: `chattrail import samples/chats.jsonl`'));
  expect(imported).toMatch(
    /\(first run\)\n {2}imported 3 conversations \(11 messages\), skipped 0 already there, failed 0/,
  );
  expect(imported).toMatch(
    /nothing is stored twice\)\n {2}imported 0 conversations \(0 messages\), skipped 3 already there, failed 0/,
  );
  expect(imported).toContain('Read back: 6 threads, each once per backend:');
  const headers = imported.split('\n').filter((line) => line.startsWith('── '));
  for (const thread of ['import-demo-1', 'import-demo-2', 'import:chats.jsonl:3']) {
    const of = headers.filter((header) => header.includes(`(thread "${thread}"`));
    expect(
      of.filter((header) => header.startsWith('── Mielto conversation conv_')),
      thread,
    ).toHaveLength(1);
    expect(
      of.filter((header) => header.startsWith('── Melodi thread ')),
      thread,
    ).toHaveLength(1);
  }
  expect(imported.match(/Yes, light rain and 6 °C in Oslo: take an umbrella\./g)).toHaveLength(2);
  expect(imported.match(/Bom dia\./g)).toHaveLength(2);
  expect(imported).toContain('→ calls get_weather({"city":"Oslo"})');
  expect(imported).toContain('"toolCalls":[{"id":"call_oslo","name":"get_weather","args":{"city":"Oslo"}}]');

  // The many-instances step: six turns of one conversation, each recorded by another of four processes
  // sharing one Redis, read back as one conversation per backend, each message once.
  const many = out.slice(out.indexOf('Many instances: four app processes'));
  expect(many).not.toBe('');
  if (!many.includes('skipped: no redis-server')) {
    expect(many).toMatch(/turn 4 \(resending 6 earlier messages\) recorded by instance 4/);
    expect(many).toContain('Read back: 2 threads (one per backend), each message once:');
    expect(many.match(/Is there anything later\?/g)).toHaveLength(2);
    expect(many.match(/Have a good trip!/g)).toHaveLength(2);
  }
}, 120_000); // six steps (seed, core, Express, LangChain, AI SDK, import), on a possibly busy machine
