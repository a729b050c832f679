import IORedis from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisStore, redisStore } from '../src/index';
import { REDIS_SERVER, type RedisServer, startRedisServer } from './redis-server';

describe.skipIf(REDIS_SERVER === undefined)('redisStore on a real redis-server', () => {
  let server: RedisServer;
  const stores: RedisStore[] = [];
  const open = (prefix: string, ttlSeconds?: number): RedisStore => {
    const store = redisStore({ url: server.url }, { prefix, ...(ttlSeconds ? { ttlSeconds } : {}) });
    stores.push(store);
    return store;
  };
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await server?.stop();
  });

  it('adds the entries a thread lacks, in order, and answers which were added, its value and the tail', async () => {
    const a = open('t1');
    const b = open('t1');
    const first = await a.sync('melodi', [
      {
        threadId: 'x',
        entries: [
          { id: 'm1', body: 'one' },
          { id: 'm2', body: 'two' },
        ],
        from: 0,
      },
    ]);
    expect(first.threads[0]).toEqual({ added: [true, true], start: 0, tail: [] });
    // Another instance, which knew nothing of the thread: m2 is held, m3 new, and it reads m1 and m2.
    const second = await b.sync('melodi', [
      {
        threadId: 'x',
        entries: [
          { id: 'm2', body: 'two' },
          { id: 'm3', body: 'three' },
        ],
        from: 0,
      },
    ]);
    expect(second.threads[0]).toEqual({ added: [false, true], start: 0, tail: ['one', 'two'] });
    // The first reads only what it lacks; a thread of another scope is separate.
    const third = await a.sync('melodi', [{ threadId: 'x', entries: [], from: 2, fromId: 'm2' }]);
    expect(third.threads[0]).toEqual({ added: [], start: 2, tail: ['three'] });
    // Another entry at `from - 1` than the one read (the store lost the thread, others stored again): from 0.
    const moved = await a.sync('melodi', [{ threadId: 'x', entries: [], from: 2, fromId: 'm1' }]);
    expect(moved.threads[0]).toEqual({ added: [], start: 0, tail: ['one', 'two', 'three'] });
    const other = await a.sync('mielto', [{ threadId: 'x', entries: [{ id: 'm1' }] }]);
    expect(other.threads[0]).toEqual({ added: [true] });
    // A `from` past what the thread holds (the store lost it) reads from the start.
    const past = await a.sync('melodi', [{ threadId: 'x', entries: [], from: 9 }]);
    expect(past.threads[0]!.start).toBe(0);
  });

  it('keeps a value per thread, takes entries back, and forgets a thread', async () => {
    const store = open('t2');
    await store.setValue('mielto', 'x', 'conv_1');
    await store.sync('mielto', [{ threadId: 'x', entries: [{ id: 'a' }, { id: 'b' }] }]);
    await store.remove('mielto', 'x', ['b']);
    const answer = await store.sync('mielto', [{ threadId: 'x', entries: [{ id: 'a' }, { id: 'b' }] }]);
    expect(answer.threads[0]).toEqual({ value: 'conv_1', added: [false, true] });
    await store.remove('mielto', 'x');
    const gone = await store.sync('mielto', [{ threadId: 'x', entries: [{ id: 'a' }] }]);
    expect(gone.threads[0]).toEqual({ added: [true] });
  });

  it('gives a thread lock to one instance at a time, released only by its holder', async () => {
    const a = open('t3');
    const b = open('t3');
    const taken = await Promise.all([a, b, a, b].map((store) => store.lock('mielto', 'x', 10_000)));
    expect(taken.filter(Boolean)).toHaveLength(1);
    const holder = taken[0] ? a : b;
    const other = holder === a ? b : a;
    await other.unlock('mielto', 'x');
    expect(await other.lock('mielto', 'x', 10_000)).toBe(false);
    await holder.unlock('mielto', 'x');
    expect(await other.lock('mielto', 'x', 10_000)).toBe(true);
  });

  it('puts a TTL on every key it writes', async () => {
    const store = open('t4', 3600);
    await store.setValue('mielto', 'x', 'conv_1');
    await store.sync('melodi', [{ threadId: 'x', entries: [{ id: 'm1', body: '{}' }], from: 0 }]);
    await store.lock('mielto', 'x', 60_000);
    const client = createClient({ url: server.url });
    await client.connect();
    try {
      const keys = await client.keys('t4:*');
      expect(keys.sort()).toEqual([
        't4:epoch',
        't4:melodi:x:h',
        't4:melodi:x:l',
        't4:mielto:x:lock',
        't4:mielto:x:v',
      ]);
      for (const key of keys) {
        const ttl = await client.pTTL(key);
        expect(ttl, key).toBeGreaterThan(0);
        expect(ttl, key).toBeLessThanOrEqual(3_600_000);
      }
    } finally {
      client.destroy();
    }
  });

  it('is fresh for a TTL after it began empty, and works again after Redis restarted (script cache empty)', async () => {
    const store = open('t5', 1);
    expect((await store.sync('s', [])).fresh).toBe(true);
    await server.restart();
    // The client reconnects in the background; until then calls fail fast.
    let answer: Awaited<ReturnType<RedisStore['sync']>> | undefined;
    for (let i = 0; i < 200 && answer === undefined; i++) {
      answer = await store.sync('s', [{ threadId: 'x', entries: [{ id: 'a' }] }]).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return undefined;
      });
    }
    expect(answer?.threads[0]).toEqual({ added: [true] });
  });

  it('fails fast, never hangs, while Redis is down', async () => {
    const store = redisStore({ url: 'redis://127.0.0.1:1' }, { connectTimeoutMs: 200 });
    stores.push(store);
    await expect(store.sync('s', [])).rejects.toThrow(/not connected/);
  });
});

describe.skipIf(REDIS_SERVER === undefined)('redisStore with a client of your own', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('works the same with an ioredis client and a node-redis client', async () => {
    const ioredis = new IORedis(server.port, '127.0.0.1', { enableOfflineQueue: false, lazyConnect: true });
    await ioredis.connect();
    const nodeRedis = createClient({ url: server.url, disableOfflineQueue: true });
    await nodeRedis.connect();
    try {
      const a = redisStore({ client: ioredis }, { prefix: 'own' });
      const b = redisStore({ client: nodeRedis }, { prefix: 'own' });
      const first = await a.sync('melodi', [
        { threadId: 'x', entries: [{ id: 'm1', body: 'one' }], from: 0 },
      ]);
      expect(first.threads[0]).toEqual({ added: [true], start: 0, tail: [] });
      const second = await b.sync('melodi', [
        { threadId: 'x', entries: [{ id: 'm1', body: 'one' }], from: 0 },
      ]);
      expect(second.threads[0]).toEqual({ added: [false], start: 0, tail: ['one'] });
      expect(await a.lock('mielto', 'x', 10_000)).toBe(true);
      expect(await b.lock('mielto', 'x', 10_000)).toBe(false);
      await a.unlock('mielto', 'x');
      expect(await b.lock('mielto', 'x', 10_000)).toBe(true);
      await b.close(); // a client passed in is the app's: close() leaves it open
      expect(await nodeRedis.ping()).toBe('PONG');
    } finally {
      ioredis.disconnect();
      nodeRedis.destroy();
    }
  });

  it('rejects what is not a client', () => {
    expect(() => redisStore({ client: {} as never })).toThrow(
      /node-redis client \(sendCommand\) or an ioredis client \(call\)/,
    );
  });
});
