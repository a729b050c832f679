import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImport } from '../src/index';
import {
  backendEnv,
  chatGPTConversation,
  cleanUpAfterEach,
  devServer,
  occurrences,
  stored,
  tempDir,
} from './import-kit';

cleanUpAfterEach();

const quiet = () => {};
const FIXTURES = join(import.meta.dirname, 'fixtures');

function exactlyOnce(threads: number, messages: number) {
  return {
    mieltoThreads: threads,
    mieltoMaxPerThread: 1,
    mieltoMessages: messages,
    mieltoMaxPerMessage: 1,
    melodiThreads: threads,
    melodiMaxPerThread: 1,
    melodiMessages: messages,
    melodiDistinctMessages: messages,
  };
}

describe('chattrail import, ChatGPT data export, against the devserver', () => {
  it('conversations.json, imported twice (with and without the checkpoint): every message once', async () => {
    const server = await devServer();
    const file = join(tempDir(), 'conversations.json');
    writeFileSync(file, readFileSync(join(FIXTURES, 'conversations.json')));
    const env = backendEnv(server);

    const first = await runImport({ files: [file], env, write: quiet });
    expect(first).toMatchObject({ imported: 3, failed: 0, messages: 14 });
    const once = occurrences(await stored(server));
    expect(once).toEqual(exactlyOnce(3, 14));
    const checkpoint = JSON.parse(readFileSync(`${file}.chattrail-checkpoint.json`, 'utf8'));
    expect(Object.values(checkpoint.inputs)).toMatchObject([{ line: 3, imported: 3 }]);

    expect(await runImport({ files: [file], env, write: quiet })).toMatchObject({
      imported: 0,
      resumed: { [file]: 3 },
    });
    const fresh = await runImport({
      files: [file],
      env,
      checkpoint: join(tempDir(), 'c.json'),
      write: quiet,
    });
    expect(fresh).toMatchObject({ imported: 0, skipped: 3, failed: 0 });
    expect(occurrences(await stored(server))).toEqual(once);

    const { conversations, threads } = await stored(server);
    const python = conversations.find(
      (c) => c.meta_data.thread_id === '6672a1b0-2222-8000-9aaa-0c0ffee00002',
    ) as any;
    expect(python.messages.map((m: any) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(python.messages[1].tool_calls[0].function.name).toBe('python');
    expect(python.messages[2].meta_data).toMatchObject({ tool_call_id: 'a-3', tool_name: 'python' });
    expect(threads.map((t) => t.externalId).sort()).toEqual([
      '6672a1b0-1111-8000-9aaa-0c0ffee00001',
      '6672a1b0-2222-8000-9aaa-0c0ffee00002',
      '6672a1b0-3333-8000-9aaa-0c0ffee00003',
    ]);
  });

  it('streams a large export element by element; a bad conversation and a cut-off end are reported by position', async () => {
    const server = await devServer();
    const dir = tempDir();
    const file = join(dir, 'conversations.json');
    const errors = join(dir, 'errors.jsonl');
    const total = 400;
    const elements = Array.from({ length: total }, (_, i) =>
      i === 123 ? '{"title":"broken","mapping":5}' : JSON.stringify(chatGPTConversation(i, 2)),
    );
    // Cut inside the last conversation, as a download that stopped early.
    const text = `[${elements.join(',\n')}]`;
    writeFileSync(file, text.slice(0, text.length - 200));
    const summary = await runImport({
      files: [file],
      env: backendEnv(server),
      chunkSize: 64,
      errors,
      write: quiet,
    });
    expect(summary).toMatchObject({ imported: total - 2, failed: 2, messages: (total - 2) * 4 });
    expect(summary.failures.map((f) => [f.conversation, f.reason])).toEqual([
      [124, 'no "mapping" object'],
      [400, expect.stringMatching(/^malformed JSON/)],
    ]);
    expect(
      readFileSync(errors, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).conversation),
    ).toEqual([124, 400]);
    expect(occurrences(await stored(server))).toEqual(exactlyOnce(total - 2, (total - 2) * 4));
  });
});

describe('chattrail import, AI SDK UIMessages, against the devserver', () => {
  it('a JSON conversation and JSONL of {id, messages}, imported twice: every message once', async () => {
    const server = await devServer();
    const dir = tempDir();
    const json = join(dir, 'ui-chat.json');
    const jsonl = join(dir, 'ui-chats.jsonl');
    writeFileSync(json, readFileSync(join(FIXTURES, 'ui-chat.json')));
    writeFileSync(jsonl, readFileSync(join(FIXTURES, 'ui-chats.jsonl')));
    const env = backendEnv(server);

    const first = await runImport({ files: [json, jsonl], env, write: quiet });
    expect(first).toMatchObject({ imported: 4, failed: 0, messages: 9 + 12 });
    const once = occurrences(await stored(server));
    expect(once).toEqual(exactlyOnce(4, 21));
    const fresh = await runImport({
      files: [json, jsonl],
      env,
      checkpoint: join(dir, 'c.json'),
      write: quiet,
    });
    expect(fresh).toMatchObject({ imported: 0, skipped: 4, failed: 0 });
    expect(occurrences(await stored(server))).toEqual(once);

    const { conversations } = await stored(server);
    const travel = conversations.find((c) => c.meta_data.thread_id === 'chat_Vq3nM8xK2pLw') as any;
    expect(travel.user_id).toBe('user_17');
    expect(travel.messages.map((m: any) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'tool',
      'assistant',
      'user',
      'assistant',
      'tool',
      'assistant',
    ]);
    expect(travel.messages[3]).toMatchObject({
      content: '{"tempC":27,"sky":"sunny"}',
      meta_data: { tool_call_id: 'call_Wx01', tool_name: 'getWeather' },
    });
  });
});

describe('format detection', () => {
  it('tells each format apart without --format, and --format forces one', async () => {
    const dir = tempDir();
    const files = {
      chatgpt: join(dir, 'export.json'),
      ui: join(dir, 'chat.json'),
      openai: join(dir, 'chats.jsonl'),
    };
    writeFileSync(files.chatgpt, readFileSync(join(FIXTURES, 'conversations.json')));
    writeFileSync(files.ui, readFileSync(join(FIXTURES, 'ui-chat.json')));
    writeFileSync(files.openai, `${JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] })}\n`);
    const plan = await runImport({ files: Object.values(files), dryRun: true, write: quiet });
    expect(plan).toMatchObject({ failed: 0, plan: { threads: 5, messages: 14 + 9 + 1 } });

    // Forced to the wrong format, each conversation fails with the reason of that format.
    const forced = await runImport({
      files: [files.chatgpt],
      format: 'openai-jsonl',
      dryRun: true,
      write: quiet,
    });
    expect(forced.failures.map((f) => f.reason)).toEqual(Array(3).fill('no "messages" array'));
  });

  it('an input in no known format fails as a whole with a clear reason; the other inputs still run', async () => {
    const dir = tempDir();
    const csv = join(dir, 'chats.csv');
    const good = join(dir, 'good.jsonl');
    writeFileSync(csv, 'role,content\nuser,hi\n');
    writeFileSync(good, `${JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] })}\n`);
    const summary = await runImport({ files: [csv, good], dryRun: true, write: quiet });
    expect(summary.failures).toEqual([
      {
        file: csv,
        line: 0,
        reason: expect.stringMatching(
          /^cannot tell the format \(neither a JSON array nor JSON lines.*--format openai-jsonl\|chatgpt\|ui-messages$/,
        ),
      },
    ]);
    expect(summary.plan).toMatchObject({ threads: 1 });
  });
});
