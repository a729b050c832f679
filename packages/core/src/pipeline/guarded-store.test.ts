import { describe, expect, it, vi } from 'vitest';
import { memoryStore } from '../../test/memory-store';
import {
  ConversationScript,
  closeServersAfterEach,
  devServer,
  MELODI_KEY,
  MIELTO_KEY,
  melodiThreads,
  mieltoConversations,
  PROJECT_ID,
} from '../../test/trail-test-kit';
import { melodi } from '../destinations/melodi-destination';
import { mielto } from '../destinations/mielto-destination';
import type { ChatTrailError } from '../errors';
import type { ChatTrailStore } from '../spec/chat-trail-store';
import { createChatTrail } from './create-chat-trail';
import { GuardedStore } from './guarded-store';
import { TrailErrors } from './trail-errors';

closeServersAfterEach();

/** Trails in one process sharing a store: as app instances sharing one Redis. */
async function instances(count: number, store: ChatTrailStore, errors: ChatTrailError[] = []) {
  const server = await devServer({ melodiThreadMessages: 'replace' });
  const trails = Array.from({ length: count }, () =>
    createChatTrail({
      destinations: [
        mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl }),
        melodi({ apiKey: MELODI_KEY, baseUrl: server.melodiBaseUrl, projectId: PROJECT_ID }),
      ],
      store,
      onError: (error) => errors.push(error),
    }),
  );
  return { server, trails };
}

describe('a trail with a shared store', () => {
  it('turns of one thread on alternating instances make one conversation, each message once, the Melodi thread whole', async () => {
    const store = memoryStore();
    const { server, trails } = await instances(3, store);
    const script = new ConversationScript('shared-1');
    for (let k = 0; k < 6; k++) {
      const trail = trails[k % 3]!;
      trail.record(script.turn());
      expect((await trail.flush()).ok).toBe(true);
    }
    const conversations = await mieltoConversations(server);
    expect(conversations).toHaveLength(1);
    expect(conversations[0]!.messages.map((m) => m.content)).toEqual(script.history.map((m) => m.content));
    const [thread] = await melodiThreads(server);
    expect(thread!.messages.map((m) => m.content)).toEqual(script.history.map((m) => m.content));
    // The store knew the thread was new: no lookup.
    expect(server.stats().byRoute['GET /api/v1/conversations'] ?? 0).toBe(0);
    await Promise.all(trails.map((trail) => trail.shutdown()));
  });

  it('a store that fails: delivery goes on, the outage is reported once, and the store is used again once back', async () => {
    const store = memoryStore();
    const errors: ChatTrailError[] = [];
    const { server, trails } = await instances(1, store, errors);
    const trail = trails[0]!;
    const script = new ConversationScript('shared-2');
    store.failing = true;
    for (let k = 0; k < 3; k++) {
      trail.record(script.turn());
      await trail.flush();
    }
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^store: sync failed \(store down\)/),
    ]);
    expect(trail.stats().sent).toBe(6); // 3 turns x 2 destinations
    store.failing = false;
    // The store is asked again a second after the outage began.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const before = store.calls;
    trail.record(script.turn());
    expect((await trail.flush()).ok).toBe(true);
    expect(store.calls).toBeGreaterThan(before);
    const [conversation] = await mieltoConversations(server);
    expect(conversation!.messages.map((m) => m.content)).toEqual(script.history.map((m) => m.content));
    await trail.shutdown();
  });

  it('a store that never answers costs a bounded wait, not a hang', async () => {
    const store = memoryStore();
    store.sync = () => new Promise(() => {});
    const errors: ChatTrailError[] = [];
    const { trails } = await instances(1, store, errors);
    trails[0]!.record(new ConversationScript('shared-3').turn());
    const report = await trails[0]!.flush({ timeoutMs: 30_000 });
    expect(report.ok).toBe(true);
    expect(errors[0]?.message).toMatch(/no answer within 2000 ms/);
    await trails[0]!.shutdown();
  });

  it('an instance whose store stops answering while another creates the conversation waits for it: one conversation', async () => {
    const shared = memoryStore();
    const server = await devServer({ melodiThreadMessages: 'replace' });
    let aLocked!: () => void;
    const locked = new Promise<void>((resolve) => {
      aLocked = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // A takes the lock and creates the conversation; storing its id waits until B's store has timed out.
    const a: ChatTrailStore = {
      ...shared,
      lock: async (scope, threadId, ttlMs) => {
        const got = await shared.lock(scope, threadId, ttlMs);
        if (got) aLocked();
        return got;
      },
      setValue: async (scope, threadId, value) => {
        await released;
        return shared.setValue(scope, threadId, value);
      },
    };
    // B sees the lock held, then its store stops answering lock calls (a slow Redis on a loaded machine).
    let bLocks = 0;
    const b: ChatTrailStore = {
      ...shared,
      timeoutMs: 200,
      lock: (scope, threadId, ttlMs) =>
        bLocks++ === 0 ? shared.lock(scope, threadId, ttlMs) : new Promise<boolean>(() => {}),
    };
    let bTimedOut!: (error: ChatTrailError) => void;
    const timedOut = new Promise<ChatTrailError>((resolve) => {
      bTimedOut = resolve;
    });
    const trailOf = (store: ChatTrailStore, onError: (error: ChatTrailError) => void) =>
      createChatTrail({
        destinations: [
          mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl }),
          melodi({ apiKey: MELODI_KEY, baseUrl: server.melodiBaseUrl, projectId: PROJECT_ID }),
        ],
        store,
        onError,
      });
    const trailA = trailOf(a, () => {});
    const trailB = trailOf(b, bTimedOut);
    const script = new ConversationScript('shared-4');
    trailA.record(script.turn());
    const flushedA = trailA.flush({ timeoutMs: 30_000 });
    await locked;
    trailB.record(script.turn());
    const flushedB = trailB.flush({ timeoutMs: 30_000 });
    expect((await timedOut).message).toMatch(/^store: lock failed \(no answer within 200 ms\)/);
    release();
    expect((await flushedA).ok).toBe(true);
    expect((await flushedB).ok).toBe(true);
    const conversations = await mieltoConversations(server);
    expect(conversations).toHaveLength(1);
    expect(conversations[0]!.messages.map((m) => m.content)).toEqual(script.history.map((m) => m.content));
    await Promise.all([trailA.shutdown(), trailB.shutdown()]);
  });

  it('rejects a store that is not one', () => {
    expect(() => createChatTrail({ store: {} as ChatTrailStore, destinations: [] })).toThrow(/store/);
  });
});

describe('GuardedStore', () => {
  it('reports an outage once, and a failure within 30 s of the store coming back as the same outage (debug only)', async () => {
    vi.useFakeTimers();
    try {
      const store = memoryStore();
      store.failing = true;
      const reported: string[] = [];
      const debug: string[] = [];
      const guarded = new GuardedStore(
        store,
        new TrailErrors((error) => reported.push(error.message)),
        (line) => debug.push(line),
      );
      const scoped = guarded.scoped('mielto');
      const sync = () => scoped.sync([{ threadId: 't', entries: [] }]);
      expect(await sync()).toBeUndefined();
      expect(reported).toHaveLength(1);
      store.failing = false;
      vi.advanceTimersByTime(1_100);
      expect(await sync()).toBeDefined();
      store.failing = true;
      vi.advanceTimersByTime(2_000);
      expect(await sync()).toBeUndefined();
      expect(reported).toHaveLength(1);
      expect(debug.at(-1)).toMatch(/^store: sync failed \(store down\).*not reported again\)$/);
      // Up for longer than that: the next failure is a new outage.
      store.failing = false;
      vi.advanceTimersByTime(1_100);
      expect(await sync()).toBeDefined();
      vi.advanceTimersByTime(31_000);
      store.failing = true;
      expect(await sync()).toBeUndefined();
      expect(reported).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
