import type { DevServer } from '@chattrail/devserver';
import { describe, expect, it, vi } from 'vitest';
import {
  ConversationScript,
  closeServersAfterEach,
  devServer,
  MIELTO_KEY,
  mieltoConversations,
  requestsOf,
} from '../../test/trail-test-kit';
import type { ChatTrailError } from '../errors';
import { MieltoClient } from '../mielto/mielto-client';
import { undiciTransport } from '../node/undici-transport';
import { createChatTrail } from '../pipeline/create-chat-trail';
import type { Turn } from '../spec/turn';
import { InMemoryConversationStore } from './conversation-store';
import { type MieltoDestinationOptions, mielto } from './mielto-destination';

closeServersAfterEach();

const USER = { id: 'user-ada', name: 'Ada', email: 'ada@example.com' };

/** The second turn of a thread whose first this process never saw: its conversation is looked up. */
function laterTurn(script: ConversationScript): Turn {
  script.turn();
  return script.turn();
}

/** The real fetch, observed: the most requests in flight at once, and the order they completed in. */
function observedFetch(): { fetch: typeof fetch; seen: { maxInFlight: number; completed: string[] } } {
  const seen = { maxInFlight: 0, completed: [] as string[] };
  let inFlight = 0;
  const observed: typeof fetch = async (input, init) => {
    seen.maxInFlight = Math.max(seen.maxInFlight, ++inFlight);
    try {
      return await fetch(input, init);
    } finally {
      inFlight--;
      seen.completed.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
    }
  };
  return { fetch: observed, seen };
}

describe('mielto destination', () => {
  it('marks the last message of a turn that failed or was aborted before any answer with its status and error', async () => {
    const server = await devServer();
    const trail = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl })],
      // Redacted like everything else: the error message goes through the app's redact too.
      redact: (turn) =>
        turn.error === undefined
          ? turn
          : { ...turn, error: { ...turn.error, message: turn.error.message.replace('sk-secret', '[key]') } },
    });
    const failed = new ConversationScript('thread-failed', USER);
    failed.message('user', 'Weather in Paris?');
    trail.record(
      failed.snapshot({
        status: 'error',
        error: { name: 'APICallError', message: 'invalid key sk-secret' },
      }),
    );
    const aborted = new ConversationScript('thread-aborted', USER);
    aborted.message('user', 'Tell me a story');
    trail.record(aborted.snapshot({ status: 'aborted', error: { name: 'AbortError', message: 'aborted' } }));
    const fine = new ConversationScript('thread-fine', USER);
    trail.record(fine.turn());
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });

    const byThread = new Map(
      (await mieltoConversations(server)).map((c) => [c.meta_data.thread_id as string, c.messages]),
    );
    expect(byThread.get('thread-failed')!.map((m) => m.meta_data)).toEqual([
      expect.objectContaining({
        status: 'error',
        model: 'gpt-4o',
        provider: 'openai',
        error: { name: 'APICallError', message: 'invalid key [key]' },
      }),
    ]);
    expect(byThread.get('thread-aborted')![0]!.meta_data).toMatchObject({
      status: 'aborted',
      error: { name: 'AbortError', message: 'aborted' },
    });
    // A turn that went well puts nothing of the sort on its question; its answer carries the turn.
    const [question, answer] = byThread.get('thread-fine')!;
    expect(question!.meta_data).not.toHaveProperty('status');
    expect(question!.meta_data).not.toHaveProperty('error');
    expect(answer!.meta_data).toMatchObject({ status: 'ok' });
  });

  it('stores each message of ten full-history turns exactly once, in order', async () => {
    const server = await devServer();
    const trail = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl })],
      flushAt: 1,
    });
    const script = new ConversationScript('thread-ten', USER);
    for (let i = 0; i < 10; i++) {
      trail.record(script.turn());
      // Half of the turns are flushed one by one, the other half pile up and go in one batch.
      if (i < 5) expect((await trail.flush()).ok).toBe(true);
    }
    const report = await trail.shutdown();
    expect(report).toEqual({ ok: true, pendingTurns: 0 });

    const conversations = await mieltoConversations(server);
    expect(conversations).toHaveLength(1);
    const [conversation] = conversations;
    expect(conversation!.user_id).toBe('user-ada');
    expect(conversation!.title).toBe('question 1');
    expect(conversation!.meta_data).toMatchObject({ thread_id: 'thread-ten', source: 'chattrail' });
    expect(conversation!.messages.map((m) => m.content)).toEqual(script.history.map((m) => m.content));
    expect(conversation!.messages.map((m) => m.meta_data?.chattrail_message_id)).toEqual(
      script.history.map((m) => m.id),
    );
    expect(conversation!.messages.map((m) => m.sender_id)).toEqual(
      script.history.map((m) => (m.role === 'user' ? 'user-ada' : 'assistant')),
    );
    const stats = trail.stats();
    expect(stats).toMatchObject({ recorded: 10, sent: 10, sentMessages: 20, queuedTurns: 0 });
    // One creation for the new thread (its first turn needs no lookup), then one POST /messages per flush.
    expect(requestsOf(server, 'POST /api/v1/conversations')).toHaveLength(1);
    expect(requestsOf(server, 'GET /api/v1/conversations')).toHaveLength(0);
    expect(requestsOf(server, 'POST /api/v1/messages')).toHaveLength(6);
  });

  it('maps tool calls, tool results, timestamps and turn data to the MessageCreateRequest schema', async () => {
    const server = await devServer();
    const trail = createChatTrail({
      destinations: [
        mielto({
          apiKey: MIELTO_KEY,
          baseUrl: server.mieltoBaseUrl,
          agentId: 'weather-bot',
          enableMemories: true,
        }),
      ],
    });
    const script = new ConversationScript('thread-tools', USER);
    script.message('user', 'Weather in Paris?', { createdAt: '2025-01-01T12:00:00.000Z' });
    script.message('assistant', '', {
      toolCalls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Paris' } }],
    });
    script.message('tool', '', {
      toolResult: { toolCallId: 'call_1', name: 'get_weather', output: { temperature_c: 21 } },
    });
    script.message('assistant', 'Sunny, 21 °C.');
    trail.record(script.snapshot({ metadata: { tenant: 'acme', flags: { beta: true } } }));
    await trail.shutdown();

    const [conversation] = await mieltoConversations(server);
    const [user, call, result, answer] = conversation!.messages;
    expect(user).toMatchObject({ role: 'user', content: 'Weather in Paris?', sender_id: 'user-ada' });
    expect(user!.sent_at).toBe('2025-01-01T12:00:00.000Z');
    expect(user!.meta_data).toEqual({
      chattrail_message_id: script.history[0]!.id,
      thread_id: 'thread-tools',
      turn_id: 'thread-tools-turn-1',
      position: 0,
    });
    expect(call).toMatchObject({
      role: 'assistant',
      sender_id: 'weather-bot',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      ],
    });
    expect(result).toMatchObject({ role: 'tool', content: '{"temperature_c":21}' });
    expect(result!.meta_data).toMatchObject({
      tool_call_id: 'call_1',
      tool_name: 'get_weather',
      position: 2,
    });
    // The turn's own output carries model, usage, latency and status; the history before it does not.
    expect(answer!.meta_data).toMatchObject({
      model: 'gpt-4o',
      provider: 'openai',
      usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
      latency_ms: 250,
      status: 'ok',
      turn_metadata: { tenant: 'acme', flags: { beta: true } },
    });
    expect(user!.meta_data).not.toHaveProperty('model');
    expect(user!.meta_data).not.toHaveProperty('turn_metadata');
    // Usage and timings on one message per turn, so summing them over messages counts the call once: the
    // intermediate tool call names its model only, the tool result (the tool's, not the model's) nothing.
    expect(call!.meta_data).toMatchObject({ model: 'gpt-4o', provider: 'openai', status: 'ok' });
    for (const key of ['usage', 'latency_ms', 'turn_metadata']) {
      expect(call!.meta_data).not.toHaveProperty(key);
      expect(result!.meta_data).not.toHaveProperty(key);
    }
    expect(result!.meta_data).not.toHaveProperty('model');
    const posted = requestsOf(server, 'POST /api/v1/messages')[0]!;
    expect(JSON.parse(posted.body).enable_memories).toBe(true);
    // No created_at was invented for messages that had none.
    expect(JSON.parse(posted.body).content[1]).not.toHaveProperty('created_at');
  });

  it('creates exactly one conversation for 50 concurrent turns of a new thread', async () => {
    const server = await devServer();
    const trail = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl })],
      flushAt: 1,
      maxBatchTurns: 5,
    });
    const script = new ConversationScript('thread-busy', USER);
    const question = script.message('user', 'Tell me a joke');
    // 50 turns of one thread at once: the same question, each with its own answer (retries, tabs, ...).
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i % 3));
        trail.record({
          ...script.snapshot(),
          id: `busy-${i}`,
          messages: [question, { id: `answer-${i}`, role: 'assistant', content: `joke ${i}` }],
        });
      }),
    );
    await trail.shutdown();
    const conversations = await mieltoConversations(server);
    expect(conversations).toHaveLength(1);
    const contents = conversations[0]!.messages.map((m) => m.content);
    expect(contents.filter((c) => c === 'Tell me a joke')).toHaveLength(1);
    expect(contents).toHaveLength(51);
  });

  it("resolves a batch's new conversations ahead of the appends, once per thread", async () => {
    const server = await devServer();
    const { fetch: observed, seen } = observedFetch();
    const trail = createChatTrail({
      destinations: [
        mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, fetch: observed, concurrency: 2 }),
      ],
      flushAt: 1_000,
    });
    const scripts = Array.from(
      { length: 12 },
      (_, i) => new ConversationScript(`thread-new-${i}`, { id: `user-${i}` }),
    );
    for (const script of scripts) trail.record(laterTurn(script));
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });

    const conversations = await mieltoConversations(server);
    expect(conversations).toHaveLength(12);
    for (const script of scripts) {
      const conversation = conversations.find((c) => c.meta_data?.thread_id === script.threadId)!;
      expect(conversation.messages.map((m) => m.content)).toEqual(script.history.map((m) => m.content));
    }
    // One lookup, one creation and one append per thread: the look-ahead and the append share them.
    expect(requestsOf(server, 'GET /api/v1/conversations')).toHaveLength(12);
    expect(requestsOf(server, 'POST /api/v1/conversations')).toHaveLength(12);
    expect(requestsOf(server, 'POST /api/v1/messages')).toHaveLength(12);
    // Two appends and two look-aheads at most.
    expect(seen.maxInFlight).toBeGreaterThan(2);
    expect(seen.maxInFlight).toBeLessThanOrEqual(4);
  });

  it("writes the threads it knows beside the new ones: a slow creation holds up no known thread's append", async () => {
    const server = await devServer();
    const { fetch: observed, seen } = observedFetch();
    const { completed } = seen;
    const trail = createChatTrail({
      destinations: [
        mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, fetch: observed, concurrency: 1 }),
      ],
      flushAt: 1_000,
    });
    const known = Array.from({ length: 3 }, (_, i) => new ConversationScript(`thread-known-${i}`, USER));
    for (const script of known) trail.record(script.turn());
    expect((await trail.flush()).ok).toBe(true);

    // The first creation takes 3 s: time enough for the three known appends on a loaded machine (400 ms
    // was not), and only the first, so the test stays short.
    server.setFaults([{ route: 'POST /api/v1/conversations', latencyMs: 3_000, times: 1 }]);
    completed.length = 0;
    // The new threads come first in the batch; with one slot for all, every known thread would wait
    // behind their creations.
    const fresh = Array.from({ length: 3 }, (_, i) => new ConversationScript(`thread-fresh-${i}`, USER));
    for (const script of fresh) trail.record(script.turn());
    for (const script of known) trail.record(script.turn());
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });

    const firstCreation = completed.indexOf('POST /api/v1/conversations');
    expect(completed.slice(0, firstCreation).filter((r) => r === 'POST /api/v1/messages')).toHaveLength(3);
    // One slot for known threads, one for new ones and one lookup ahead: three at most.
    expect(seen.maxInFlight).toBeLessThanOrEqual(3);
    const conversations = await mieltoConversations(server);
    expect(conversations).toHaveLength(6);
    for (const script of [...known, ...fresh]) {
      const conversation = conversations.find((c) => c.meta_data?.thread_id === script.threadId)!;
      expect(conversation.messages.map((m) => m.content)).toEqual(script.history.map((m) => m.content));
    }
  });

  it('creates no conversation ahead of its append: a batch cut short leaves no empty ones behind', async () => {
    const server = await devServer();
    // Appends hang; lookups and creations answer at once.
    server.setFaults([{ route: 'POST /api/v1/messages', hang: true }]);
    const trail = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, concurrency: 2 })],
      flushAt: 1_000,
    });
    for (let i = 0; i < 10; i++) trail.record(laterTurn(new ConversationScript(`thread-cut-${i}`, USER)));
    // Cut short once the lookups are done and both append slots hang (not after a fixed second, which a
    // loaded machine can use up before the lookups are).
    const flushing = trail.flush({ timeoutMs: 30_000 });
    await vi.waitFor(
      () => {
        expect(requestsOf(server, 'GET /api/v1/conversations')).toHaveLength(10);
        expect(requestsOf(server, 'POST /api/v1/conversations')).toHaveLength(2);
      },
      { timeout: 20_000 },
    );
    expect(await trail.shutdown({ timeoutMs: 1_000 })).toMatchObject({ ok: false, pendingTurns: 10 });
    expect(await flushing).toMatchObject({ ok: false, pendingTurns: 10 });
    // Every thread was looked up ahead, but only the two whose append slot got that far have a
    // conversation: a restarted process finding an empty one would take its history as logged.
    expect(requestsOf(server, 'GET /api/v1/conversations')).toHaveLength(10);
    expect(requestsOf(server, 'POST /api/v1/conversations')).toHaveLength(2);
    expect(await mieltoConversations(server)).toHaveLength(2);
  });

  it('takes a 404 of the lookup as an error, not as a deleted conversation', async () => {
    const server = await devServer();
    server.setFaults([{ route: 'GET /api/v1/conversations', status: 404 }]);
    const trail = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl })],
      flushAt: 1_000,
      onError: () => {},
    });
    for (let i = 0; i < 3; i++) trail.record(laterTurn(new ConversationScript(`thread-404-${i}`, USER)));
    await trail.shutdown();
    expect(requestsOf(server, 'GET /api/v1/conversations')).toHaveLength(3);
    // No second try through the "conversation gone" path: no creation for a lookup that failed.
    expect(requestsOf(server, 'POST /api/v1/conversations')).toHaveLength(0);
    expect(trail.stats().dropped.permanent_error).toBe(3);
  });

  it('sends one lookup per new thread when the lookups fail, and reports the failure once', async () => {
    const server = await devServer({ apiKeys: { mielto: ['the-right-key'], melodi: ['the-right-key'] } });
    const onError = vi.fn();
    const trail = createChatTrail({
      destinations: [
        mielto({
          apiKey: 'mielto-wrong-key-0123456789abcdef',
          baseUrl: server.mieltoBaseUrl,
          concurrency: 2,
        }),
      ],
      flushAt: 1_000,
      onError,
    });
    for (let i = 0; i < 6; i++) {
      trail.record(laterTurn(new ConversationScript(`thread-denied-${i}`, USER)));
    }
    await trail.shutdown();
    expect(requestsOf(server, 'GET /api/v1/conversations')).toHaveLength(6);
    expect(requestsOf(server, 'POST /api/v1/conversations')).toHaveLength(0);
    expect(trail.stats().dropped.permanent_error).toBe(6);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('shares one creation between two destinations racing on the same new thread', async () => {
    const server = await devServer();
    const destination = mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl });
    const script = new ConversationScript('thread-race', USER);
    const turn = script.turn();
    const context = {
      signal: new AbortController().signal,
      timeoutMs: 5_000,
      maxRetries: 0,
      onRequest() {},
      onRetry() {},
      onAmbiguous() {},
      debug() {},
    };
    // The trail never sends two batches of a destination at once; an app calling send() itself might.
    const results = await Promise.all(
      Array.from({ length: 10 }, () => destination.send([{ type: 'turn', turn }], context)),
    );
    expect(results.flat().every((outcome) => outcome.status === 'sent')).toBe(true);
    expect(await mieltoConversations(server)).toHaveLength(1);
  });

  it('continues a thread after a restart without a second conversation or resending history', async () => {
    const server = await devServer();
    const script = new ConversationScript('thread-restart', USER);
    const first = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl })],
    });
    for (let i = 0; i < 3; i++) first.record(script.turn());
    // A tool call in the last turn before the restart.
    script.message('user', 'And the weather?');
    script.message('assistant', '', { toolCalls: [{ id: 'c1', name: 'weather', args: {} }] });
    script.message('tool', '', { toolResult: { toolCallId: 'c1', output: 'rain' } });
    script.message('assistant', 'Rain.');
    first.record(script.snapshot());
    await first.shutdown();

    // A new process: empty conversation store, no cursor.
    const store = new InMemoryConversationStore();
    const second = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, conversationStore: store })],
    });
    second.record(script.turn('question 5', 'answer 5'));
    second.record(script.turn('question 6', 'answer 6'));
    await second.shutdown();

    const conversations = await mieltoConversations(server);
    expect(conversations).toHaveLength(1);
    expect(conversations[0]!.messages.map((m) => m.content)).toEqual(
      script.history.map((m) => (m.toolResult ? 'rain' : m.content)),
    );
    expect(store.get('thread-restart')).toBe(conversations[0]!.id);
  });

  it('finds the conversation of a thread without a user among the workspace conversations', async () => {
    const server = await devServer();
    const script = new ConversationScript('thread-anonymous');
    for (const round of [1, 2]) {
      const trail = createChatTrail({
        destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl })],
      });
      trail.record(script.turn(`q${round}`, `a${round}`));
      await trail.shutdown();
    }
    const conversations = await mieltoConversations(server);
    expect(conversations).toHaveLength(1);
    expect(conversations[0]!.user_id).toBeNull();
    expect(conversations[0]!.messages.map((m) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2']);
  });

  it('keeps at most maxTrackedMessages sent ids, and a thread whose cursor went still sends each message once', async () => {
    const server = await devServer();
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    const trail = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, maxTrackedMessages: 6 })],
      debug: true,
    });
    const scripts = ['thread-a', 'thread-b', 'thread-c'].map((id) => new ConversationScript(id, USER));
    // Round-robin: every thread's cursor (2, 4, 6 ids...) pushes the least recently written one out.
    for (let round = 0; round < 4; round++) {
      for (const script of scripts) trail.record(script.turn());
      expect((await trail.flush()).ok).toBe(true);
    }
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });

    const conversations = await mieltoConversations(server);
    expect(conversations).toHaveLength(3);
    for (const script of scripts) {
      const conversation = conversations.find((c) => c.meta_data?.thread_id === script.threadId)!;
      expect(conversation.messages.map((m) => m.meta_data?.chattrail_message_id)).toEqual(
        script.history.map((m) => m.id),
      );
    }
    // Forgotten cursors came back from the conversation store: no second creation per thread, and no
    // lookup at all (a thread's first turn needs none).
    expect(requestsOf(server, 'POST /api/v1/conversations')).toHaveLength(3);
    expect(requestsOf(server, 'GET /api/v1/conversations')).toHaveLength(0);
    // The cursors were forgotten indeed: each later turn of a thread started from "assumed logged".
    const resumed = debug.mock.calls.filter(([line]) => String(line).includes('messages assumed logged'));
    debug.mockRestore();
    expect(resumed.length).toBeGreaterThan(0);
  });

  it('shares an injected client with the app; inside the trail its requests are sent once per attempt', async () => {
    const server = await devServer();
    const retries: number[] = [];
    const client = new MieltoClient({
      apiKey: MIELTO_KEY,
      baseUrl: server.mieltoBaseUrl,
      maxRetries: 1,
      onRetry: (info) => retries.push(info.retry),
    });
    server.setFaults([{ route: 'POST /api/v1/messages', status: 503, times: 1 }]);
    const trail = createChatTrail({ destinations: [mielto({ client })], maxRetries: 0 });
    trail.record(new ConversationScript('thread-shared', USER).turn());
    expect(await trail.shutdown()).toMatchObject({ ok: true, pendingTurns: 0 });
    // The lane retried the 503, not the client: one retry layer inside a trail, whatever the client's own.
    expect(retries).toEqual([]);
    expect(trail.stats().destinations.mielto).toMatchObject({ sent: 1, retried: 1 });
    const app = await client.conversations.list({ user_id: 'user-ada' });
    expect(app.data.map((c) => c.meta_data?.thread_id)).toEqual(['thread-shared']);
  });

  it('starts a new conversation with the whole thread when its conversation was deleted (404)', async () => {
    const server = await devServer();
    const saved = new Map<string, string>();
    const deleted: string[] = [];
    const store = {
      get: (threadId: string) => saved.get(threadId),
      set: (threadId: string, conversationId: string) => {
        saved.set(threadId, conversationId);
      },
      delete: (threadId: string) => {
        deleted.push(threadId);
        saved.delete(threadId);
      },
    };
    const errors: unknown[] = [];
    const trail = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, conversationStore: store })],
      onError: (error) => errors.push(error),
    });
    const script = new ConversationScript('thread-deleted', USER);
    trail.record(script.turn());
    trail.record(script.turn());
    expect((await trail.flush()).ok).toBe(true);
    const first = saved.get('thread-deleted');
    server.reset(); // every conversation is gone, as if deleted in Mielto's dashboard

    trail.record(script.turn());
    expect((await trail.flush()).ok).toBe(true);
    expect(errors).toEqual([]);
    expect(deleted).toEqual(['thread-deleted']);
    const conversations = await mieltoConversations(server);
    expect(conversations).toHaveLength(1);
    expect(conversations[0]!.id).not.toBe(first);
    expect(saved.get('thread-deleted')).toBe(conversations[0]!.id);
    // The new conversation holds the thread as the last turn carried it: every message, once, in order.
    expect(conversations[0]!.messages.map((m) => m.meta_data?.chattrail_message_id)).toEqual(
      script.history.map((m) => m.id),
    );
    expect(trail.stats()).toMatchObject({ sent: 3, queuedTurns: 0 });
    await trail.shutdown();
  });

  it('uses an async conversation store and survives one that fails', async () => {
    const server = await devServer();
    const saved = new Map<string, string>();
    const store = {
      get: async (threadId: string) => saved.get(threadId),
      set: async (threadId: string, conversationId: string) => {
        saved.set(threadId, conversationId);
      },
    };
    const trail = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, conversationStore: store })],
    });
    trail.record(new ConversationScript('thread-store', USER).turn());
    await trail.shutdown();
    expect(saved.get('thread-store')).toMatch(/^conv_/);

    const broken = {
      get: () => Promise.reject(new Error('redis down')),
      set: () => {
        throw new Error('redis down');
      },
    };
    const second = createChatTrail({
      destinations: [
        mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, conversationStore: broken }),
      ],
    });
    second.record(new ConversationScript('thread-broken-store', USER).turn());
    expect(await second.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
  });

  it('splits a batch the server finds too large and drops a single message that still is', async () => {
    const server = await devServer();
    const trail = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl })],
      onError: () => {},
    });
    const script = new ConversationScript('thread-413', USER);
    for (let i = 0; i < 4; i++) trail.record(script.turn());
    await trail.flush();
    server.clearFaults();

    // The first POST /messages of the next flush gets a 413: the 8 new messages go as 4 + 4.
    for (let i = 0; i < 4; i++) trail.record(script.turn());
    server.addFault({ route: 'POST /api/v1/messages', status: 413, times: 1 });
    expect((await trail.flush()).ok).toBe(true);
    const [conversation] = await mieltoConversations(server);
    expect(conversation!.messages.map((m) => m.content)).toEqual(script.history.map((m) => m.content));
    const sizes = requestsOf(server, 'POST /api/v1/messages')
      .slice(-3)
      .map((r) => (r.status === 201 ? JSON.parse(r.body).content.length : `413`));
    expect(sizes).toEqual(['413', 4, 4]);

    // Every request too large: halves down to single messages, each then skipped and counted.
    server.addFault({ route: 'POST /api/v1/messages', status: 413 });
    trail.record(script.turn());
    const report = await trail.flush();
    expect(report).toMatchObject({ ok: false, pendingTurns: 0, droppedTurns: 1 });
    expect(trail.stats().dropped.too_large).toBe(1);
    server.clearFaults();
    // The skipped messages are not retried with the next turn.
    trail.record(script.turn());
    await trail.shutdown();
    const [after] = await mieltoConversations(server);
    expect(after!.messages).toHaveLength(8 * 2 + 2);
  });
});

/** Per thread: the stable ids of the messages its conversations hold, in order (duplicates kept). */
async function storedIdsByThread(server: DevServer): Promise<Map<string, string[][]>> {
  const byThread = new Map<string, string[][]>();
  for (const conversation of await mieltoConversations(server)) {
    const threadId = conversation.meta_data.thread_id as string;
    const ids = conversation.messages.map((m) => m.meta_data?.chattrail_message_id as string);
    byThread.set(threadId, [...(byThread.get(threadId) ?? []), ids]);
  }
  return byThread;
}

/** Records `turns` turns of each of `threads` threads, a flush after each round, then shuts down. */
async function recordThreads(
  server: DevServer,
  options: {
    threads: number;
    turns: number;
    destination?: Partial<MieltoDestinationOptions>;
    timeoutMs?: number;
  },
) {
  const errors: ChatTrailError[] = [];
  const trail = createChatTrail({
    destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, ...options.destination })],
    backoff: { initialMs: 10, maxMs: 50 },
    onError: (error) => errors.push(error),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const scripts = Array.from(
    { length: options.threads },
    (_, i) => new ConversationScript(`thread-${i}`, { id: `user-${i % 3}` }),
  );
  for (let t = 0; t < options.turns; t++) {
    for (const script of scripts) trail.record(script.turn());
    await trail.flush({ timeoutMs: 60_000 });
  }
  const report = await trail.shutdown({ timeoutMs: 60_000 });
  return { report, stats: trail.stats(), scripts, errors };
}

/** How many requests the devserver answered with the given fault. */
const faultsSeen = (server: DevServer, fault: string) =>
  server.requests(500).filter((entry) => entry.fault === fault).length;

describe('mielto destination: requests whose answer is lost (at-most-once by default)', () => {
  it.each([
    ['the global fetch', {}],
    ['undiciTransport()', { transport: undiciTransport() }],
  ])(
    'stores every message once and one conversation per thread when answers are lost after storing (%s)',
    async (_, sender) => {
      // 30% of Mielto requests fail with 503 (retried); of the rest, 30% of the POSTs are stored and then
      // have their connection reset before the answer.
      const server = await devServer({
        faultSeed: 23,
        faults: [
          { route: 'mielto', status: 503, rate: 0.3 },
          { route: 'POST /api/v1/messages', after: 'drop', rate: 0.3 },
          { route: 'POST /api/v1/conversations', after: 'drop', rate: 0.3 },
        ],
      });
      const { report, stats, scripts, errors } = await recordThreads(server, {
        threads: 10,
        turns: 3,
        destination: sender,
      });
      expect(report).toMatchObject({ ok: true, pendingTurns: 0 });

      const stored = await storedIdsByThread(server);
      expect(stored.size).toBe(10);
      for (const script of scripts) {
        // Exactly one conversation, holding each message once, in order: no duplicates, nothing lost.
        expect(stored.get(script.threadId)).toEqual([script.history.map((m) => m.id)]);
      }
      const lost = faultsSeen(server, 'after-drop');
      expect(lost).toBeGreaterThan(0);
      expect(stats.ambiguous).toBe(lost);
      expect(stats.destinations.mielto!.ambiguous).toBe(lost);
      expect(stats).toMatchObject({ sent: 30, dropped: { permanent_error: 0, internal_error: 0 } });
      // A message POST taken as stored without a resend may have lost what it carried: said through
      // onError, once per cause, never silently.
      const lostPosts = server
        .requests(500)
        .filter((entry) => entry.fault === 'after-drop' && entry.path === '/api/v1/messages').length;
      const notResent = errors.filter((error) => error.message.includes('not sent again (at-most-once)'));
      if (lostPosts > 0) expect(notResent.length).toBeGreaterThan(0);
      expect(notResent.length).toBeLessThanOrEqual(2);
      for (const error of notResent) expect(error.message).toMatch(/^mielto: /);
    },
  );

  it('never creates a second conversation when a creation hangs after storing', async () => {
    const server = await devServer({
      faults: [
        { route: 'POST /api/v1/conversations', after: 'hang', times: 2 },
        { route: 'POST /api/v1/messages', after: 'hang', times: 1 },
      ],
    });
    // A hang ends with the client's timeout: 5 s, so the test does not wait 10 s per hang, and an ordinary
    // request on a loaded machine (seconds, not milliseconds) is not taken for a hang.
    const { report, stats, scripts } = await recordThreads(server, {
      threads: 4,
      turns: 2,
      timeoutMs: 5_000,
    });
    expect(report.ok).toBe(true);
    const stored = await storedIdsByThread(server);
    expect(stored.size).toBe(4);
    for (const script of scripts)
      expect(stored.get(script.threadId)).toEqual([script.history.map((m) => m.id)]);
    expect(stats.ambiguous).toBe(3);
    expect(requestsOf(server, 'POST /api/v1/conversations')).toHaveLength(4);
  });

  it('with lookups off (lookupPages: 0) still looks a thread up after its creation lost its answer', async () => {
    const server = await devServer({
      faults: [{ route: 'POST /api/v1/conversations', after: 'drop', times: 3 }],
    });
    const { stats, scripts } = await recordThreads(server, {
      threads: 3,
      turns: 2,
      destination: { lookupPages: 0 },
    });
    const stored = await storedIdsByThread(server);
    for (const script of scripts)
      expect(stored.get(script.threadId)).toEqual([script.history.map((m) => m.id)]);
    expect(stats.ambiguous).toBe(3);
    expect(requestsOf(server, 'GET /api/v1/conversations')).toHaveLength(3);
  });

  it("with delivery: 'at-least-once' resends messages whose answer was lost; readers de-duplicate by meta_data id", async () => {
    const server = await devServer({ faults: [{ route: 'POST /api/v1/messages', after: 'drop', times: 1 }] });
    const { stats, scripts } = await recordThreads(server, {
      threads: 1,
      turns: 2,
      destination: { delivery: 'at-least-once' },
    });
    const [ids] = (await storedIdsByThread(server)).get(scripts[0]!.threadId)!;
    const expected = scripts[0]!.history.map((m) => m.id);
    // The first turn's two messages were stored, their answer lost, and stored again with the retry.
    expect(ids).toEqual([expected[0], expected[1], expected[0], expected[1], expected[2], expected[3]]);
    expect([...new Set(ids)]).toEqual(expected);
    expect(stats.ambiguous).toBe(1);
    expect(stats.dropped.permanent_error).toBe(0);
  });
});

describe('mielto destination: a 2xx with a broken body', () => {
  it.each([
    ['not JSON', '<html><body>OK</body></html>'],
    ['no id', '{"weird":true}'],
  ])('answered to a creation (%s) is retried by looking the thread up, never dropped', async (_, body) => {
    // Every creation is stored, then answered 201 with this body.
    const server = await devServer({ faults: [{ route: 'POST /api/v1/conversations', replaceBody: body }] });
    const { report, stats, scripts } = await recordThreads(server, { threads: 5, turns: 3 });
    expect(report).toEqual({ ok: true, pendingTurns: 0 });
    const stored = await storedIdsByThread(server);
    expect(stored.size).toBe(5);
    for (const script of scripts)
      expect(stored.get(script.threadId)).toEqual([script.history.map((m) => m.id)]);
    expect(stats).toMatchObject({ sent: 15, ambiguous: 5, dropped: { permanent_error: 0 } });
  });

  it('answered to a lookup is retried, never taken as "no conversation yet"', async () => {
    const server = await devServer();
    const script = new ConversationScript('thread-kept', USER);
    const first = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl })],
    });
    first.record(script.turn());
    await first.shutdown();
    // A new process (empty conversation store) continues the thread while the list answers garbage twice.
    server.setFaults([{ route: 'GET /api/v1/conversations', replaceBody: '{"weird":true}', times: 2 }]);
    const second = createChatTrail({
      destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl })],
      backoff: { initialMs: 10, maxMs: 50 },
    });
    second.record(script.turn());
    // Delivered in the end; the garbage answers are reported on the way.
    expect(await second.shutdown({ timeoutMs: 30_000 })).toMatchObject({ ok: true, pendingTurns: 0 });
    const stored = await storedIdsByThread(server);
    expect(stored.get('thread-kept')).toEqual([script.history.map((m) => m.id)]);
    expect(second.stats()).toMatchObject({ sent: 1, dropped: { permanent_error: 0 } });
  });
});
