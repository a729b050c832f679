import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedServer } from '../../test/scripted-http-server';
import {
  ConversationScript,
  closeServersAfterEach,
  devServer,
  MELODI_KEY,
  MELODI_MODES,
  melodiFeedback,
  melodiThreads,
  PROJECT_ID,
  requestsOf,
  useMelodiMode,
} from '../../test/trail-test-kit';
import { ChatTrailError } from '../errors';
import { createChatTrail } from '../pipeline/create-chat-trail';
import { redactText } from '../redact/redact-text';
import { melodi } from './melodi-destination';

closeServersAfterEach();

const USER = { id: 'user-ada', name: 'Ada', segments: { plan: 'pro', team: 'research' } };

describe.each(MELODI_MODES)('melodi destination (Melodi %s)', (melodiMode) => {
  useMelodiMode(melodiMode);

  it("upserts a thread whose history is trimmed whole from the trail's log, whatever maxKeptMessages", async () => {
    // Melodi replacing a thread's messages on PUT: the trail hands each turn the thread as its log holds it,
    // so a window never costs the messages it moved past (maxKeptMessages is deprecated and has no effect).
    const server = await devServer();
    const trail = createChatTrail({
      destinations: [
        melodi({
          apiKey: MELODI_KEY,
          projectId: PROJECT_ID,
          baseUrl: server.melodiBaseUrl,
          maxKeptMessages: 12,
        }),
      ],
    });
    const system = { role: 'system', content: 'Be brief.' };
    const histories = new Map<string, { role: string; content: string }[]>();
    const turn = async (threadId: string, t: number) => {
      const history = histories.get(threadId) ?? [];
      histories.set(threadId, history);
      history.push({ role: 'user', content: `${threadId} question ${t}` });
      const answer = { role: 'assistant', content: `${threadId} answer ${t}` };
      const messages = [system, ...history.slice(-3), answer].map((message) => ({ ...message }));
      trail.record({ ...new ConversationScript(threadId).snapshot(), messages } as never);
      history.push(answer);
      expect((await trail.flush()).ok).toBe(true);
    };
    const stored = async (threadId: string) =>
      (await melodiThreads(server)).find((t) => t.externalId === threadId)!.messages.map((m) => m.content);
    const whole = (threadId: string) => [system.content, ...histories.get(threadId)!.map((m) => m.content)];

    // Thread a: 1 + 2 × 3 = 7 messages kept. Thread b then needs 7 more: over 12, so a is let go.
    for (let t = 1; t <= 3; t++) await turn('a', t);
    expect(await stored('a')).toEqual(whole('a'));
    for (let t = 1; t <= 3; t++) await turn('b', t);
    expect(await stored('b')).toEqual(whole('b'));
    await turn('a', 4);
    expect(await stored('a')).toEqual(whole('a'));
    await turn('b', 4);
    expect(await stored('b')).toEqual(whole('b'));
    await trail.shutdown();
  });

  it('keeps one thread holding every message of ten full-history turns once, in order', async () => {
    const server = await devServer();
    const trail = createChatTrail({
      destinations: [melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl })],
    });
    const script = new ConversationScript('thread-ten', USER);
    for (let i = 0; i < 10; i++) {
      trail.record(script.turn());
      if (i % 3 === 0) await trail.flush();
    }
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });

    const threads = await melodiThreads(server);
    expect(threads).toHaveLength(1);
    const [thread] = threads;
    expect(thread!.externalId).toBe('thread-ten');
    expect(thread!.projectId).toBe(PROJECT_ID);
    expect(thread!.messages.map((m) => m.externalId)).toEqual(script.history.map((m) => m.id));
    expect(thread!.messages.map((m) => m.content)).toEqual(script.history.map((m) => m.content));
    expect(thread!.externalUser).toMatchObject({ externalId: 'user-ada', name: 'Ada' });
    expect(thread!.externalUser!.segments.map((s) => `${s.type.name}=${s.name}`).sort()).toEqual([
      'plan=pro',
      'team=research',
    ]);
    // Flat strings and numbers describing the latest turn; `turns` counts the user messages.
    expect(thread!.metadata).toEqual({
      status: 'ok',
      source: 'manual',
      turns: 10,
      model: 'gpt-4o',
      provider: 'openai',
      latency_ms: 250,
      input_tokens: 100,
      output_tokens: 5,
      total_tokens: 105,
    });
    expect(
      Object.values(thread!.metadata!).every((v) => typeof v === 'string' || typeof v === 'number'),
    ).toBe(true);
    // Several turns of one thread in one flush collapse into one PUT: 4 flushes → 4 PUTs for 10 turns.
    expect(requestsOf(server, 'PUT /api/external/threads')).toHaveLength(4);
    expect(trail.stats().destinations.melodi).toMatchObject({ sent: 10, requests: 4 });
  });

  it('sends an answer with tool calls as markdown (its tool calls in jsonContent), tool results as json', async () => {
    const server = await devServer();
    const trail = createChatTrail({
      destinations: [melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl })],
    });
    const script = new ConversationScript('thread-tools', USER);
    script.message('user', 'Weather in Paris?');
    script.message('assistant', 'Let me check.', {
      toolCalls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Paris' } }],
    });
    script.message('tool', '', {
      toolResult: { toolCallId: 'call_1', name: 'get_weather', output: { temperature_c: 21 } },
    });
    script.message('assistant', 'Sunny, 21 °C.');
    trail.record(script.snapshot());
    await trail.shutdown();

    const [thread] = await melodiThreads(server);
    expect(thread!.messages.map(({ externalId: _, metadata: __, ...m }) => m)).toEqual([
      { role: 'user', type: 'markdown', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        type: 'markdown',
        content: 'Let me check.',
        jsonContent: { toolCalls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Paris' } }] },
      },
      {
        role: 'tool',
        type: 'json',
        jsonContent: {
          toolCallId: 'call_1',
          name: 'get_weather',
          output: { temperature_c: 21 },
          isError: false,
        },
      },
      { role: 'assistant', type: 'markdown', content: 'Sunny, 21 °C.' },
    ]);
    expect(thread!.messages[3]!.metadata).toEqual({ position: 3 });
  });

  it('delivers feedback after the thread it is about', async () => {
    const server = await devServer();
    const trail = createChatTrail({
      destinations: [melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl })],
    });
    const script = new ConversationScript('thread-feedback', USER);
    const turn = script.turn();
    // Recorded together: the feedback must still reach Melodi after the thread exists.
    trail.record(turn);
    trail.feedback({
      threadId: 'thread-feedback',
      messageId: turn.messages[1]!.id,
      type: 'negative',
      text: 'Wrong answer',
      attributes: { accuracy: 'wrong' },
      user: { id: 'user-ada' },
    });
    trail.feedback({ threadId: 'thread-feedback', type: 'positive' });
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
    const feedback = await melodiFeedback(server);
    expect(feedback).toHaveLength(2);
    expect(feedback[0]).toMatchObject({
      feedbackType: 'NEGATIVE',
      externalThreadId: 'thread-feedback',
      externalMessageId: turn.messages[1]!.id,
      feedbackText: 'Wrong answer',
      attributes: { accuracy: 'wrong' },
    });
    expect(feedback[1]).toMatchObject({ feedbackType: 'POSITIVE', externalMessageId: turn.messages[1]!.id });
    expect(trail.stats().feedback).toEqual({ recorded: 2, sent: 2, dropped: 0 });
  });

  it('drops feedback for an unknown thread as a permanent error', async () => {
    const server = await devServer();
    const errors: Error[] = [];
    const trail = createChatTrail({
      destinations: [melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl })],
      onError: (error) => errors.push(error),
    });
    trail.feedback({ threadId: 'never-recorded', type: 'positive' });
    const report = await trail.flush();
    expect(report).toMatchObject({ ok: false, pendingTurns: 0, droppedTurns: 1 });
    expect(errors[0]!.message).toContain('404');
    expect(trail.stats().feedback).toEqual({ recorded: 1, sent: 0, dropped: 1 });
  });

  it('counts a thread the server finds too large as too_large (a thread upsert cannot be split)', async () => {
    const server = await devServer();
    server.addFault({ route: 'PUT /api/external/threads', status: 413 });
    const trail = createChatTrail({
      destinations: [melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl })],
      onError: () => {},
    });
    const script = new ConversationScript('thread-big', USER);
    trail.record(script.turn());
    trail.record(script.turn());
    expect(await trail.shutdown()).toMatchObject({ ok: false, pendingTurns: 0, droppedTurns: 2 });
    expect(trail.stats().dropped.too_large).toBe(2);
    expect(requestsOf(server, 'PUT /api/external/threads')).toHaveLength(1);
  });

  it('requires a project id', () => {
    expect(() => melodi({ apiKey: MELODI_KEY, projectId: 0, baseUrl: 'http://127.0.0.1:1' })).toThrow(
      ChatTrailError,
    );
    expect(() => melodi({ apiKey: MELODI_KEY, projectId: 1.5, baseUrl: 'http://127.0.0.1:1' })).toThrow(
      /projectId/,
    );
  });
});

describe.each(MELODI_MODES)('melodi destination: never omits a stored message (Melodi %s)', (melodiMode) => {
  useMelodiMode(melodiMode);
  const destination = (server: { melodiBaseUrl: string }) =>
    melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl });
  const contents = async (server: Parameters<typeof melodiThreads>[0]) =>
    (await melodiThreads(server))[0]!.messages.map((m) => m.content);
  const exchange = (t: number) => [
    { role: 'user', content: `q${t}` },
    { role: 'assistant', content: `a${t}` },
  ];
  const qa = (turns: number) => Array.from({ length: turns }, (_, t) => [`q${t}`, `a${t}`]).flat();

  it.each(['history', 'new'] as const)(
    '50 turns of one thread, each only its own question and answer, flushAt 1 (turnMessages %s): all 100 messages, in order',
    async (turnMessages) => {
      // The reported bug: with turnMessages 'history' each such turn looks like an edit of the thread's
      // start, and a later PUT left out the 2 messages an earlier one had stored.
      const server = await devServer();
      // Inline: from a worker the turns cross together (one per 10 ms), and go in one PUT.
      const trail = createChatTrail({
        flushAt: 1,
        turnMessages,
        destinations: [destination(server)],
        delivery: 'inline',
      });
      for (let t = 0; t < 50; t++) {
        // A turn now and then while PUTs are under way, as an app's requests come.
        if (t % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
        trail.record({ threadId: 'thread-qa', messages: exchange(t) } as never);
      }
      expect(await trail.shutdown({ timeoutMs: 30_000 })).toEqual({ ok: true, pendingTurns: 0 });
      expect(requestsOf(server, 'PUT /api/external/threads').length).toBeGreaterThan(1);
      expect(await contents(server)).toEqual(qa(50));
    },
  );

  it("carries a thread the trail's log let go (over its 2 MiB per thread) whole in the next PUT", async () => {
    const server = await devServer();
    const trail = createChatTrail({
      turnMessages: 'new',
      maxMessageBytes: 3 * 1024 * 1024,
      destinations: [destination(server)],
    });
    const big = 'x'.repeat(2.2 * 1024 * 1024);
    trail.record({ threadId: 'thread-big', messages: exchange(0) } as never);
    expect((await trail.flush()).ok).toBe(true);
    trail.record({
      threadId: 'thread-big',
      messages: [
        { role: 'user', content: 'q1' },
        { role: 'assistant', content: big },
      ],
    } as never);
    expect((await trail.flush()).ok).toBe(true);
    // The log holds nothing of the thread now: this turn alone would be [q2, a2].
    trail.record({ threadId: 'thread-big', messages: exchange(2) } as never);
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
    expect(await contents(server)).toEqual(['q0', 'a0', 'q1', big, 'q2', 'a2']);
  });

  it('puts the messages of a PUT that failed for good in the next one', async () => {
    const server = await devServer();
    const errors: Error[] = [];
    const trail = createChatTrail({ destinations: [destination(server)], onError: (e) => errors.push(e) });
    server.addFault({ route: 'PUT /api/external/threads', status: 400, times: 1 });
    trail.record({ threadId: 'thread-failed', messages: exchange(0) } as never);
    expect(await trail.flush()).toMatchObject({ ok: false, droppedTurns: 1 });
    trail.record({ threadId: 'thread-failed', messages: exchange(1) } as never);
    expect(await trail.shutdown()).toMatchObject({ ok: true, pendingTurns: 0 });
    expect(await contents(server)).toEqual(qa(2));
    expect(errors[0]!.message).toContain('400');
  });

  it('a thread neither the log nor the destination knows (a new process) is put with what its turns carry', async () => {
    // The documented limit: under replace, Melodi then keeps only those messages.
    const server = await devServer();
    for (let t = 0; t < 2; t++) {
      const trail = createChatTrail({ turnMessages: 'new', destinations: [destination(server)] });
      trail.record({ threadId: 'thread-restarted', messages: exchange(t) } as never);
      expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
    }
    expect(await contents(server)).toEqual(melodiMode === 'replace' ? ['q1', 'a1'] : qa(2));
  });

  it("marks a failed or aborted turn's last message with its status and error, redacted", async () => {
    const server = await devServer();
    const trail = createChatTrail({ destinations: [destination(server)], redact: redactText() });
    const script = new ConversationScript('thread-error', USER);
    script.message('user', 'Hi?');
    const error = { name: 'APICallError', message: 'bad key sk-proj-abcdefghijklmnop1234' };
    trail.record(script.snapshot({ status: 'error', error }));
    expect((await trail.flush()).ok).toBe(true);
    // The retry that answers: the thread's metadata moves on, the question keeps its mark.
    script.message('assistant', 'Hello.');
    trail.record(script.snapshot());
    script.message('user', 'And?');
    script.message('assistant', 'Half an ans');
    trail.record(script.snapshot({ status: 'aborted', error: { name: 'AbortError', message: 'aborted' } }));
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
    const [thread] = await melodiThreads(server);
    expect(thread!.messages.map((m) => m.metadata)).toEqual([
      { position: 0, status: 'error', error: { name: 'APICallError', message: 'bad key [secret]' } },
      { position: 1 },
      { position: 2 },
      { position: 3, status: 'aborted', error: { name: 'AbortError', message: 'aborted' } },
    ]);
    expect(thread!.metadata).toMatchObject({ status: 'aborted', error_name: 'AbortError' });
    expect(JSON.stringify(thread)).not.toContain('sk-proj');
  });
});

describe.each(MELODI_MODES)('melodi destination: requests whose answer is lost (Melodi %s)', (melodiMode) => {
  useMelodiMode(melodiMode);

  it('resends an upsert whose answer was lost, which the upsert makes harmless, and counts it', async () => {
    const server = await devServer({
      faults: [{ route: 'PUT /api/external/threads', after: 'drop', times: 2 }],
    });
    const trail = createChatTrail({
      destinations: [melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl })],
      backoff: { initialMs: 10, maxMs: 50 },
    });
    const script = new ConversationScript('thread-upsert', USER);
    trail.record(script.turn());
    trail.record(script.turn());
    expect(await trail.shutdown({ timeoutMs: 30_000 })).toMatchObject({ ok: true, pendingTurns: 0 });
    const [thread] = await melodiThreads(server);
    expect(thread!.messages.map((m) => m.externalId)).toEqual(script.history.map((m) => m.id));
    // Two lost answers (the lane resends the batch: requests are sent once per attempt), then the lane
    // halves the batch that failed whole twice, so the two turns go one PUT each.
    expect(requestsOf(server, 'PUT /api/external/threads')).toHaveLength(4);
    expect(trail.stats()).toMatchObject({
      sent: 2,
      ambiguous: 2,
      destinations: { melodi: { ambiguous: 2 } },
    });
  });
});

describe('melodi destination: one PUT per thread in flight', () => {
  /** A Melodi that holds every PUT until released, and counts each thread's PUTs in flight. */
  async function heldMelodi() {
    const inFlight = new Map<string, number>();
    let maxInFlight = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const waiters: { count: number; resolve: () => void }[] = [];
    const server = await startScriptedServer(async (request) => {
      const threadId = String(request.json?.externalId);
      const n = (inFlight.get(threadId) ?? 0) + 1;
      inFlight.set(threadId, n);
      maxInFlight = Math.max(maxInFlight, n);
      for (const waiter of waiters) if (server.requests.length >= waiter.count) waiter.resolve();
      await released;
      inFlight.set(threadId, n - 1);
      return { json: { id: 1, externalId: threadId, messages: [] } };
    });
    servers.push(server);
    /** Resolves once `count` requests have arrived. */
    const arrived = (count: number) =>
      new Promise<void>((resolve) => {
        if (server.requests.length >= count) resolve();
        else waiters.push({ count, resolve });
      });
    return { server, arrived, release, maxInFlight: () => maxInFlight };
  }
  const servers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  const ids = (request: { json: any }) =>
    request.json.messages.map((m: { externalId: string }) => m.externalId);

  it("holds a thread's next PUT until the one before settled, other threads going on (two trails, one destination)", async () => {
    const held = await heldMelodi();
    const shared = melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: held.server.url });
    // Inline: a worker would hold a copy of the destination of its own (see the core README).
    const a = createChatTrail({ turnMessages: 'new', destinations: [shared], delivery: 'inline' });
    const b = createChatTrail({ turnMessages: 'new', destinations: [shared], delivery: 'inline' });
    const turn = (threadId: string, t: number) => ({
      threadId,
      messages: [
        { role: 'user', content: `q${t}` },
        { role: 'assistant', content: `a${t}` },
      ],
    });
    a.record(turn('thread-t', 0) as never);
    const flushA = a.flush({ timeoutMs: 60_000 });
    await held.arrived(1);
    b.record(turn('thread-t', 1) as never);
    b.record(turn('thread-u', 0) as never);
    const flushB = b.flush({ timeoutMs: 60_000 });
    // thread-u goes while thread-t's first PUT is held; thread-t's second waits for it.
    await held.arrived(2);
    expect(held.server.requests.map((r) => r.json.externalId)).toEqual(['thread-t', 'thread-u']);
    held.release();
    expect(await flushA).toEqual({ ok: true, pendingTurns: 0 });
    expect(await flushB).toEqual({ ok: true, pendingTurns: 0 });
    const puts = held.server.requests;
    expect(puts.map((r) => r.json.externalId)).toEqual(['thread-t', 'thread-u', 'thread-t']);
    expect(held.maxInFlight()).toBe(1);
    // The second PUT of thread-t was built after the first settled: it carries the first's messages.
    expect(ids(puts[2]!).slice(0, 2)).toEqual(ids(puts[0]!));
    expect(ids(puts[2]!)).toHaveLength(4);
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  it('sends nothing more for a thread once a shutdown aborted its PUT', async () => {
    const held = await heldMelodi();
    const trail = createChatTrail({
      turnMessages: 'new',
      destinations: [melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: held.server.url })],
    });
    trail.record({ threadId: 'thread-t', messages: [{ role: 'user', content: 'q0' }] } as never);
    void trail.flush({ timeoutMs: 60_000 });
    await held.arrived(1);
    trail.record({ threadId: 'thread-t', messages: [{ role: 'user', content: 'q1' }] } as never);
    // The flush gives up (the PUT is held), the batch is aborted, the second turn is never sent.
    expect(await trail.shutdown({ timeoutMs: 100 })).toMatchObject({ ok: false, pendingTurns: 2 });
    expect(held.server.requests).toHaveLength(1);
    expect(held.maxInFlight()).toBe(1);
    held.release();
  });
});
