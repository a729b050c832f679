import { randomUUID } from 'node:crypto';
import type { ChatTrailStore, StoreSyncAnswer, StoreThreadState, StoreThreadSync } from '@chattrail/core';
import { commandsOf, connectTo, type RedisCall, type RedisClientLike } from './redis-commands';
import { SYNC_SCRIPT, UNLOCK_SCRIPT } from './store-scripts';

/** Where the store's Redis is: a URL (a node-redis client is created), or a client of your own. */
export type RedisStoreTarget = { url: string } | { client: RedisClientLike };

export interface RedisStoreOptions {
  /** Prefix of every key. Default `'chattrail'`. */
  prefix?: string;
  /**
   * Every key expires this long after its thread was last written. Longer than the longest pause in a
   * conversation: a thread the store forgot is taken for a new one. Default 30 days.
   */
  ttlSeconds?: number;
  /** With `{ url }`: how long connecting may take before commands fail (and the trail goes on without). Default 2,000 ms. */
  connectTimeoutMs?: number;
}

/** The Redis store: a {@link ChatTrailStore} for `createChatTrail({ store })`. */
export interface RedisStore extends ChatTrailStore {
  /** Closes the connection `{ url }` opened (a client you passed is yours to close). */
  close(): Promise<void>;
}

const DEFAULT_TTL_SECONDS = 30 * 24 * 60 * 60;

/**
 * The state several instances of an app share, on Redis: per destination and thread, the Mielto
 * conversation and the ids of the messages each backend holds (for Melodi their JSON too), plus a lock per
 * thread for creating its conversation once. One scripted command per destination per batch.
 *
 * @example
 * const store = redisStore({ url: process.env.REDIS_URL! }, { prefix: 'myapp', ttlSeconds: 7 * 86_400 });
 * const trail = createChatTrail({ destinations: [mielto(), melodi()], store });
 */
export function redisStore(target: RedisStoreTarget, options: RedisStoreOptions = {}): RedisStore {
  const prefix = options.prefix ?? 'chattrail';
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (typeof prefix !== 'string' || prefix === '')
    throw new TypeError('redisStore(): prefix must be a non-empty string');
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
    throw new TypeError(`redisStore(): ttlSeconds must be a positive integer, got ${String(ttlSeconds)}`);
  const ttlMs = String(ttlSeconds * 1000);
  let call: RedisCall;
  let close = async (): Promise<void> => {};
  if (target !== null && typeof target === 'object' && 'url' in target && typeof target.url === 'string') {
    const owned = connectTo(target.url, options.connectTimeoutMs ?? 2_000);
    call = owned.call;
    close = owned.close;
  } else if (target !== null && typeof target === 'object' && 'client' in target) {
    call = commandsOf(target.client);
  } else {
    throw new TypeError('redisStore(): pass { url } or { client }');
  }
  // One token per store: a lock is released only by the instance that holds it.
  const token = randomUUID();
  const key = (scope: string, threadId: string, part: string): string =>
    `${prefix}:${scope}:${threadId}:${part}`;
  const scripts = new Map<string, string>();
  const evalScript = async (script: string, keys: string[], args: string[]): Promise<unknown> => {
    const sha = scripts.get(script);
    if (sha !== undefined) {
      try {
        return await call(['EVALSHA', sha, String(keys.length), ...keys, ...args]);
      } catch (error) {
        // Redis restarted (its script cache is empty): load it again below.
        if (!String((error as Error)?.message).includes('NOSCRIPT')) throw error;
      }
    }
    scripts.set(script, String(await call(['SCRIPT', 'LOAD', script])));
    return call(['EVAL', script, String(keys.length), ...keys, ...args]);
  };

  return {
    async sync(scope: string, threads: readonly StoreThreadSync[]): Promise<StoreSyncAnswer> {
      const keys = [`${prefix}:epoch`];
      const args = [String(Date.now()), ttlMs];
      for (const thread of threads) {
        keys.push(
          key(scope, thread.threadId, 'v'),
          key(scope, thread.threadId, 'h'),
          key(scope, thread.threadId, 'l'),
        );
        const bodies = thread.entries.some((entry) => entry.body !== undefined);
        args.push(
          String(thread.from ?? -1),
          String(thread.entries.length),
          bodies ? '1' : '0',
          thread.fromId ?? '',
        );
        for (const entry of thread.entries) args.push(entry.id);
        if (bodies) for (const entry of thread.entries) args.push(entry.body ?? '');
      }
      const out = (await evalScript(SYNC_SCRIPT, keys, args)) as unknown[];
      const states: StoreThreadState[] = threads.map((thread, i) => {
        const value = String(out[1 + i * 4]);
        const added = String(out[2 + i * 4]);
        const state: StoreThreadState = { added: Array.from(added, (flag) => flag === '1') };
        if (value !== '') state.value = value;
        if (thread.from !== undefined) {
          state.start = Number(out[3 + i * 4]);
          state.tail = (out[4 + i * 4] as unknown[]).map(String);
        }
        return state;
      });
      return { fresh: Number(out[0]) === 1, threads: states };
    },
    async setValue(scope, threadId, value) {
      await call(['SET', key(scope, threadId, 'v'), value, 'PX', ttlMs]);
    },
    async remove(scope, threadId, ids) {
      if (ids === undefined) {
        await call(['DEL', key(scope, threadId, 'v'), key(scope, threadId, 'h'), key(scope, threadId, 'l')]);
      } else if (ids.length > 0) {
        await call(['HDEL', key(scope, threadId, 'h'), ...ids]);
      }
    },
    async lock(scope, threadId, lockMs) {
      const answer = await call(['SET', key(scope, threadId, 'lock'), token, 'NX', 'PX', String(lockMs)]);
      return answer === 'OK';
    },
    async unlock(scope, threadId) {
      await evalScript(UNLOCK_SCRIPT, [key(scope, threadId, 'lock')], [token]);
    },
    close: () => close(),
  };
}
