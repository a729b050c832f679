import { describe, expect, it } from 'vitest';
import {
  ConversationScript,
  closeServersAfterEach,
  devServer,
  MELODI_KEY,
  melodiFeedback,
  melodiThreads,
  PROJECT_ID,
  requestsOf,
} from '../../test/trail-test-kit';
import { ChatTrailError } from '../errors';
import { createChatTrail } from '../pipeline/create-chat-trail';
import { melodi } from './melodi-destination';

closeServersAfterEach();

const USER = { id: 'user-ada', name: 'Ada', segments: { plan: 'pro', team: 'research' } };

describe('melodi destination', () => {
  it("upserts a thread whose history is trimmed whole from the trail's log, whatever maxKeptMessages", async () => {
    // Melodi replacing a thread's messages on PUT: the trail hands each turn the thread as its log holds it,
    // so a window never costs the messages it moved past (maxKeptMessages is deprecated and has no effect).
    const server = await devServer({ melodiThreadMessages: 'replace' });
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

describe('melodi destination: requests whose answer is lost (at-least-once)', () => {
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
