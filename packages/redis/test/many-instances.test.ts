import { type DevServer, startDevServer } from '@chattrail/devserver';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Instances, seeded, turnOf } from './instances';
import { REDIS_SERVER, type RedisServer, startRedisServer } from './redis-server';

const THREADS = 50;
const TURNS_PER_THREAD = 20; // 1,000 turns: 4 instances x 250 on average

interface Conversation {
  id: string;
  meta_data: { thread_id: string };
  messages: { content: string; meta_data: { chattrail_message_id: string } }[];
}
interface Thread {
  externalId: string;
  messages: { externalId: string; content?: string }[];
}

async function state(server: DevServer): Promise<{ conversations: Conversation[]; threads: Thread[] }> {
  const [conversations, threads] = await Promise.all([
    fetch(`${server.url}/_devserver/mielto/conversations`).then((r) => r.json()),
    fetch(`${server.url}/_devserver/melodi/threads`).then((r) => r.json()),
  ]);
  return { conversations, threads };
}

/** The thread as it should be stored after `turns` turns: question and answer of each, in order. */
function expectedContents(threadId: string, turns: number): string[] {
  return Array.from({ length: turns }, (_, i) => [
    `${threadId} question ${i}`,
    `${threadId} answer ${i}`,
  ]).flat();
}

describe.skipIf(REDIS_SERVER === undefined)('many app instances sharing one Redis', () => {
  let redis: RedisServer;
  let server: DevServer;
  let instances: Instances | undefined;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    instances?.kill();
    instances = undefined;
    await server?.close();
  });
  const start = async (prefix: string): Promise<Instances> => {
    server = await startDevServer({ port: 0, melodiThreadMessages: 'replace' });
    instances = await Instances.start(4, {
      redisUrl: redis.url,
      prefix,
      mieltoBaseUrl: server.mieltoBaseUrl,
      melodiBaseUrl: server.melodiBaseUrl,
    });
    return instances;
  };

  it('4 instances x 250 turns over 50 threads, each turn from a random instance: one conversation per thread, every message once, every Melodi thread whole and in order', async () => {
    const app = await start('many');
    const random = seeded(28);
    // Threads run in parallel; within a thread, turn k+1 is sent only once turn k was recorded and
    // flushed by the instance that got it, as a user waits for the answer before asking again.
    const sentBy = new Map<number, number>();
    await Promise.all(
      Array.from({ length: THREADS }, async (_, t) => {
        const threadId = `thread-${t}`;
        for (let k = 0; k < TURNS_PER_THREAD; k++) {
          const index = Math.floor(random() * app.size);
          sentBy.set(index, (sentBy.get(index) ?? 0) + 1);
          expect(await app.send(index, turnOf(threadId, k))).toBe(true);
        }
      }),
    );
    await app.end();
    for (const ended of app.ended) expect(ended.errors).toEqual([]);
    expect([...sentBy.values()].every((turns) => turns > 150)).toBe(true);

    const { conversations, threads } = await state(server);
    expect(conversations).toHaveLength(THREADS);
    expect(new Set(conversations.map((c) => c.meta_data.thread_id)).size).toBe(THREADS);
    for (const conversation of conversations) {
      const threadId = conversation.meta_data.thread_id;
      expect(
        conversation.messages.map((m) => m.content),
        threadId,
      ).toEqual(expectedContents(threadId, TURNS_PER_THREAD));
    }
    expect(threads).toHaveLength(THREADS);
    for (const thread of threads) {
      expect(
        thread.messages.map((m) => m.content),
        thread.externalId,
      ).toEqual(expectedContents(thread.externalId, TURNS_PER_THREAD));
    }
    // With the store, a thread it has never seen is new: no conversation was looked up.
    const routes = server.stats().byRoute;
    expect(routes['GET /api/v1/conversations'] ?? 0).toBe(0);
    expect(routes['POST /api/v1/conversations']).toBe(THREADS);
    for (const ended of app.ended) {
      expect(ended.errors).toEqual([]);
      expect(ended.stats.dropped.retries_exhausted).toBe(0);
    }
  });

  it('4 instances that see a new thread at once create one conversation, and store each message once', async () => {
    const app = await start('at-once');
    for (let t = 0; t < 10; t++) {
      const threadId = `new-${t}`;
      const results = await Promise.all([0, 1, 2, 3].map((index) => app.send(index, turnOf(threadId, 0))));
      expect(results).toEqual([true, true, true, true]);
      // And the next turn, again on all four at once.
      await Promise.all([0, 1, 2, 3].map((index) => app.send(index, turnOf(threadId, 1))));
    }
    await app.end();
    const { conversations, threads } = await state(server);
    expect(conversations).toHaveLength(10);
    for (const conversation of conversations) {
      expect(conversation.messages.map((m) => m.content)).toEqual(
        expectedContents(conversation.meta_data.thread_id, 2),
      );
    }
    for (const thread of threads) {
      expect(thread.messages.map((m) => m.content)).toEqual(expectedContents(thread.externalId, 2));
    }
  });
});
