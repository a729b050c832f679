import { describe, expect, it } from 'vitest';
import type { MergedThread } from '../src/index.js';
import { useDevServer } from './use-dev-server.js';
import { sendChattrailThreads } from './viewer-fixtures.js';

const dev = useDevServer();

async function send(method: string, path: string, body: unknown) {
  const res = path.startsWith('/api/v1/')
    ? await dev.mielto(path.slice('/api/v1'.length), { method, body })
    : await dev.melodi(path.slice('/api/external'.length), { method, body });
  if (res.status >= 300)
    throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

async function merged(): Promise<Record<string, MergedThread>> {
  const { body } = await dev.admin('/merged-threads');
  return Object.fromEntries((body.threads as MergedThread[]).map((t) => [t.threadId ?? t.key, t]));
}

describe('/_devserver/merged-threads', () => {
  it('pairs the Mielto conversation and the Melodi thread of one app thread in one entry', async () => {
    const { tripConversation } = await sendChattrailThreads(send);
    const { body } = await dev.admin('/merged-threads');
    expect(body.threads.map((t: MergedThread) => t.key).sort()).toEqual([
      'thread:aborted-1',
      'thread:fail-1',
      'thread:ok-1',
      'thread:trip-1',
    ]);
    const trip = (await merged())['trip-1']!;
    expect(trip.mielto?.id).toBe(tripConversation);
    expect(trip.melodi?.externalId).toBe('trip-1');
    expect(trip.title).toBe('Plan a day in Lyon'); // Mielto's title, not Melodi's external id
    expect(trip.user).toMatchObject({ id: 'user-grace', name: 'Grace Hopper' }); // Melodi's richer user
    expect((await merged())['aborted-1']).toMatchObject({
      mielto: null,
      title: 'Write a long poem about rivers',
    });
  });

  it('counts recorded turns by turn id in Mielto, by answers in Melodi', async () => {
    await sendChattrailThreads(send);
    const trip = (await merged())['trip-1']!;
    // Four model calls (one per AI SDK step), though the user wrote twice.
    expect(trip.mielto?.turnsCountedBy).toBe('turn-ids');
    expect(trip.mielto?.turns.map((t) => t.turnId)).toEqual(['t1', 't2', 't3', 't4']);
    expect(trip.turns).toHaveLength(4);
    expect(trip.melodi?.turnsCountedBy).toBe('answers');
    expect(trip.melodi?.turns).toHaveLength(2);
    // A turn that failed before answering is a turn: by its id in Mielto, by the metadata in Melodi.
    const fail = (await merged())['fail-1']!;
    expect(fail.mielto?.turns).toMatchObject([{ turnId: 'v1', answered: false, facts: null }]);
    expect(fail.melodi?.turns).toMatchObject([{ answered: false, facts: { status: 'error' } }]);
    expect(fail.turns).toMatchObject([{ turnId: 'v1', facts: { status: 'error', from: 'thread' } }]);
  });

  it('reads status, error, latency, time to first token and tokens where core writes them', async () => {
    await sendChattrailThreads(send);
    const all = await merged();
    expect(Object.fromEntries(Object.entries(all).map(([id, t]) => [id, t.status]))).toEqual({
      'trip-1': 'error',
      'ok-1': 'ok',
      'fail-1': 'error',
      'aborted-1': 'aborted',
    });
    expect(all['trip-1']!.error).toEqual({ name: 'APICallError', message: 'Service Unavailable (503)' });
    expect(all['fail-1']!.error).toEqual({ name: 'TimeoutError', message: 'model call timed out after 3 s' });

    const mieltoAnswer = all['trip-1']!.mielto!.messages[3]!;
    expect(mieltoAnswer.facts).toEqual({
      turnId: 't2',
      status: 'ok',
      error: null,
      latencyMs: 1420,
      timeToFirstTokenMs: 390,
      tokens: { input: 180, output: 24, total: 204, reasoning: 8, cached: 96 },
      model: 'gpt-4o-mini',
      from: 'message',
    });
    // Melodi keeps the latest turn's figures in the thread metadata: they go on the thread's last answer.
    const poem = all['aborted-1']!.melodi!;
    expect(poem.messages[0]!.facts).toBeNull();
    expect(poem.messages[1]!.facts).toMatchObject({
      status: 'aborted',
      error: { name: 'AbortError', message: 'The client disconnected' },
      latencyMs: 5000,
      timeToFirstTokenMs: 200,
      tokens: { output: 12 },
      from: 'thread',
    });
  });

  it('gives tool calls and results one shape in both backends', async () => {
    await sendChattrailThreads(send);
    const trip = (await merged())['trip-1']!;
    for (const copy of [trip.mielto!, trip.melodi!]) {
      expect(copy.messages[1]!.calls).toEqual([
        { id: 'call_1', name: 'get_weather', args: { city: 'Lyon' } },
      ]);
      expect(copy.messages[2]!.toolResult).toEqual({
        toolCallId: 'call_1',
        name: 'get_weather',
        output: { city: 'Lyon', temperature_c: 17, sky: 'rain' },
        isError: false,
      });
      expect(copy.messages[6]!.toolResult).toMatchObject({ toolCallId: 'call_2', isError: true });
    }
  });

  it('keeps a thread without an app thread id, and a second copy in one backend, as entries of their own', async () => {
    await send('PUT', '/api/external/threads', { projectId: 1, externalId: 'same', messages: [] });
    await send('PUT', '/api/external/threads', { projectId: 2, externalId: 'same', messages: [] });
    const plain = await send('POST', '/api/v1/conversations', { title: 'No thread id' });
    const { body } = await dev.admin('/merged-threads');
    const keys = body.threads.map((t: MergedThread) => t.key);
    expect(keys).toContain(`mielto:${plain.id}`);
    expect(keys).toContain('thread:same');
    expect(body.threads.filter((t: MergedThread) => t.threadId === 'same')).toHaveLength(2);
    expect(
      body.threads.find((t: MergedThread) => t.threadId === 'same' && t.key !== 'thread:same').duplicate,
    ).toBe(true);
    // The neutral per-backend list is unchanged for scripts that read it.
    expect((await dev.admin('/threads')).body.threads).toHaveLength(3);
  });

  it("takes no error from metadata whose status is ok (an earlier turn's, kept by a merging update)", async () => {
    const thread = (status: string, extra: Record<string, unknown>) => ({
      projectId: 1,
      externalId: 'merged-meta',
      metadata: { status, latency_ms: 100, ...extra },
      messages: [
        { externalId: 'q', role: 'user', content: 'hi' },
        { externalId: 'a', role: 'assistant', content: 'hello' },
      ],
    });
    await send('PUT', '/api/external/threads', thread('error', { error_name: 'E', error_message: 'boom' }));
    await send('PUT', '/api/external/threads', thread('ok', {}));
    const entry = (await merged())['merged-meta']!;
    expect(entry.melodi!.metadata).toMatchObject({ status: 'ok', error_message: 'boom' });
    expect(entry.status).toBe('ok');
    expect(entry.error).toBeNull();
  });

  it('reads turn facts from clients other than chattrail too (camelCase, nested usage)', async () => {
    await send('PUT', '/api/external/threads', {
      projectId: 1,
      externalId: 'other-client',
      metadata: { latencyMs: 90, usage: { prompt_tokens: 5, completion_tokens: 3 } },
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
      ],
    });
    const thread = (await merged())['other-client']!;
    expect(thread.melodi!.messages[1]!.facts).toMatchObject({
      latencyMs: 90,
      tokens: { input: 5, output: 3 },
    });
    expect(thread.status).toBe('ok');
    expect(thread.turns).toHaveLength(1);
  });
});
