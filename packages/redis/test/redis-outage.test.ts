import { mkdirSync, writeFileSync } from 'node:fs';
import { type DevServer, startDevServer } from '@chattrail/devserver';
import { afterEach, describe, expect, it } from 'vitest';
import { Instances, seeded, turnOf } from './instances';
import { REDIS_SERVER, type RedisServer, startRedisServer } from './redis-server';

const THREADS = 20;
const TURNS_PER_THREAD = 15;

interface Conversation {
  meta_data: { thread_id: string };
  messages: { content: string }[];
}

describe.skipIf(REDIS_SERVER === undefined)('Redis killed mid-run and restarted (empty)', () => {
  let redis: RedisServer | undefined;
  let server: DevServer | undefined;
  let app: Instances | undefined;
  afterEach(async () => {
    app?.kill();
    await server?.close();
    await redis?.stop();
  });

  it('no crash, no hang: every turn is answered, the outage is reported once per instance, and what it cost is counted', async () => {
    redis = await startRedisServer();
    server = await startDevServer({ port: 0, melodiThreadMessages: 'replace' });
    app = await Instances.start(4, {
      redisUrl: redis.url,
      prefix: 'outage',
      mieltoBaseUrl: server.mieltoBaseUrl,
      melodiBaseUrl: server.melodiBaseUrl,
    });
    const random = seeded(7);
    const total = THREADS * TURNS_PER_THREAD;
    let done = 0;
    let phase: 'before' | 'down' | 'restarted' = 'before';
    const answered = { before: 0, down: 0, restarted: 0 };
    let switching: Promise<void> = Promise.resolve();
    await Promise.all(
      Array.from({ length: THREADS }, async (_, t) => {
        for (let k = 0; k < TURNS_PER_THREAD; k++) {
          await switching;
          const started = phase;
          await app!.send(Math.floor(random() * app!.size), turnOf(`thread-${t}`, k));
          answered[started]++;
          done++;
          // A third of the way: Redis dies (SIGKILL). Two thirds: it comes back, empty (it never persists).
          if (phase === 'before' && done >= total / 3) {
            phase = 'down';
            switching = redis!.kill();
          } else if (phase === 'down' && done >= (2 * total) / 3) {
            phase = 'restarted';
            switching = redis!.restart();
          }
        }
      }),
    );
    await app.end();
    expect(app.ended).toHaveLength(4);
    expect(answered.before + answered.down + answered.restarted).toBe(total);

    const conversations = (await (
      await fetch(`${server.url}/_devserver/mielto/conversations`)
    ).json()) as Conversation[];
    const threads = (await (
      await fetch(`${server.url}/_devserver/melodi/threads`).then((r) => r)
    ).json()) as {
      externalId: string;
      messages: { content: string }[];
    }[];
    const count = { extraConversations: 0, duplicateMessages: 0, missingMessages: 0, melodiIncomplete: 0 };
    for (let t = 0; t < THREADS; t++) {
      const threadId = `thread-${t}`;
      const mine = conversations.filter((c) => c.meta_data.thread_id === threadId);
      expect(mine.length, threadId).toBeGreaterThanOrEqual(1);
      count.extraConversations += mine.length - 1;
      const stored = mine.flatMap((c) => c.messages.map((m) => m.content));
      const expected = Array.from({ length: TURNS_PER_THREAD }, (_, i) => [
        `${threadId} question ${i}`,
        `${threadId} answer ${i}`,
      ]).flat();
      count.duplicateMessages += stored.length - new Set(stored).size;
      count.missingMessages += expected.filter((content) => !stored.includes(content)).length;
      const melodi = threads.find((thread) => thread.externalId === threadId);
      const got = melodi?.messages.map((m) => m.content) ?? [];
      if (JSON.stringify(got) !== JSON.stringify(expected)) {
        count.melodiIncomplete++;
        const missing = expected.filter((c) => !got.includes(c));
        console.log(
          `[redis outage] Melodi ${threadId}: ${got.length} messages, missing ${JSON.stringify(missing)}`,
        );
      }
    }
    const storeErrors = app.ended.map((ended) => ended.errors.filter((e) => e.startsWith('store:')).length);
    // Each instance that sent during the outage reported it once (after the restart the client reconnects).
    for (const reported of storeErrors) expect(reported).toBeLessThanOrEqual(1);
    expect(storeErrors.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    const result = {
      threads: THREADS,
      turns: total,
      answered,
      storeErrorsPerInstance: storeErrors,
      ...count,
    };
    mkdirSync('test-output', { recursive: true });
    writeFileSync('test-output/redis-outage.json', `${JSON.stringify(result, null, 2)}\n`);
    console.log(`[redis outage] ${JSON.stringify(result)}`);
    // Melodi PUTs carry the whole thread as each instance knows it: every thread ends whole and in order.
    expect(count.melodiIncomplete).toBe(0);
  });
});
