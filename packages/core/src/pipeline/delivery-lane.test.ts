import { startDevServer } from '@chattrail/devserver';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { heldBytes, seededRandom, wholeBytes } from '../../test/queue-bytes-kit';
import { startScriptedServer } from '../../test/scripted-http-server';
import {
  ConversationScript,
  closeServersAfterEach,
  devServer,
  MELODI_KEY,
  MIELTO_KEY,
  melodiThreads,
  mieltoConversations,
  PROJECT_ID,
  requestsOf,
} from '../../test/trail-test-kit';
import { melodi } from '../destinations/melodi-destination';
import { mielto } from '../destinations/mielto-destination';
import { ChatTrailDeliveryError, type ChatTrailError } from '../errors';
import type { ChatTrailDrop } from '../spec/chat-trail';
import type { ChatTrailDestination, DeliveryItem, DeliveryOutcome } from '../spec/chat-trail-destination';
import type { Turn, TurnMessage } from '../spec/turn';
import { createChatTrail } from './create-chat-trail';
import { DeliveryLane } from './delivery-lane';
import { estimateTurnBytes } from './estimate-turn-bytes';
import type { LaneHost } from './lane-host';

closeServersAfterEach();
/** Generous: a loaded machine runs timers late, and these waits only guard against hanging forever. */
const WAIT = { timeout: 10_000 };
afterEach(() => {
  vi.restoreAllMocks();
});

/** A destination the test drives by hand: each send waits until the test settles it. */
function manualDestination(name = 'manual') {
  const calls: { items: readonly DeliveryItem[]; settle: (outcome: DeliveryOutcome['status']) => void }[] =
    [];
  const destination: ChatTrailDestination = {
    name,
    send: (items) =>
      new Promise((resolve) => {
        calls.push({
          items,
          settle: (status) =>
            resolve(
              items.map(
                (): DeliveryOutcome =>
                  status === 'retry'
                    ? { status: 'retry', error: new Error('try later') }
                    : status === 'dropped'
                      ? { status: 'dropped', reason: 'permanent_error', error: new Error('no') }
                      : { status: 'sent' },
              ),
            ),
        });
      }),
  };
  return { destination, calls };
}

const turnIds = (items: readonly DeliveryItem[]) =>
  items.map((item) => (item.type === 'turn' ? item.turn.id : 'fb'));

describe('delivery', () => {
  it('loses nothing to 30 s of 503s followed by recovery', { timeout: 90_000 }, async () => {
    const server = await devServer();
    const outageStarted = Date.now();
    server.setFaults([{ route: '*', status: 503, durationMs: 30_000 }]);
    const errors: ChatTrailError[] = [];
    const trail = createChatTrail({
      destinations: [
        mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl }),
        melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl }),
      ],
      maxRetries: 1,
      flushAt: 5,
      flushIntervalMs: 100,
      // The default cap (30 s) could leave the first attempt after recovery up to 30 s later; the path
      // under test is the same (batches back to the front of the queue until the backend is back).
      backoff: { initialMs: 250, maxMs: 2_000 },
      onError: (error) => errors.push(error),
    });
    const scripts = ['a', 'b', 'c'].map((id) => new ConversationScript(`outage-${id}`, { id: `user-${id}` }));
    // Turns keep coming all through the outage: 6 rounds, one every 5 s.
    for (let round = 0; round < 6; round++) {
      for (const script of scripts) trail.record(script.turn());
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
    expect(Date.now() - outageStarted).toBeGreaterThanOrEqual(30_000);
    expect(trail.stats().retried).toBeGreaterThan(0);
    // Generous (the test allows 90 s): the backlog of 36 deliveries goes out after the outage.
    const report = await trail.flush({ timeoutMs: 40_000 });
    expect(report.ok, JSON.stringify(report)).toBe(true);
    expect(errors).toEqual([]);

    const conversations = await mieltoConversations(server);
    const threads = await melodiThreads(server);
    expect(conversations).toHaveLength(3);
    expect(threads).toHaveLength(3);
    for (const script of scripts) {
      const conversation = conversations.find((c) => c.meta_data.thread_id === script.threadId)!;
      expect(conversation.messages.map((m) => m.meta_data?.chattrail_message_id)).toEqual(
        script.history.map((m) => m.id),
      );
      const thread = threads.find((t) => t.externalId === script.threadId)!;
      expect(thread.messages.map((m) => m.externalId)).toEqual(script.history.map((m) => m.id));
    }
    const stats = trail.stats();
    expect(stats).toMatchObject({ recorded: 18, sent: 36, queuedTurns: 0 });
    expect(Object.values(stats.dropped).every((count) => count === 0)).toBe(true);
    await trail.shutdown();
  });

  it('honours Retry-After on 429', async () => {
    const server = await devServer();
    server.setFaults([{ route: 'POST /api/v1/messages', status: 429, retryAfter: 1, times: 2 }]);
    const trail = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl })],
      maxRetries: 0, // the trail's own backoff handles it, with the server's delay
      backoff: { initialMs: 10, maxMs: 20 },
    });
    trail.record(new ConversationScript('thread-429').turn());
    const report = await trail.flush({ timeoutMs: 10_000 });
    expect(report.ok).toBe(true);
    const posts = requestsOf(server, 'POST /api/v1/messages');
    expect(posts.map((p) => p.status)).toEqual([429, 429, 201]);
    // Retry-After: 1 s between attempts, although the configured backoff would have retried in ~20 ms.
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(900);
    expect(posts[2]!.at - posts[1]!.at).toBeGreaterThanOrEqual(900);
    expect(trail.stats().retried).toBe(2);
    await trail.shutdown();
  });

  it('resolves flush({ timeoutMs: 500 }) in about 500 ms while the backend hangs, and shutdown aborts', async () => {
    const server = await devServer();
    server.setFaults([{ route: '*', hang: true }]);
    const trail = createChatTrail({
      destinations: [
        mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl }),
        melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl }),
      ],
      // A minute per request, so the bounds below (which a loaded machine may need) cannot be met by the
      // hanging requests timing out on their own.
      timeoutMs: 60_000,
    });
    trail.record(new ConversationScript('thread-hang').turn());
    let started = performance.now();
    const report = await trail.flush({ timeoutMs: 500 });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(490);
    // About 500 ms; the bound only has to tell it from the minute the hanging requests would take.
    expect(elapsed).toBeLessThan(20_000);
    expect(report).toEqual({ ok: false, pendingTurns: 2 });

    started = performance.now();
    const final = await trail.shutdown({ timeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(final).toMatchObject({ ok: false, pendingTurns: 2 });
    // The hung requests were aborted: nothing of the trail keeps the process busy.
    trail.record(new ConversationScript('after-shutdown').turn());
    expect(trail.stats().dropped.shutdown).toBe(1);
    expect(await trail.shutdown()).toBe(final);
  });

  it('reports a 401 once per destination, does not retry it, and never shows the key', async () => {
    const server = await startDevServer({
      port: 0,
      apiKeys: { mielto: ['the-right-key'], melodi: ['the-right-key'] },
    });
    const mieltoKey = 'sk-live-mielto-0123456789abcdefSECRET';
    const melodiKey = 'melodi-0123456789abcdef-SECRET';
    const errors: ChatTrailError[] = [];
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    try {
      const trail = createChatTrail({
        destinations: [
          mielto({ apiKey: mieltoKey, baseUrl: server.mieltoBaseUrl }),
          melodi({ apiKey: melodiKey, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl }),
        ],
        onError: (error) => errors.push(error),
        debug: true,
      });
      for (let i = 0; i < 3; i++) {
        trail.record(new ConversationScript(`thread-401-${i}`).turn());
        const report = await trail.flush();
        expect(report).toMatchObject({ ok: false, pendingTurns: 0, droppedTurns: 2 });
        expect(report.errors!.join('\n')).toContain('401');
      }
      expect(errors).toHaveLength(2);
      const byName = (name: string) =>
        (errors as ChatTrailDeliveryError[]).find((e) => e.destination === name);
      const [mieltoError, melodiError] = [byName('mielto'), byName('melodi')];
      expect(mieltoError).toBeInstanceOf(ChatTrailDeliveryError);
      expect(mieltoError).toMatchObject({ destination: 'mielto', status: 401, reason: 'permanent_error' });
      expect(mieltoError!.message).toMatch(
        // A thread's first turn is not looked up: its creation is the first request.
        /^mielto destination dropped 1 turn \(permanent_error, HTTP 401\): Mielto POST \/api\/v1\/conversations/,
      );
      expect(melodiError!.message).toMatch(
        /^melodi destination .*HTTP 401.*Melodi PUT \/api\/external\/threads failed with 401/,
      );
      // One request per turn and destination: a 401 is never retried.
      expect(server.stats().requests).toBe(6);
      expect(server.stats().byStatus).toEqual({ 401: 6 });
      expect(trail.stats().dropped.permanent_error).toBe(6);
      expect(trail.stats().retried).toBe(0);
      const logged = debug.mock.calls.map((call) => call.join(' ')).join('\n');
      expect(logged).toContain('[chattrail] mielto');
      for (const text of [
        logged,
        ...errors.map((e) => `${e.message} ${String((e.cause as Error)?.message)}`),
      ]) {
        expect(text).not.toContain('SECRET');
        expect(text).not.toContain(mieltoKey);
        expect(text).not.toContain(melodiKey);
        expect(text.toLowerCase()).not.toContain('authorization');
      }
      await trail.shutdown();
    } finally {
      await server.close();
    }
  });

  it('drops the oldest queued turns when the queue is full, and counts them', async () => {
    const { destination, calls } = manualDestination();
    const errors: ChatTrailError[] = [];
    const trail = createChatTrail({
      destinations: [destination],
      maxQueueTurns: 5,
      flushAt: 1_000,
      onError: (error) => errors.push(error),
    });
    const script = new ConversationScript('thread-full');
    for (let i = 0; i < 8; i++) trail.record(script.turn());
    expect(trail.stats()).toMatchObject({ recorded: 8, queuedTurns: 5, dropped: { queue_full: 3 } });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('queue full');

    const flushing = trail.flush();
    // The newest five survive (they carry the history of the three dropped ones), in batches of at most
    // half the queue, so newer turns can still queue behind a batch that hangs.
    await vi.waitFor(() => expect(calls).toHaveLength(1), WAIT);
    calls[0]!.settle('sent');
    await vi.waitFor(() => expect(calls).toHaveLength(2), WAIT);
    calls[1]!.settle('sent');
    expect(calls.flatMap((call) => turnIds(call.items))).toEqual(
      [4, 5, 6, 7, 8].map((n) => `thread-full-turn-${n}`),
    );
    expect(calls[0]!.items).toHaveLength(3);
    expect(await flushing).toEqual({ ok: true, pendingTurns: 0 });
  });

  it('bounds the queue by bytes as well', () => {
    const { destination } = manualDestination();
    const trail = createChatTrail({
      destinations: [destination],
      maxQueueBytes: 4_000,
      flushAt: 1_000,
      onError() {},
    });
    // One turn per thread: a thread's growing history would soon make each turn larger than half the
    // bound, which is dropped as too_large (see the next describe) rather than making room.
    for (let i = 0; i < 20; i++) {
      trail.record(new ConversationScript(`thread-bytes-${i}`).turn('x'.repeat(200), 'y'.repeat(200)));
    }
    const stats = trail.stats();
    expect(stats.queuedBytes).toBeLessThanOrEqual(4_000);
    expect(stats.dropped.queue_full).toBeGreaterThan(0);
    expect(stats.queuedTurns + stats.dropped.queue_full).toBe(20);
  });

  it('counts a resent history once: turns sharing their history take only what they add', async () => {
    const { destination, calls } = manualDestination();
    const trail = createChatTrail({
      destinations: [destination],
      maxQueueBytes: 400_000,
      flushAt: 1_000,
      onError() {},
    });
    const script = new ConversationScript('thread-shared');
    // 50 turns, each resending the history and adding 2 messages of 1,000 characters: counted whole,
    // they are about 2.6 MB; held, the history once (about 100 KB) and 50 turns' own arrays and messages.
    let last = 0;
    for (let i = 0; i < 50; i++) {
      const turn = script.turn('q'.repeat(1_000), 'a'.repeat(1_000));
      last = turn.messages.reduce((sum, message) => sum + message.content.length, 0);
      trail.record(turn);
    }
    const stats = trail.stats();
    expect(stats.dropped.queue_full).toBe(0);
    expect(stats.queuedTurns).toBe(50);
    // At least the latest history, whole, and within the bound.
    expect(stats.queuedBytes).toBeGreaterThan(last);
    expect(stats.queuedBytes).toBeLessThanOrEqual(400_000);
    // The thread's share goes with its last pending turn.
    const flushing = trail.flush();
    await vi.waitFor(() => expect(calls).toHaveLength(1), WAIT);
    calls[0]!.settle('sent');
    expect(await flushing).toEqual({ ok: true, pendingTurns: 0 });
    expect(trail.stats().queuedBytes).toBe(0);
  });

  it('puts a failed batch back in front of newer turns, in order', async () => {
    const { destination, calls } = manualDestination();
    const trail = createChatTrail({
      destinations: [destination],
      flushAt: 2,
      backoff: { initialMs: 20, maxMs: 40 },
    });
    const script = new ConversationScript('thread-order');
    trail.record(script.turn());
    trail.record(script.turn());
    await vi.waitFor(() => expect(calls).toHaveLength(1), WAIT);
    trail.record(script.turn()); // queued behind the batch in flight
    calls[0]!.settle('retry');
    await vi.waitFor(() => expect(calls).toHaveLength(2), WAIT);
    expect(turnIds(calls[1]!.items)).toEqual([1, 2, 3].map((n) => `thread-order-turn-${n}`));
    calls[1]!.settle('sent');
    expect(await trail.flush()).toEqual({ ok: true, pendingTurns: 0 });
    expect(trail.stats()).toMatchObject({ sent: 3, retried: 1 });
  });

  it('drops a batch as internal_error when a custom destination throws', async () => {
    const errors: ChatTrailError[] = [];
    const trail = createChatTrail({
      destinations: [
        {
          name: 'broken',
          send: () => {
            throw new Error('bug in destination');
          },
        },
      ],
      onError: (error) => errors.push(error),
    });
    trail.record(new ConversationScript('t').turn());
    expect(await trail.flush()).toMatchObject({ ok: false, pendingTurns: 0, droppedTurns: 1 });
    expect(trail.stats().dropped.internal_error).toBe(1);
    expect(errors[0]!.message).toContain('bug in destination');
  });

  it('sends on its own after flushIntervalMs, and as soon as flushAt turns are queued', async () => {
    const { destination, calls } = manualDestination();
    const trail = createChatTrail({
      destinations: [destination],
      flushAt: 3,
      flushIntervalMs: 150,
      minBatchIntervalMs: 0,
    });
    const script = new ConversationScript('thread-timer');
    const started = performance.now();
    trail.record(script.turn());
    await vi.waitFor(() => expect(calls).toHaveLength(1), { ...WAIT, interval: 5 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    calls[0]!.settle('sent');
    await trail.flush();

    for (let i = 0; i < 3; i++) trail.record(script.turn());
    expect(calls).toHaveLength(1); // never inside record()
    await Promise.resolve();
    expect(calls).toHaveLength(2); // right after it, without waiting for the timer
    calls[1]!.settle('sent');
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
  });

  it('starts batches at least minBatchIntervalMs apart under load, and a thread waiting meanwhile goes in one request', async () => {
    const server = await devServer();
    const trail = createChatTrail({
      destinations: [melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl })],
      flushAt: 1,
      // Long enough that the first request, however slow a loaded machine makes it, comes well before it.
      minBatchIntervalMs: 3_000,
    });
    const script = new ConversationScript('thread-paced');
    const started = performance.now();
    trail.record(script.turn());
    await vi.waitFor(() => expect(requestsOf(server, 'PUT /api/external/threads')).toHaveLength(1), {
      ...WAIT,
      interval: 5,
    });
    const firstAfter = performance.now() - started;
    // Five more turns of the thread while the interval runs: one PUT carries them all, after it.
    for (let i = 0; i < 5; i++) trail.record(script.turn());
    // The devserver logs a request as it answers; the lane counts it sent a moment later.
    await vi.waitFor(
      () => {
        expect(requestsOf(server, 'PUT /api/external/threads')).toHaveLength(2);
        expect(trail.stats().queuedTurns).toBe(0);
      },
      { ...WAIT, interval: 5 },
    );
    expect(firstAfter).toBeLessThan(3_000); // the first batch did not wait
    expect(performance.now() - started).toBeGreaterThanOrEqual(2_990);
    expect(trail.stats()).toMatchObject({ sent: 6, requests: 2 });
    expect((await melodiThreads(server))[0]!.messages).toHaveLength(12);
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
  });

  /** A trail sending each turn at once but for the batch interval, whose first batch has just been sent. */
  async function afterFirstBatch(threadId: string, minBatchIntervalMs: number) {
    const { destination, calls } = manualDestination();
    const trail = createChatTrail({ destinations: [destination], flushAt: 1, minBatchIntervalMs });
    const script = new ConversationScript(threadId);
    trail.record(script.turn());
    await vi.waitFor(() => expect(calls).toHaveLength(1), WAIT);
    calls[0]!.settle('sent');
    return { trail, calls, script };
  }

  it('times the batch interval on a clock that never goes back: a wall clock set back an hour holds nothing', async () => {
    const { trail, calls, script } = await afterFirstBatch('thread-clock', 100);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() - 3_600_000);
      const started = performance.now();
      trail.record(script.turn());
      await vi.waitFor(() => expect(calls).toHaveLength(2), WAIT);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      vi.useRealTimers();
    }
    calls[1]!.settle('sent');
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
  });

  it('does not make flush() wait for the batch interval', async () => {
    const { trail, calls, script } = await afterFirstBatch('thread-flush-paced', 60_000);
    trail.record(script.turn());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toHaveLength(1); // paced: a minute to go
    const started = performance.now();
    const flushing = trail.flush({ timeoutMs: 20_000 });
    await vi.waitFor(() => expect(calls).toHaveLength(2), WAIT);
    calls[1]!.settle('sent');
    expect(await flushing).toEqual({ ok: true, pendingTurns: 0 });
    expect(performance.now() - started).toBeLessThan(20_000); // not the minute the interval has to go
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
  });
});

describe('onDrop (dead letter)', () => {
  it('hands over every batch a destination gives up on, as it would have been sent', async () => {
    const server = await devServer();
    server.setFaults([{ route: '*', status: 401 }]);
    const drops: ChatTrailDrop[] = [];
    const trail = createChatTrail({
      destinations: [melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl })],
      onError: () => {},
      onDrop: (drop) => drops.push(drop),
    });
    const script = new ConversationScript('thread-dead-letter');
    for (let i = 0; i < 3; i++) {
      trail.record(script.turn());
      await trail.flush();
    }
    // onError speaks once per destination and status; onDrop gets every batch.
    expect(drops).toHaveLength(3);
    for (const drop of drops) {
      expect(drop).toMatchObject({ destination: 'melodi', reason: 'permanent_error', feedback: [] });
      expect(drop.turns).toHaveLength(1);
      expect((drop.error as { status?: number }).status).toBe(401);
    }
    expect(drops[2]!.turns[0]!.messages.map((m) => m.id)).toEqual(script.history.map((m) => m.id));

    // Replayed once the backend is fixed, the turns land, each message once.
    server.clearFaults();
    for (const drop of drops) for (const turn of drop.turns) trail.record(turn);
    expect((await trail.flush()).ok).toBe(true);
    const [thread] = await melodiThreads(server);
    expect(thread!.messages.map((m) => m.externalId)).toEqual(script.history.map((m) => m.id));
    await trail.shutdown();
  });

  it('hands over the oldest turns a full queue drops, and what shutdown leaves pending', async () => {
    const { destination } = manualDestination();
    const drops: ChatTrailDrop[] = [];
    const trail = createChatTrail({
      destinations: [destination],
      maxQueueTurns: 3,
      flushAt: 1_000,
      onError: () => {},
      onDrop: (drop) => drops.push(drop),
    });
    const turns = Array.from({ length: 5 }, (_, i) => new ConversationScript(`thread-q${i}`).turn());
    for (const turn of turns) trail.record(turn);
    expect(drops.map((d) => [d.reason, d.turns.map((t) => t.threadId)])).toEqual([
      ['queue_full', ['thread-q0']],
      ['queue_full', ['thread-q1']],
    ]);
    // The manual destination never answers: shutdown gives up at its timeout with three turns pending.
    const report = await trail.shutdown({ timeoutMs: 200 });
    expect(report).toMatchObject({ ok: false, pendingTurns: 3 });
    expect(drops).toHaveLength(3);
    expect(drops[2]).toMatchObject({ destination: 'manual', reason: 'shutdown' });
    expect(drops[2]!.turns.map((t) => t.threadId)).toEqual(['thread-q2', 'thread-q3', 'thread-q4']);
  });

  it('is never in the way: a hook that throws changes nothing', async () => {
    const { destination } = manualDestination();
    const trail = createChatTrail({
      destinations: [destination],
      maxQueueTurns: 1,
      flushAt: 1_000,
      onError: () => {},
      onDrop: () => {
        throw new Error('dead letter store down');
      },
    });
    const script = new ConversationScript('thread-throwing-hook');
    expect(() => {
      for (let i = 0; i < 3; i++) trail.record(script.turn());
    }).not.toThrow();
    expect(trail.stats()).toMatchObject({ recorded: 3, queuedTurns: 1, dropped: { queue_full: 2 } });
    await trail.shutdown({ timeoutMs: 100 });
  });
});

describe('queue bytes', () => {
  /** A lane on a stub host: what these tests need of a trail. */
  function laneOf(destination: ChatTrailDestination, over: Partial<LaneHost> = {}): DeliveryLane {
    return new DeliveryLane(destination, {
      maxQueueTurns: 1_000,
      maxQueueBytes: 100_000,
      maxBatchTurns: 1_000,
      flushAt: 1,
      minBatchIntervalMs: 0,
      timeoutMs: 1_000,
      maxAttempts: 8,
      backoffInitialMs: 1,
      backoffMaxMs: 1,
      signal: new AbortController().signal,
      debug() {},
      waiting() {},
      dropped() {},
      failed() {},
      ...over,
    });
  }
  const turnOf = (threadId: string, id: string, messages: TurnMessage[]): Turn => ({
    id,
    threadId,
    messages,
    startedAt: '2025-01-01T00:00:00.000Z',
    endedAt: '2025-01-01T00:00:01.000Z',
    status: 'ok',
    source: 'manual',
  });
  const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

  it('counts no less than the pending turns hold and no more than their whole size, through drops, retries and sends', async () => {
    for (const seed of [1, 2, 3]) {
      const next = seededRandom(seed);
      let pendingSend: ((status: 'sent' | 'retry') => void) | undefined;
      const destination: ChatTrailDestination = {
        name: 'held',
        send: (items) =>
          new Promise((resolve) => {
            pendingSend = (status) =>
              resolve(
                items.map(
                  (): DeliveryOutcome =>
                    status === 'sent' ? { status: 'sent' } : { status: 'retry', error: new Error('later') },
                ),
              );
          }),
      };
      const lane = laneOf(destination, {
        maxQueueBytes: 60_000,
        maxBatchTurns: 20,
        backoffInitialMs: 0,
        backoffMaxMs: 0,
      });
      const threads = Array.from({ length: 5 }, () => [] as TurnMessage[]);
      let turns = 0;
      const message = (thread: number, role: 'user' | 'assistant'): TurnMessage => ({
        id: `m-${seed}-${thread}-${turns}-${role}-${next()}`,
        role,
        content: 'x'.repeat(10 + Math.floor(next() * 2_000)),
      });
      for (let step = 0; step < 400; step++) {
        const roll = next();
        if (roll < 0.1 && pendingSend !== undefined) {
          const settle = pendingSend;
          pendingSend = undefined;
          settle(next() < 0.8 ? 'sent' : 'retry');
          // The lane goes on to its next batch (which waits for the next settle) or stops.
          await tick();
        } else if (roll < 0.2) {
          lane.kick();
        } else {
          const t = Math.floor(next() * threads.length);
          const previous = threads[t]!;
          const kind = next();
          // Most turns resend the history (the same objects); some edit it (fresh copies from some index)
          // or send a window of it (shifted, so nothing is at its old index).
          const carried =
            kind < 0.75
              ? [...previous]
              : kind < 0.9
                ? previous.map((m, i) => (i < previous.length / 2 ? m : { ...m }))
                : previous.slice(Math.min(previous.length, 3));
          const messages = [...carried, message(t, 'user'), message(t, 'assistant')];
          const turn = turnOf(`thread-${t}`, `turn-${seed}-${turns++}`, messages);
          threads[t] = messages;
          lane.enqueue({ type: 'turn', turn }, estimateTurnBytes(turn));
        }
        const pending = lane.pendingItems();
        expect(lane.snapshot().queuedBytes).toBeGreaterThanOrEqual(heldBytes(pending));
        // And never more than counting every turn whole.
        expect(lane.snapshot().queuedBytes).toBeLessThanOrEqual(wholeBytes(pending));
      }
      // Everything sent: nothing is left counted.
      for (let i = 0; i < 1_000 && lane.pending > 0; i++) {
        if (pendingSend !== undefined) {
          const settle = pendingSend;
          pendingSend = undefined;
          settle('sent');
        }
        lane.kick();
        await tick();
      }
      expect(lane.pending).toBe(0);
      expect(lane.snapshot().queuedBytes).toBe(0);
    }
  });

  it('caps a batch at half the byte bound counting the shared parts it carries', async () => {
    let hang = false;
    const sizes: number[] = [];
    const lane = laneOf({
      name: 'capped',
      send: (items) => {
        sizes.push(items.length);
        return hang
          ? new Promise(() => {})
          : Promise.resolve(items.map((): DeliveryOutcome => ({ status: 'sent' })));
      },
    });
    // Ten threads of 8 KB histories, sent; then their next turns, which share those histories, wait while
    // their previous turns are gone, so each counts its shared part.
    const histories: TurnMessage[][] = [];
    for (let t = 0; t < 10; t++) {
      histories[t] = Array.from({ length: 4 }, (_, i) => ({
        id: `h${t}-${i}`,
        role: 'user',
        content: 'x'.repeat(2_000),
      }));
      const turn = turnOf(`t${t}`, `t${t}-1`, histories[t]!);
      lane.enqueue({ type: 'turn', turn }, estimateTurnBytes(turn));
    }
    lane.kick();
    await tick();
    expect(lane.pending).toBe(0);
    hang = true;
    for (let t = 0; t < 10; t++) {
      const turn = turnOf(`t${t}`, `t${t}-2`, [
        ...histories[t]!,
        { id: `n${t}`, role: 'assistant', content: 'ok' },
      ]);
      lane.enqueue({ type: 'turn', turn }, estimateTurnBytes(turn));
    }
    lane.kick();
    await tick();
    // About 9 KB each: at most 50 KB in the batch that hangs, so newer turns still fit behind it.
    expect(sizes.at(-1)).toBeLessThanOrEqual(5);
    expect(lane.snapshot().queuedBytes).toBeLessThanOrEqual(100_000);
    // Newer turns queue behind it: room is made by dropping the oldest waiting turns, never the new ones.
    for (let k = 0; k < 5; k++) {
      const fresh = turnOf('t99', `t99-${k}`, [{ id: `f${k}`, role: 'user', content: 'y'.repeat(3_000) }]);
      lane.enqueue({ type: 'turn', turn: fresh }, estimateTurnBytes(fresh));
    }
    const pending = lane.pendingItems().map((item) => (item.type === 'turn' ? item.turn.id : ''));
    for (let k = 0; k < 5; k++) expect(pending).toContain(`t99-${k}`);
    expect(lane.snapshot().queuedBytes).toBeLessThanOrEqual(100_000);
  });

  it("fails a batch whole when a custom destination's outcome cannot be read, leaving nothing counted", async () => {
    const hostile = {
      get status(): never {
        throw new Error('getter');
      },
    };
    const lane = laneOf({
      name: 'hostile',
      send: (items) => Promise.resolve(items.map(() => hostile as unknown as DeliveryOutcome)),
    });
    const history = Array.from(
      { length: 3 },
      (_, i): TurnMessage => ({ id: `h${i}`, role: 'user', content: 'x'.repeat(1_000) }),
    );
    const first = turnOf('a', 'a1', history);
    lane.enqueue({ type: 'turn', turn: first }, estimateTurnBytes(first));
    const second = turnOf('a', 'a2', [...history, { id: 'n', role: 'assistant', content: 'y' }]);
    lane.enqueue({ type: 'turn', turn: second }, estimateTurnBytes(second));
    lane.kick();
    await lane.running;
    expect(lane.pending).toBe(0);
    expect(lane.snapshot().dropped.internal_error).toBe(2);
    expect(lane.snapshot().queuedBytes).toBe(0);
  });
});

describe('a turn the backend cannot take', () => {
  it('gives up on a poison turn after maxAttempts while healthy turns keep flowing, and reports it once', async () => {
    const server = await devServer();
    const POISON = 'poison-7f3a9c';
    const MAX_ATTEMPTS = 4;
    const healthy = ['a', 'b', 'c'].map((id) => new ConversationScript(`healthy-${id}`));
    let recordedHealthy = 0;
    let trail: ReturnType<typeof createChatTrail> | undefined;
    const recordHealthy = () => {
      trail!.record(healthy[recordedHealthy++ % healthy.length]!.turn());
    };
    let poisonRequests = 0;
    // Between the trail and the devserver: 500 for any body holding the poison text, the rest forwarded.
    const proxy = await startScriptedServer(async (request) => {
      if (request.body.includes(POISON)) {
        poisonRequests++;
        // The app goes on recording while the poison turn fails: these must not wait behind it.
        recordHealthy();
        return { status: 500, json: { detail: 'cannot store this' } };
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name)) {
          headers[name] = value;
        }
      }
      const query = request.query.toString();
      const response = await fetch(`${server.url}${request.path}${query === '' ? '' : `?${query}`}`, {
        method: request.method,
        headers,
        ...(request.body === '' ? {} : { body: request.body }),
      });
      return {
        status: response.status,
        headers: { 'content-type': response.headers.get('content-type') ?? 'application/json' },
        text: await response.text(),
      };
    });
    try {
      const errors: ChatTrailError[] = [];
      const drops: ChatTrailDrop[] = [];
      trail = createChatTrail({
        destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: `${proxy.url}/api/v1`, maxRetries: 0 })],
        flushAt: 1,
        flushIntervalMs: 50,
        minBatchIntervalMs: 0,
        maxAttempts: MAX_ATTEMPTS,
        // Far above the few milliseconds between a failure and the next batch, so healthy turns recorded
        // meanwhile are sent before the poison turn's next attempt (which then counts).
        backoff: { initialMs: 200, maxMs: 400 },
        onError: (error) => errors.push(error),
        onDrop: (drop) => drops.push(drop),
      });
      const poison = new ConversationScript('poisoned');
      const poisonTurn = poison.turn(`please store ${POISON}`);
      // In one batch with healthy turns: they go through, so its first failure is its own.
      recordHealthy();
      recordHealthy();
      trail.record(poisonTurn);
      await vi.waitFor(() => expect(trail!.stats().dropped.retries_exhausted).toBe(1), {
        timeout: 30_000,
      });
      expect(await trail.flush({ timeoutMs: 20_000 })).toMatchObject({ ok: true, pendingTurns: 0 });

      expect(poisonRequests).toBe(MAX_ATTEMPTS);
      const stats = trail.stats();
      expect(stats).toMatchObject({ sent: recordedHealthy, queuedTurns: 0 });
      expect(stats.dropped).toMatchObject({ retries_exhausted: 1, queue_full: 0 });
      const exhausted = errors.filter(
        (error) => error instanceof ChatTrailDeliveryError && error.reason === 'retries_exhausted',
      );
      expect(exhausted).toHaveLength(1);
      expect(exhausted[0]).toMatchObject({ destination: 'mielto', status: 500, count: 1 });
      expect(exhausted[0]!.message).toContain(`after ${MAX_ATTEMPTS} failed attempts`);
      expect(drops).toHaveLength(1);
      expect(drops[0]).toMatchObject({ destination: 'mielto', reason: 'retries_exhausted' });
      expect(drops[0]!.turns.map((turn) => turn.id)).toEqual([poisonTurn.id]);

      // Every healthy turn arrived, whole and in order.
      const conversations = await mieltoConversations(server);
      for (const script of healthy) {
        const conversation = conversations.find((c) => c.meta_data.thread_id === script.threadId)!;
        expect(conversation.messages.map((m) => m.meta_data?.chattrail_message_id)).toEqual(
          script.history.map((m) => m.id),
        );
      }
      await trail.shutdown();
    } finally {
      await proxy.close();
    }
  });

  /**
   * A destination that sends a batch in one request and fails it whole when it holds a poison turn: the
   * lane must split batches to find it. Every batch it sees is kept, and each call records a healthy turn.
   */
  function allOrNothing(isPoison: (turn: Turn) => boolean, onSend: (ids: string[]) => void) {
    const batches: string[][] = [];
    const destination: ChatTrailDestination = {
      name: 'all-or-nothing',
      send: async (items) => {
        const ids = turnIds(items) as string[];
        batches.push(ids);
        onSend(ids);
        const poisoned = items.some((item) => item.type === 'turn' && isPoison(item.turn));
        return items.map(
          (): DeliveryOutcome =>
            poisoned ? { status: 'retry', error: new Error('the batch failed') } : { status: 'sent' },
        );
      },
    };
    return { destination, batches };
  }

  it('splits a batch that keeps failing whole, sends the bad turn alone, and keeps its thread in order behind it', async () => {
    let trail: ReturnType<typeof createChatTrail> | undefined;
    let healthy = 0;
    const { destination, batches } = allOrNothing(
      (turn) => turn.id === 'bad-turn-1',
      (ids) => {
        // The app goes on recording while the bad turn is tried: one more healthy turn each time.
        if (ids.includes('bad-turn-1')) {
          queueMicrotask(() => trail!.record(new ConversationScript(`h${healthy++}`).turn()));
        }
      },
    );
    const drops: ChatTrailDrop[] = [];
    const errors: ChatTrailError[] = [];
    trail = createChatTrail({
      destinations: [destination],
      flushAt: 1,
      flushIntervalMs: 20,
      minBatchIntervalMs: 0,
      maxAttempts: 3,
      backoff: { initialMs: 20, maxMs: 40 },
      onDrop: (drop) => drops.push(drop),
      onError: (error) => errors.push(error),
    });
    const bad = new ConversationScript('bad');
    for (let i = 0; i < 8; i++) trail.record(new ConversationScript(`h${healthy++}`).turn());
    trail.record(bad.turn());
    // The bad thread's next turn: it must wait behind the bad one, never overtake it.
    trail.record(bad.turn());
    for (let i = 0; i < 7; i++) trail.record(new ConversationScript(`h${healthy++}`).turn());
    await vi.waitFor(() => expect(trail!.stats().dropped.retries_exhausted).toBe(1), WAIT);
    expect(await trail.flush()).toMatchObject({ ok: true, pendingTurns: 0 });

    const stats = trail.stats();
    // Every healthy turn and the bad thread's second turn were delivered; only the bad turn was dropped.
    expect(stats).toMatchObject({ sent: healthy + 1, queuedTurns: 0 });
    expect(stats.dropped).toMatchObject({ retries_exhausted: 1, queue_full: 0 });
    expect(drops.map((drop) => [drop.reason, drop.turns.map((turn) => turn.id)])).toEqual([
      ['retries_exhausted', ['bad-turn-1']],
    ]);
    expect(
      errors.filter((error) => (error as ChatTrailDeliveryError).reason === 'retries_exhausted'),
    ).toHaveLength(1);
    // Split down to the bad turn alone, and then only alone: the first time it fails alone ends the split
    // (nothing was delivered since it last failed, so it does not count), then maxAttempts counted ones.
    const alone = batches.filter((batch) => batch.length === 1 && batch[0] === 'bad-turn-1');
    expect(alone).toHaveLength(3 + 1);
    // Its thread stayed in order: the second turn went with the bad one (behind it) or after its last attempt.
    const lastBad = batches.findLastIndex((batch) => batch.includes('bad-turn-1'));
    const firstWithout = batches.findIndex(
      (batch) => batch.includes('bad-turn-2') && !batch.includes('bad-turn-1'),
    );
    expect(firstWithout).toBeGreaterThan(lastBad);
    for (const batch of batches.filter((b) => b.includes('bad-turn-2') && b.includes('bad-turn-1'))) {
      expect(batch.indexOf('bad-turn-1')).toBeLessThan(batch.indexOf('bad-turn-2'));
    }
    await trail.shutdown();
  });

  it('holds nothing and counts nothing against a turn while the whole destination is down', async () => {
    let down = true;
    const { destination, calls } = manualDestination();
    const trail = createChatTrail({
      destinations: [destination],
      flushAt: 1,
      minBatchIntervalMs: 0,
      maxAttempts: 2,
      backoff: { initialMs: 5, maxMs: 10 },
      onError() {},
    });
    for (let i = 0; i < 4; i++) trail.record(new ConversationScript(`down-${i}`).turn());
    // Ten failed batches in a row: far more than maxAttempts, but none of them the turns' fault.
    for (let n = 0; n < 10; n++) {
      await vi.waitFor(() => expect(calls.length).toBeGreaterThan(n), WAIT);
      calls[n]!.settle('retry');
    }
    down = false;
    const flushing = trail.flush();
    for (let n = 10; !down && trail.stats().queuedTurns > 0; n++) {
      await vi.waitFor(() => expect(calls.length).toBeGreaterThan(n), WAIT);
      calls[n]!.settle('sent');
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(await flushing).toMatchObject({ ok: true, pendingTurns: 0 });
    expect(trail.stats()).toMatchObject({ sent: 4 });
    expect(trail.stats().dropped.retries_exhausted).toBe(0);
    await trail.shutdown();
  });
});

describe('a turn larger than the queue', () => {
  it('is dropped as too_large when recorded and evicts none of the turns queued while the backend is down', async () => {
    const server = await devServer();
    // The backend is unreachable: every connection is cut without an answer.
    server.setFaults([{ route: '*', drop: true }]);
    const errors: ChatTrailError[] = [];
    const drops: ChatTrailDrop[] = [];
    const trail = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, maxRetries: 0 })],
      // Small, so the oversized turn stays light: 600 messages of 4 KiB are ~2.4 MB against 1 MiB.
      maxQueueBytes: 1024 * 1024,
      flushAt: 1,
      minBatchIntervalMs: 0,
      backoff: { initialMs: 20, maxMs: 100 },
      onError: (error) => errors.push(error),
      onDrop: (drop) => drops.push(drop),
    });
    const small = Array.from({ length: 10 }, (_, i) => new ConversationScript(`small-${i}`));
    for (const script of small) trail.record(script.turn());
    await vi.waitFor(() => expect(trail.stats().retried).toBeGreaterThan(0), WAIT);

    const big = new ConversationScript('big');
    for (let i = 0; i < 600; i++) big.message(i % 2 === 0 ? 'user' : 'assistant', `${i} ${'z'.repeat(4096)}`);
    const bigTurn = big.snapshot();
    trail.record(bigTurn);
    let stats = trail.stats();
    expect(stats.dropped).toMatchObject({ too_large: 1, queue_full: 0 });
    expect(stats.queuedTurns).toBe(10);
    const tooLarge = errors.filter((error) => (error as ChatTrailDeliveryError).reason === 'too_large');
    expect(tooLarge).toHaveLength(1);
    expect(tooLarge[0]!.message).toContain('maxQueueBytes');
    expect(drops.map((drop) => [drop.reason, drop.turns.map((turn) => turn.id)])).toEqual([
      ['too_large', [bigTurn.id]],
    ]);

    // The backend comes back: the ten small turns are delivered.
    server.clearFaults();
    expect(await trail.flush({ timeoutMs: 20_000 })).toMatchObject({ ok: true, pendingTurns: 0 });
    stats = trail.stats();
    expect(stats).toMatchObject({ sent: 10, queuedTurns: 0 });
    expect(stats.dropped).toMatchObject({ too_large: 1, queue_full: 0 });
    const conversations = await mieltoConversations(server);
    expect(conversations.map((c) => c.meta_data.thread_id).sort()).toEqual(
      small.map((script) => script.threadId).sort(),
    );
    await trail.shutdown();
  });
});
