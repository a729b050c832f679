import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  backendEnv,
  cleanUpAfterEach,
  devServer,
  MELODI_KEY,
  MIELTO_KEY,
  occurrences,
  stored,
  tempDir,
  writeJsonl,
} from './import-kit';

cleanUpAfterEach();

// The built executable, as `npx @chattrail/cli` runs it (the test task builds first).
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

interface Run {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function runCli(args: string[], env: Record<string, string>, stdin?: string): Run {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (data) => {
    stdout += data;
  });
  child.stderr!.on('data', (data) => {
    stderr += data;
  });
  child.stdin!.end(stdin);
  const exit = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exit };
}

/** Resolves once the checkpoint file records at least `line` acknowledged lines (watching its folder). */
function checkpointReaches(path: string, line: number): Promise<number> {
  return new Promise((resolve) => {
    const check = () => {
      if (!existsSync(path)) return;
      try {
        const reached = Object.values<any>(JSON.parse(readFileSync(path, 'utf8')).inputs)[0]?.line ?? 0;
        if (reached >= line) {
          watcher.close();
          resolve(reached);
        }
      } catch {
        // renamed over while being read: the next event reads it again
      }
    };
    const watcher = watch(dirname(path), check);
    check();
  });
}

describe('the chattrail executable', () => {
  it('killed with SIGKILL half-way, then run again: every conversation and message exactly once', async () => {
    const server = await devServer();
    const file = join(tempDir(), 'big.jsonl');
    const total = 6_000;
    const messages = writeJsonl(file, total);
    const env = backendEnv(server);
    const args = ['import', file, '--chunk-size', '100', '--concurrency', '4'];

    const first = runCli(args, env);
    const reached = await checkpointReaches(`${file}.chattrail-checkpoint.json`, 600);
    first.child.kill('SIGKILL');
    const killed = await first.exit;
    expect(killed.signal).toBe('SIGKILL');
    const partial = occurrences(await stored(server));
    // The kill landed mid-run: some conversations were stored, not all.
    expect(partial.melodiThreads).toBeGreaterThanOrEqual(reached);
    expect(partial.melodiThreads).toBeLessThan(total);

    const second = await runCli(args, env).exit;
    expect(second.stderr).toContain(`resumed after line ${reached}`);
    expect(second.code).toBe(0);
    expect(occurrences(await stored(server))).toEqual({
      mieltoThreads: total,
      mieltoMaxPerThread: 1,
      mieltoMessages: messages,
      mieltoMaxPerMessage: 1,
      melodiThreads: total,
      melodiMaxPerThread: 1,
      melodiMessages: messages,
      melodiDistinctMessages: messages,
    });
  }, 120_000);

  it('exits 1 when a line failed, naming it, after importing the others; reads - from stdin', async () => {
    const server = await devServer();
    const dir = tempDir();
    const file = join(dir, 'input.jsonl');
    writeJsonl(file, 5, (i) => i === 2);
    const input = readFileSync(file, 'utf8');
    const result = await runCli(['import', '-', '--to', 'melodi'], backendEnv(server), input).exit;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('imported 4 conversations');
    expect(result.stderr).toMatch(/-:3: malformed JSON/);
    expect(result.stderr).not.toContain('import-key');
    const { threads } = await stored(server);
    expect(threads.map((t) => t.externalId).sort()).toEqual([
      'import:stdin:1',
      'import:stdin:2',
      'import:stdin:4',
      'import:stdin:5',
    ]);
  });

  it('--help works for the program and the command; no destination is a clear error, exit 2', async () => {
    const help = await runCli(['--help'], {}).exit;
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('import');
    const importHelp = await runCli(['import', '--help'], {}).exit;
    expect(importHelp.stdout).toContain('--checkpoint <file>');
    const file = join(tempDir(), 'x.jsonl');
    writeJsonl(file, 1);
    const none = await runCli(['import', file], {}).exit;
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no destination');
  });

  it('takes addresses, project and key files as flags (keys never as arguments) and detects a ChatGPT export', async () => {
    const server = await devServer();
    const dir = tempDir();
    const file = join(dir, 'conversations.json');
    writeFileSync(
      file,
      readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'conversations.json')),
    );
    writeFileSync(join(dir, 'mielto.key'), `${MIELTO_KEY}\n`);
    writeFileSync(join(dir, 'melodi.key'), MELODI_KEY);
    const flags = [
      '--mielto-base-url',
      server.mieltoBaseUrl,
      '--mielto-key-file',
      join(dir, 'mielto.key'),
      '--melodi-base-url',
      server.melodiBaseUrl,
      '--melodi-project-id',
      '7',
      '--melodi-key-file',
      join(dir, 'melodi.key'),
    ];
    const result = await runCli(['import', file, ...flags], {}).exit;
    expect(result.stderr).toContain('imported 3 conversations (14 messages)');
    expect(result.code).toBe(0);
    expect(occurrences(await stored(server))).toMatchObject({
      mieltoThreads: 3,
      melodiThreads: 3,
      melodiMessages: 14,
    });

    const refused = await runCli(['import', file, '--mielto', 'secret-mielto-key-123'], {}).exit;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('API keys are not taken as arguments');
    expect(refused.stderr + refused.stdout).not.toContain('secret-mielto-key-123');
    const missing = await runCli(['import', file, '--mielto-key-file', join(dir, 'nope.key')], {}).exit;
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the key file');
  });

  it('an input in no known format: a clear reason, exit 1', async () => {
    const file = join(tempDir(), 'chats.csv');
    writeFileSync(file, 'role,content\nuser,hi\n');
    const result = await runCli(['import', file, '--dry-run'], {}).exit;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /chats\.csv:0: cannot tell the format .*: pass --format openai-jsonl\|chatgpt\|ui-messages/,
    );
  });
});
