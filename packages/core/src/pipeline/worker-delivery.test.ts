import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DevServer } from '@chattrail/devserver';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
  requestsOf,
} from '../../test/trail-test-kit';
import { melodi } from '../destinations/melodi-destination';
import { mielto } from '../destinations/mielto-destination';
import { AuthenticationError, type ChatTrailDeliveryError, type ChatTrailError } from '../errors';
import type { ChatTrailDrop } from '../spec/chat-trail';
import type { ChatTrailOptions } from './chat-trail-options';
import { createChatTrail } from './create-chat-trail';
import { liveDeliveryWorkers, terminateDeliveryWorkers } from './worker-delivery';

// The trail with its lanes in a worker thread (`delivery: 'worker'`), over real HTTP to the devserver. The
// other pipeline suites run against the worker too with CHATTRAIL_DELIVERY=worker (see the README).

closeServersAfterEach();
afterEach(() => {
  vi.restoreAllMocks();
});

function both(server: DevServer, extra: { mielto?: object } = {}) {
  return [
    mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, ...extra.mielto }),
    melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl }),
  ];
}

function workerTrail(server: DevServer, options: ChatTrailOptions = {}) {
  return createChatTrail({ destinations: both(server), delivery: 'worker', ...options });
}

/** Records `turns` turns in each of `threads` threads, a round of turns per event-loop turn. */
async function recordRounds(trail: ReturnType<typeof createChatTrail>, threads: number, turns: number) {
  const scripts = Array.from({ length: threads }, (_, i) => new ConversationScript(`worker-thread-${i}`));
  for (let round = 0; round < turns; round++) {
    for (const script of scripts) trail.record(script.turn());
    // A new macrotask: the next round crosses in a message of its own.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return scripts;
}

/** Both backends hold each thread exactly as recorded: every message once, in order. */
async function expectStoredOnce(server: DevServer, scripts: readonly ConversationScript[]) {
  const conversations = await mieltoConversations(server);
  const threads = await melodiThreads(server);
  expect(conversations).toHaveLength(scripts.length);
  expect(threads).toHaveLength(scripts.length);
  for (const script of scripts) {
    const expected = script.history.map((message) => message.content);
    const conversation = conversations.find((c) => c.meta_data.thread_id === script.threadId)!;
    expect(conversation.messages.map((m) => m.content)).toEqual(expected);
    const thread = threads.find((t) => t.externalId === script.threadId)!;
    expect(thread.messages.map((m) => m.content)).toEqual(expected);
  }
}

/** Waits (on the devserver's request log) until a request of `route` has come. */
async function firstRequest(server: DevServer, route: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (requestsOf(server, route).length === 0) {
    if (Date.now() > until) throw new Error(`no ${route} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("delivery: 'worker'", () => {
  it('delivers every turn once to both backends from a worker thread; flush and stats agree', async () => {
    const server = await devServer();
    const trail = workerTrail(server);
    expect(liveDeliveryWorkers()).toBe(1);
    const scripts = await recordRounds(trail, 3, 6);
    const report = await trail.flush({ timeoutMs: 30_000 });
    expect(report).toEqual({ ok: true, pendingTurns: 0 });
    await expectStoredOnce(server, scripts);
    const stats = trail.stats();
    expect(stats).toMatchObject({ recorded: 18, sent: 36, queuedTurns: 0, queuedBytes: 0 });
    expect(stats.destinations.mielto).toMatchObject({ sent: 18, sentMessages: 36 });
    expect(stats.destinations.melodi).toMatchObject({ sent: 18 });
    expect(stats.requests).toBe(requestsOf(server).length);
    await trail.shutdown();
    expect(liveDeliveryWorkers()).toBe(0);
  });

  it('keeps delivery inline for a destination given a function, and when asked to', async () => {
    const server = await devServer();
    const custom = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, fetch: globalThis.fetch })],
      delivery: 'worker',
    });
    const inline = createChatTrail({ destinations: both(server), delivery: 'inline' });
    expect(liveDeliveryWorkers()).toBe(0);
    custom.record(new ConversationScript('inline-a').turn());
    inline.record(new ConversationScript('inline-b').turn());
    expect((await custom.flush()).ok).toBe(true);
    expect((await inline.flush()).ok).toBe(true);
    expect(await mieltoConversations(server)).toHaveLength(2);
    await Promise.all([custom.shutdown(), inline.shutdown()]);
  });

  it('calls onError and onDrop on the app thread, with the same errors and whole turns', async () => {
    const server = await devServer();
    server.setFaults([{ route: 'mielto', status: 401 }]);
    const errors: ChatTrailError[] = [];
    const drops: ChatTrailDrop[] = [];
    const trail = workerTrail(server, {
      onError: (error) => errors.push(error),
      onDrop: (drop) => drops.push(drop),
    });
    const script = new ConversationScript('refused');
    trail.record(script.turn());
    trail.record(script.turn());
    const report = await trail.flush({ timeoutMs: 30_000 });
    expect(report).toMatchObject({ ok: false, pendingTurns: 0, droppedTurns: 2 });
    expect(errors).toHaveLength(1);
    const error = errors[0] as ChatTrailDeliveryError;
    expect(error).toMatchObject({ reason: 'permanent_error', destination: 'mielto', status: 401, count: 2 });
    expect(error.cause).toBeInstanceOf(AuthenticationError);
    expect(drops.map((drop) => [drop.destination, drop.reason, drop.turns.length])).toEqual([
      ['mielto', 'permanent_error', 2],
    ]);
    // Whole, as recorded: the second turn carries the first one's messages too.
    expect(drops[0]!.turns[1]!.messages.map((m) => m.content)).toEqual(script.history.map((m) => m.content));
    expect(trail.stats().dropped.permanent_error).toBe(2);
    expect((await melodiThreads(server))[0]!.messages).toHaveLength(4);
    await trail.shutdown();
  });

  it('resolves flush({ timeoutMs: 500 }) in about 500 ms while the backend hangs, turns reported pending', async () => {
    const server = await devServer();
    server.setFaults([{ route: '*', hang: true }]);
    // A minute per request: the bound below cannot be met by the hanging requests timing out.
    const trail = workerTrail(server, { timeoutMs: 60_000 });
    trail.record(new ConversationScript('hang').turn());
    const started = performance.now();
    const report = await trail.flush({ timeoutMs: 500 });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(490);
    // About 500 ms; generous for a loaded machine, far below the minute the requests would take.
    expect(elapsed).toBeLessThan(5_000);
    expect(report).toEqual({ ok: false, pendingTurns: 2 });
    const final = await trail.shutdown({ timeoutMs: 300 });
    expect(final).toMatchObject({ ok: false, pendingTurns: 2 });
  });

  it('restarts a worker killed mid-batch: nothing lost, nothing stored twice at either backend', async () => {
    const server = await devServer();
    // Slow answers, so that requests are in flight when the worker dies.
    server.setFaults([{ route: '*', latencyMs: 300 }]);
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    const trail = workerTrail(server, { debug: true });
    const scripts = await recordRounds(trail, 4, 3);
    const flushing = trail.flush({ timeoutMs: 50_000 });
    await firstRequest(server, 'PUT /api/external/threads');
    expect(await terminateDeliveryWorkers()).toBe(1);
    // More turns while the new worker starts: they follow the ones re-sent.
    for (const script of scripts) trail.record(script.turn());
    const report = await flushing;
    const again = await trail.flush({ timeoutMs: 50_000 });
    expect(again).toEqual({ ok: true, pendingTurns: 0 });
    expect(report.pendingTurns).toBeGreaterThanOrEqual(0);
    // The worker died holding deliveries: the new one was sent them again.
    const restart = debug.mock.calls
      .map(([line]) => String(line))
      .find((line) => line.includes('starting another'));
    expect(restart).toMatch(/sent the [1-9]\d* item/);
    await expectStoredOnce(server, scripts);
    expect(trail.stats()).toMatchObject({ recorded: 16, queuedTurns: 0 });
    await trail.shutdown();
  });

  it('bounds what it holds before the worker has it: a loop that records without yielding drops the oldest as queue_full, as inline', async () => {
    const server = await devServer();
    const drops: ChatTrailDrop[] = [];
    const onError = vi.fn();
    const trail = workerTrail(server, {
      maxQueueTurns: 10,
      maxBatchTurns: 5,
      onDrop: (d) => drops.push(d),
      onError,
    });
    const scripts = Array.from({ length: 50 }, (_, i) => new ConversationScript(`loop-${i}`));
    for (const script of scripts) trail.record(script.turn());
    // Nothing has crossed yet (the hand-over runs on a timer): the app's thread kept the newest ten.
    const stats = trail.stats();
    for (const name of ['mielto', 'melodi']) {
      expect(stats.destinations[name], name).toMatchObject({ queuedTurns: 10, dropped: { queue_full: 40 } });
    }
    expect(drops.flatMap((drop) => drop.turns.map((turn) => turn.threadId)).sort()).toEqual(
      scripts
        .slice(0, 40)
        .flatMap((script) => [script.threadId, script.threadId])
        .sort(),
    );
    expect(drops.every((drop) => drop.reason === 'queue_full')).toBe(true);
    expect(onError).toHaveBeenCalled(); // the "queue full" warning, once per destination
    expect(await trail.flush({ timeoutMs: 30_000 })).toMatchObject({ ok: true, pendingTurns: 0 });
    await expectStoredOnce(server, scripts.slice(40));
    await trail.shutdown();
  });

  it('gives up on a worker that keeps dying: what it held is dropped as internal_error, nothing hangs', async () => {
    const server = await devServer();
    server.setFaults([{ route: '*', hang: true }]);
    const drops: ChatTrailDrop[] = [];
    const trail = workerTrail(server, { onDrop: (drop) => drops.push(drop), onError: () => {} });
    trail.record(new ConversationScript('doomed').turn());
    await trail.flush({ timeoutMs: 200 });
    // Nothing is acknowledged between the deaths: after three restarts the trail stops trying.
    for (let i = 0; i < 4; i++) expect(await terminateDeliveryWorkers()).toBe(1);
    expect(liveDeliveryWorkers()).toBe(0);
    expect(await trail.flush({ timeoutMs: 10_000 })).toMatchObject({ ok: true, pendingTurns: 0 });
    expect(trail.stats().dropped.internal_error).toBe(2);
    expect(drops.map((drop) => [drop.destination, drop.reason, drop.turns.length]).sort()).toEqual([
      ['melodi', 'internal_error', 1],
      ['mielto', 'internal_error', 1],
    ]);
    await trail.shutdown();
  });

  it('drops a turn that cannot cross to the worker (redact put a BigInt in it, which no JSON body carries) as internal_error, and only it', async () => {
    const server = await devServer();
    const drops: ChatTrailDrop[] = [];
    const trail = workerTrail(server, {
      redact: (turn) =>
        turn.threadId === 'odd' ? { ...turn, metadata: { ...turn.metadata, count: 10n as never } } : turn,
      onDrop: (drop) => drops.push(drop),
      onError: () => {},
    });
    const fine = new ConversationScript('fine');
    trail.record(fine.turn());
    trail.record(new ConversationScript('odd').turn());
    trail.record(fine.turn());
    expect(await trail.flush({ timeoutMs: 30_000 })).toMatchObject({ pendingTurns: 0, droppedTurns: 2 });
    expect(drops.map((drop) => [drop.destination, drop.reason, drop.turns[0]!.threadId]).sort()).toEqual([
      ['melodi', 'internal_error', 'odd'],
      ['mielto', 'internal_error', 'odd'],
    ]);
    await expectStoredOnce(server, [fine]);
    await trail.shutdown();
  });

  it('delivers a turn whose redact hook added a function, without it, as inline delivery sends it', async () => {
    const stored = async (delivery: 'worker' | 'inline') => {
      const server = await devServer();
      const drops: ChatTrailDrop[] = [];
      const trail = workerTrail(server, {
        delivery,
        redact: (turn) => ({
          ...turn,
          metadata: { ...turn.metadata, hook: (() => {}) as never, kept: 'yes' },
        }),
        onDrop: (drop) => drops.push(drop),
      });
      const script = new ConversationScript('with-hook');
      trail.record(script.turn());
      expect(await trail.flush({ timeoutMs: 30_000 })).toMatchObject({ ok: true, pendingTurns: 0 });
      await trail.shutdown();
      expect(drops).toEqual([]);
      await expectStoredOnce(server, [script]);
      const [conversation] = await mieltoConversations(server);
      return JSON.stringify(conversation!.messages.map((message) => message.meta_data));
    };
    const fromWorker = await stored('worker');
    expect(fromWorker).toContain('"kept":"yes"');
    expect(fromWorker).not.toContain('"hook"');
    expect(fromWorker.replace(/"(created_at|updated_at|id|conversation_id)":"[^"]*"/g, '')).toEqual(
      (await stored('inline')).replace(/"(created_at|updated_at|id|conversation_id)":"[^"]*"/g, ''),
    );
  });

  it('stores what inline delivery stores: edits, regenerated answers and trimmed windows, turn by turn', async () => {
    const stored = async (delivery: 'worker' | 'inline') => {
      const server = await devServer();
      const trail = createChatTrail({ destinations: both(server), delivery });
      const plain = new ConversationScript('plain');
      const regenerated = new ConversationScript('regenerated');
      const trimmed = new ConversationScript('trimmed');
      const turns: (() => void)[] = [];
      for (let i = 0; i < 4; i++) {
        turns.push(() => trail.record(plain.turn()));
        turns.push(() => trail.record(trimmedTurn(trimmed)));
      }
      turns.push(() => trail.record(regenerated.turn()));
      turns.push(() => trail.record(regenerated.turn()));
      // The last answer again, rewritten: the thread's log starts a new array from there.
      turns.push(() => {
        const turn = regenerated.snapshot();
        const last = turn.messages.at(-1)!;
        turn.messages[turn.messages.length - 1] = { ...last, content: 'a better answer', id: `${last.id}-2` };
        trail.record(turn);
      });
      turns.push(() => trail.record(regenerated.turn()));
      for (const turn of turns) {
        turn();
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(await trail.flush({ timeoutMs: 30_000 })).toEqual({ ok: true, pendingTurns: 0 });
      await trail.shutdown();
      const byThread = <T extends { messages: { content?: string }[] }>(list: T[], key: (t: T) => string) =>
        Object.fromEntries(list.map((t) => [key(t), t.messages.map((m) => m.content)]));
      return {
        mielto: byThread(await mieltoConversations(server), (c) => c.meta_data.thread_id),
        melodi: byThread(await melodiThreads(server), (t) => t.externalId),
      };
    };
    const inline = await stored('inline');
    expect(Object.keys(inline.melodi).sort()).toEqual(['plain', 'regenerated', 'trimmed']);
    expect(await stored('worker')).toEqual(inline);
  });
});

describe("delivery: 'worker' with a spool, a store, undici", () => {
  it("acknowledges a spool on the app's thread from the worker's reports, and replays what is left into the worker", async () => {
    const server = await devServer();
    const dir = mkdtempSync(join(tmpdir(), 'chattrail-worker-spool-'));
    try {
      server.setFaults([{ route: 'melodi', hang: true }]);
      const first = workerTrail(server, { spool: { dir } });
      expect(liveDeliveryWorkers()).toBe(1);
      const scripts = await recordRounds(first, 3, 4);
      // Mielto's deliveries are acknowledged (the worker reports them sent); Melodi's hang.
      const until = Date.now() + 30_000;
      while (first.stats().destinations.mielto!.sent < 12) {
        if (Date.now() > until) throw new Error('Mielto did not get 12 turns within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await first.shutdown({ timeoutMs: 200 });
      server.setFaults([]);

      const second = workerTrail(server, { spool: { dir } });
      expect(liveDeliveryWorkers()).toBe(1);
      expect(second.stats().spool?.replayed).toBe(12);
      expect(await second.flush({ timeoutMs: 30_000 })).toEqual({ ok: true, pendingTurns: 0 });
      const stats = second.stats();
      expect(stats.destinations.mielto).toMatchObject({ sent: 0, queuedTurns: 0 });
      expect(stats.destinations.melodi).toMatchObject({ sent: 12, queuedTurns: 0 });
      await expectStoredOnce(server, scripts);
      await second.shutdown();

      // Everything acknowledged: a third start replays nothing.
      const third = workerTrail(server, { spool: { dir } });
      expect(third.stats().spool?.replayed).toBe(0);
      await third.shutdown();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('at shutdown with a spool, a batch in flight in the worker is stopped after a grace and what it delivered is acknowledged, not replayed', async () => {
    const server = await devServer();
    const dir = mkdtempSync(join(tmpdir(), 'chattrail-worker-stop-'));
    try {
      const first = workerTrail(server, { spool: { dir } });
      const [known, fresh] = [new ConversationScript('worker-known'), new ConversationScript('worker-fresh')];
      first.record(known.turn());
      expect(await first.flush({ timeoutMs: 30_000 })).toEqual({ ok: true, pendingTurns: 0 });
      // One batch: the known thread's turns are stored, the new thread's conversation is never created.
      server.setFaults([
        { route: 'POST /api/v1/conversations', hang: true },
        { route: 'melodi', hang: true },
      ]);
      for (let i = 0; i < 2; i++) {
        first.record(known.turn());
        first.record(fresh.turn());
      }
      void first.flush({ timeoutMs: 30_000 });
      const until = Date.now() + 30_000;
      while (!(await mieltoConversations(server)).some((c) => c.messages.length === 6)) {
        if (Date.now() > until) throw new Error('Mielto did not store the known thread within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(first.stats().destinations.mielto).toMatchObject({ sent: 1, queuedTurns: 4 });
      await first.shutdown({ timeoutMs: 200 });
      server.setFaults([]);

      const second = workerTrail(server, { spool: { dir } });
      // The new thread's 2 turns at Mielto, and the 4 turns at Melodi: the known thread's 2 were acknowledged.
      expect(second.stats().spool?.replayed).toBe(4);
      expect(await second.flush({ timeoutMs: 30_000 })).toEqual({ ok: true, pendingTurns: 0 });
      expect(second.stats().destinations.mielto).toMatchObject({ sent: 2 });
      await expectStoredOnce(server, [known, fresh]);
      await second.shutdown();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('delivers inline when the trail has a store (its client cannot cross to the worker)', async () => {
    const server = await devServer();
    const lines: string[] = [];
    vi.spyOn(console, 'debug').mockImplementation((line: string) => lines.push(line));
    const trail = workerTrail(server, { store: memoryStore(), debug: true });
    expect(liveDeliveryWorkers()).toBe(0);
    expect(lines.join('\n')).toMatch(/delivering inline: the trail has a store/);
    trail.record(new ConversationScript('with-store').turn());
    expect(await trail.flush({ timeoutMs: 30_000 })).toEqual({ ok: true, pendingTurns: 0 });
    expect(await mieltoConversations(server)).toHaveLength(1);
    await trail.shutdown();
  });

  it('sends through undiciTransport() in the worker when undici can be loaded', async () => {
    const server = await devServer();
    const lines: string[] = [];
    vi.spyOn(console, 'debug').mockImplementation((line: string) => lines.push(line));
    const trail = workerTrail(server, { debug: true });
    trail.record(new ConversationScript('through-undici').turn());
    expect(await trail.flush({ timeoutMs: 30_000 })).toEqual({ ok: true, pendingTurns: 0 });
    await trail.shutdown();
    const said = lines.join('\n');
    expect(said).toMatch(/mielto: sending through undiciTransport\(\)/);
    expect(said).toMatch(/melodi: sending through undiciTransport\(\)/);
  });
});

/** The next turn of `script` with only its last four messages: a trimmed window, as a chat UI may send. */
function trimmedTurn(script: ConversationScript) {
  script.message('user', `question ${script.history.length / 2 + 1}`);
  script.message('assistant', `answer ${script.history.length / 2}`);
  const turn = script.snapshot();
  return { ...turn, messages: turn.messages.slice(-4) };
}
