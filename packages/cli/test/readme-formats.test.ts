import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImport } from '../src/index';
import { backendEnv, cleanUpAfterEach, devServer, occurrences, stored, tempDir } from './import-kit';

cleanUpAfterEach();

const README = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

/** The first fenced block under the README's heading for `format`. */
function example(format: string): string {
  const heading = README.indexOf(`(\`--format ${format}\`)`);
  expect(heading, `a README heading for --format ${format}`).toBeGreaterThan(-1);
  const block = /```(?:jsonl|json)\n([\s\S]*?)\n```/.exec(README.slice(heading));
  expect(block, `an example file under --format ${format}`).not.toBeNull();
  return `${block![1]}\n`;
}

// The README's example of each format is a file a user may copy: imported as it is, with the format told
// from the file, every conversation arrives and every message once.
describe('the README example of each format', () => {
  it.each([
    ['openai-jsonl', 'chats.jsonl', 2, 7],
    ['chatgpt', 'conversations.json', 1, 2],
    ['ui-messages', 'ui-chats.jsonl', 1, 4],
  ])('%s (%s): %i conversation(s), %i messages, each once', async (format, name, threads, messages) => {
    const server = await devServer();
    const file = join(tempDir(), name);
    writeFileSync(file, example(format));
    const summary = await runImport({ files: [file], env: backendEnv(server), write: () => {} });
    expect(summary).toMatchObject({ imported: threads, failed: 0, messages });
    expect(occurrences(await stored(server))).toEqual({
      mieltoThreads: threads,
      mieltoMaxPerThread: 1,
      mieltoMessages: messages,
      mieltoMaxPerMessage: 1,
      melodiThreads: threads,
      melodiMaxPerThread: 1,
      melodiMessages: messages,
      melodiDistinctMessages: messages,
    });
  });
});
