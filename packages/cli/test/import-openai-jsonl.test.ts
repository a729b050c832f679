import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImport } from '../src/index';
import {
  backendEnv,
  cleanUpAfterEach,
  devServer,
  occurrences,
  stored,
  tempDir,
  writeJsonl,
} from './import-kit';

cleanUpAfterEach();

const quiet = () => {};

describe('chattrail import, OpenAI chat JSONL, against the devserver', () => {
  it('stores every conversation and message once at both backends, and a re-run stores nothing twice', async () => {
    const server = await devServer();
    const file = join(tempDir(), 'chats.jsonl');
    const messages = writeJsonl(file, 120);
    const env = backendEnv(server);

    const first = await runImport({ files: [file], env, chunkSize: 50, write: quiet });
    expect(first).toMatchObject({ imported: 120, skipped: 0, failed: 0, messages });
    const once = occurrences(await stored(server));
    expect(once).toEqual({
      mieltoThreads: 120,
      mieltoMaxPerThread: 1,
      mieltoMessages: messages,
      mieltoMaxPerMessage: 1,
      melodiThreads: 120,
      melodiMaxPerThread: 1,
      melodiMessages: messages,
      melodiDistinctMessages: messages,
    });
    const checkpoint = JSON.parse(readFileSync(`${file}.chattrail-checkpoint.json`, 'utf8'));
    expect(Object.values(checkpoint.inputs)).toMatchObject([{ line: 120, imported: 120, failed: 0 }]);
    expect(JSON.stringify(checkpoint)).not.toContain('import-key');

    // Same file again: the checkpoint passes over every line.
    const again = await runImport({ files: [file], env, write: quiet });
    expect(again).toMatchObject({ imported: 0, failed: 0, resumed: { [file]: 120 } });
    // Without the checkpoint: Mielto's threads are found already there, Melodi merges by message id.
    const fresh = await runImport({
      files: [file],
      env,
      checkpoint: join(tempDir(), 'other.json'),
      write: quiet,
    });
    expect(fresh).toMatchObject({ imported: 0, skipped: 120, failed: 0 });
    expect(occurrences(await stored(server))).toEqual(once);
  });

  it('keeps the tool call and its result, the user and the thread derived from the file name and line', async () => {
    const server = await devServer();
    const file = join(tempDir(), 'one.jsonl');
    writeJsonl(file, 1);
    await runImport({ files: [file], env: backendEnv(server), write: quiet });
    const { conversations, threads } = await stored(server);
    expect(conversations).toHaveLength(1);
    const conversation = conversations[0] as any;
    expect(conversation.meta_data).toMatchObject({ thread_id: 'import:one.jsonl:1', adapter: 'import' });
    expect(conversation.user_id).toBe('user-0');
    expect(conversation.messages.map((m: any) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'tool',
      'assistant',
    ]);
    expect(conversation.messages[2].tool_calls).toEqual([
      { id: 'call_0', type: 'function', function: { name: 'weather', arguments: '{"city":"c0"}' } },
    ]);
    expect(conversation.messages[3]).toMatchObject({
      content: '{"tempC":0}',
      meta_data: { tool_call_id: 'call_0', tool_name: 'weather' },
    });
    expect(threads[0]!.externalId).toBe('import:one.jsonl:1');
    expect(threads[0]!.messages).toHaveLength(5);
  });

  it('counts malformed lines as failed with their line numbers, writes the errors file, imports the rest', async () => {
    const server = await devServer();
    const dir = tempDir();
    const file = join(dir, 'some-bad.jsonl');
    const errors = join(dir, 'errors.jsonl');
    const bad = (i: number) => i % 25 === 7;
    const messages = writeJsonl(file, 100, bad);
    const summary = await runImport({
      files: [file],
      env: backendEnv(server),
      errors,
      chunkSize: 30,
      write: quiet,
    });
    expect(summary).toMatchObject({ imported: 96, failed: 4, messages });
    const lines = [8, 33, 58, 83];
    expect(summary.failures.map((f) => f.line)).toEqual(lines);
    expect(summary.failures[0]!.reason).toMatch(/^malformed JSON/);
    const written = readFileSync(errors, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(written.map((f) => [f.file, f.line])).toEqual(lines.map((line) => [file, line]));
    const counts = occurrences(await stored(server));
    expect(counts).toMatchObject({
      mieltoThreads: 96,
      mieltoMessages: messages,
      melodiThreads: 96,
      melodiMessages: messages,
    });
  });

  it('429 and 503 bursts at both backends: everything still arrives, once', async () => {
    const server = await devServer({
      faults: [
        { route: 'POST /api/v1/conversations', status: 429, retryAfter: 0, times: 4 },
        { route: 'POST /api/v1/conversations', status: 503, times: 3 },
        { route: 'GET /api/v1/conversations', status: 503, times: 2 },
        { route: 'melodi', status: 503, times: 6 },
        { route: 'melodi', status: 429, retryAfter: 0, times: 4 },
      ],
    });
    const file = join(tempDir(), 'faults.jsonl');
    const messages = writeJsonl(file, 60);
    const summary = await runImport({
      files: [file],
      env: backendEnv(server),
      chunkSize: 20,
      backoff: { initialMs: 20, maxMs: 200 },
      write: quiet,
    });
    expect(summary).toMatchObject({ imported: 60, failed: 0, messages });
    // Every burst was served in full (the rules are spent), so each retry path really ran.
    const faults = await fetch(`${server.url}/_devserver/faults`).then((r) => r.json());
    expect(JSON.stringify(faults)).not.toMatch(/"times":[1-9]/);
    expect(occurrences(await stored(server))).toEqual({
      mieltoThreads: 60,
      mieltoMaxPerThread: 1,
      mieltoMessages: messages,
      mieltoMaxPerMessage: 1,
      melodiThreads: 60,
      melodiMaxPerThread: 1,
      melodiMessages: messages,
      melodiDistinctMessages: messages,
    });
  });

  it('a thread twice in a file (one batch, written concurrently): one Mielto conversation, the second skipped', async () => {
    const server = await devServer();
    const file = join(tempDir(), 'twice.jsonl');
    const line = (text: string) =>
      JSON.stringify({ thread_id: 'same', messages: [{ role: 'user', content: text }] });
    writeFileSync(file, `${line('first')}\n${line('second')}\n`);
    const summary = await runImport({ files: [file], env: backendEnv(server), write: quiet });
    expect(summary).toMatchObject({ imported: 1, skipped: 1, failed: 0 });
    const { conversations } = await stored(server);
    expect(conversations.map((c) => c.meta_data.thread_id)).toEqual(['same']);
  });

  it('--dry-run sends nothing and says what it would send', async () => {
    const server = await devServer();
    const file = join(tempDir(), 'dry.jsonl');
    const messages = writeJsonl(file, 10);
    const summary = await runImport({ files: [file], env: backendEnv(server), dryRun: true, write: quiet });
    expect(summary.plan).toMatchObject({ threads: 10, messages, users: 7 });
    expect(occurrences(await stored(server))).toMatchObject({ mieltoThreads: 0, melodiThreads: 0 });
  });

  it('--to limits the backends, and a backend asked for but not configured stops the run before it sends', async () => {
    const server = await devServer();
    const file = join(tempDir(), 'to.jsonl');
    writeJsonl(file, 3);
    await runImport({ files: [file], env: backendEnv(server), to: ['melodi'], write: quiet });
    expect(occurrences(await stored(server))).toMatchObject({ mieltoThreads: 0, melodiThreads: 3 });
    const { MIELTO_API_KEY: _, ...withoutMielto } = backendEnv(server);
    const summary = await runImport({ files: [file], env: withoutMielto, to: ['mielto'], write: quiet });
    expect(summary.fatal).toMatch(/MIELTO_API_KEY is not set/);
  });
});
