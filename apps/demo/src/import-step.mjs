// The import step of `npm run demo`: `chattrail import` (the built @chattrail/cli, run as `npx` would
// run it) loads samples/chats.jsonl, a small OpenAI chat JSONL file, into both backends; a second run
// stores nothing twice. Then prints each thread as each backend holds it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { devServerEnv } from '@chattrail/devserver';
import { printTranscript } from './print-transcript.mjs';

const SAMPLE = fileURLToPath(new URL('../samples/chats.jsonl', import.meta.url));
const CLI = fileURLToPath(new URL('./dist/cli.js', import.meta.resolve('@chattrail/cli/package.json')));

function runImport(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'import', ...args], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out: out.trim() }));
  });
}

export async function runImportStep(server) {
  console.log('Import: `chattrail import samples/chats.jsonl` (@chattrail/cli), an OpenAI chat JSONL file\n');
  const env = devServerEnv(server.url);
  // The checkpoint goes to a temporary folder, not beside the sample in the repository.
  const dir = mkdtempSync(join(tmpdir(), 'chattrail-demo-import-'));
  try {
    for (const [label, checkpoint] of [
      ['first run', 'first.json'],
      ['again, with a new checkpoint: nothing is stored twice', 'second.json'],
    ]) {
      const result = await runImport([SAMPLE, '--checkpoint', join(dir, checkpoint)], env);
      if (result.code !== 0) throw new Error(`chattrail import exited with ${result.code}:\n${result.out}`);
      console.log(
        `$ chattrail import samples/chats.jsonl   (${label})\n  ${result.out.split('\n').join('\n  ')}\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const { threads } = await (await fetch(`${server.url}/_devserver/threads`)).json();
  const imported = threads
    .filter((thread) => /^import(-demo-|:chats\.jsonl:)/.test(thread.externalId ?? ''))
    .sort((a, b) => `${a.externalId}${a.backend}`.localeCompare(`${b.externalId}${b.backend}`));
  console.log(`Read back: ${imported.length} threads, each once per backend:\n`);
  for (const thread of imported) printTranscript(thread);
}
