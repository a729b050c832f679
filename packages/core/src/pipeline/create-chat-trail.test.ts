import type { DevServer } from '@chattrail/devserver';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConversationScript,
  closeServersAfterEach,
  devServer,
  MELODI_KEY,
  MELODI_MODES,
  MIELTO_KEY,
  melodiFeedback,
  melodiThreads,
  mieltoConversations,
  PROJECT_ID,
  requestsOf,
  useMelodiMode,
} from '../../test/trail-test-kit';
import { getChatTrailContext, withChatTrail } from '../context/chat-trail-context';
import { melodi } from '../destinations/melodi-destination';
import { mielto } from '../destinations/mielto-destination';
import type { ChatTrailDeliveryError, ChatTrailError } from '../errors';
import { contentPartPlaceholder } from '../normalize/content-part-placeholder';
import { redactText } from '../redact/redact-text';
import type { ChatTrailDestination, DeliveryItem } from '../spec/chat-trail-destination';
import type { Turn, TurnMessage, TurnSource } from '../spec/turn';
import { wholeTurn } from '../thread/whole-turn';
import { createChatTrail } from './create-chat-trail';

closeServersAfterEach();
afterEach(() => {
  vi.restoreAllMocks();
});

/** A destination that keeps what it is sent. */
function collector(name = 'collector') {
  const items: DeliveryItem[] = [];
  const destination: ChatTrailDestination = {
    name,
    acceptsFeedback: true,
    send: async (batch) => {
      items.push(...batch);
      return batch.map(() => ({ status: 'sent' as const }));
    },
  };
  const turns = () => items.flatMap((item) => (item.type === 'turn' ? [item.turn] : []));
  /** The turns with the thread before their new messages put back (see DeliveryItem): as recorded. */
  const wholeTurns = () =>
    items.flatMap((item) => (item.type === 'turn' ? [wholeTurn(item.turn, item.thread, item.start)] : []));
  return { destination, items, turns, wholeTurns };
}

function devServerDestinations(server: { mieltoBaseUrl: string; melodiBaseUrl: string }) {
  return [
    mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl }),
    melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl }),
  ];
}

/** The variables that point both backends of a trail built from the environment at `server`. */
function devServerEnv(server: { mieltoBaseUrl: string; melodiBaseUrl: string }): Record<string, string> {
  return {
    MIELTO_API_KEY: MIELTO_KEY,
    MIELTO_BASE_URL: server.mieltoBaseUrl,
    MELODI_API_KEY: MELODI_KEY,
    MELODI_PROJECT_ID: String(PROJECT_ID),
    MELODI_BASE_URL: server.melodiBaseUrl,
  };
}

/** Both backends hold `expected` as the one thread, in order, each message at its thread position. */
async function expectWholeThread(server: DevServer, expected: string[]) {
  const [conversation] = await mieltoConversations(server);
  expect(conversation!.messages.map((message) => message.content)).toEqual(expected);
  const [thread] = await melodiThreads(server);
  expect(thread!.messages.map((message) => message.content)).toEqual(expected);
  const positions = expected.map((_, position) => position);
  expect(conversation!.messages.map((message) => message.meta_data?.position)).toEqual(positions);
  expect(thread!.messages.map((message) => message.metadata?.position)).toEqual(positions);
}

describe.each(MELODI_MODES)('createChatTrail (Melodi %s)', (melodiMode) => {
  useMelodiMode(melodiMode);
  describe('record() with bad input', () => {
    it('never throws and counts every turn it could not take', async () => {
      const { destination, turns } = collector();
      const errors: ChatTrailError[] = [];
      const trail = createChatTrail({ destinations: [destination], onError: (e) => errors.push(e) });
      const hostile = new Proxy(
        {},
        {
          get() {
            throw new Error('hostile getter');
          },
        },
      );
      const inputs: unknown[] = [
        null,
        undefined,
        42,
        'turn',
        {},
        { threadId: '' },
        { threadId: 5, messages: [] },
        hostile,
        { threadId: 't', messages: 'not an array' },
        { threadId: 't', messages: [null, 7, { role: 'assistant', content: { weird: true } }] },
      ];
      for (const input of inputs) expect(() => trail.record(input as Turn)).not.toThrow();
      await trail.flush();
      const stats = trail.stats();
      expect(stats.recorded).toBe(inputs.length);
      expect(stats.dropped.invalid_turn).toBe(7);
      expect(stats.dropped.internal_error).toBe(1);
      expect(errors.map((e) => e.message)).toEqual(['internal error in record(): hostile getter']);
      // A null message is an empty slot: left out, and counted in the turn's metadata and the stats.
      expect(turns().map((t) => t.messages.length)).toEqual([0, 2]);
      expect(turns()[1]!.messages.map((m) => m.content)).toEqual([
        '7',
        contentPartPlaceholder({ weird: true }),
      ]);
      expect(turns()[1]!.metadata).toEqual({ chattrail_skipped_messages: 1 });
      expect(stats.truncatedMessages).toBe(1);
    });

    it('delivers hostile metadata, huge and binary messages and a 10,000-message turn', async () => {
      const server = await devServer();
      const trail = createChatTrail({
        destinations: [
          // 20 ordered chunks of 500 for the 10,000-message turn (100 by default).
          mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, maxMessagesPerRequest: 500 }),
          melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl }),
        ],
        maxMessageBytes: 64 * 1024,
      });
      const circular: Record<string, unknown> = {
        name: 'loop',
        big: 2n ** 70n,
        when: new Date(0),
        fn: () => 1,
      };
      circular.self = circular;
      const polluted = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"x": 1}, "ok": 1}');
      const script = new ConversationScript('thread-bad-input', { id: 'u1' });
      const huge = `${'é'.repeat(2_500_000)}END`; // 5 MB of UTF-8
      script.message('user', huge, { metadata: circular as never });
      script.message('user', [
        { type: 'text', text: 'What is in this picture?' },
        { type: 'image', image: new Uint8Array(34 * 1024), mediaType: 'image/png' },
      ] as never);
      script.message('user', new Uint8Array(2048) as never);
      script.message('assistant', 'A cat.', {
        toolCalls: [{ id: 'c1', name: 'inspect', args: { circular, polluted } as never }],
      });
      trail.record(script.snapshot({ metadata: polluted }));
      const longThread = new ConversationScript('thread-10000', { id: 'u2' });
      for (let i = 0; i < 10_000; i++) longThread.message(i % 2 ? 'assistant' : 'user', `message ${i}`);
      trail.record(longThread.snapshot()); // the cost of record() is a benchmark figure (`pnpm bench`)

      expect(await trail.shutdown({ timeoutMs: 45_000 })).toEqual({ ok: true, pendingTurns: 0 });
      expect(trail.stats()).toMatchObject({ recorded: 2, sent: 4 });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();

      const conversations = await mieltoConversations(server);
      const bad = conversations.find((c) => c.meta_data.thread_id === 'thread-bad-input')!;
      const [first, second, third, fourth] = bad.messages;
      expect(new TextEncoder().encode(first!.content).length).toBeLessThanOrEqual(64 * 1024);
      expect(first!.content).toMatch(/^é+… \[truncated \d+ bytes\]$/);
      expect(first!.meta_data!.metadata).toEqual({
        name: 'loop',
        big: '1180591620717411303424',
        when: '1970-01-01T00:00:00.000Z',
        self: '[Circular]',
      });
      expect(second!.content).toBe('What is in this picture?\n[image: image/png, 34 KB]');
      expect(third!.content).toBe('[binary: 2 KB]');
      expect(JSON.parse(fourth!.tool_calls![0]!.function.arguments)).toEqual({
        circular: {
          name: 'loop',
          big: '1180591620717411303424',
          when: '1970-01-01T00:00:00.000Z',
          self: '[Circular]',
        },
        polluted: { ok: 1 },
      });
      const long = conversations.find((c) => c.meta_data.thread_id === 'thread-10000')!;
      expect(long.messages).toHaveLength(10_000);
      expect(long.messages[9_999]!.content).toBe('message 9999');
      const threads = await melodiThreads(server);
      expect(threads.find((t) => t.externalId === 'thread-10000')!.messages).toHaveLength(10_000);
    });

    it('records a private copy: later changes by the app do not reach the backends', async () => {
      const { destination, turns } = collector();
      const trail = createChatTrail({ destinations: [destination] });
      const turn = new ConversationScript('t').turn('original');
      trail.record(turn);
      turn.messages[0]!.content = 'changed';
      await trail.flush();
      expect(turns()[0]!.messages[0]!.content).toBe('original');
    });
  });

  describe('limits on what the host hands over', () => {
    it('records a sparse messages array of 50 million slots without walking it, keeping the newest', async () => {
      const server = await devServer();
      const trail = createChatTrail({ destinations: devServerDestinations(server) });
      // The reproduction ran the host out of memory at an 8 GB heap; 1M holes blocked it 1.2 s.
      const messages: unknown[] = [{ role: 'user', content: 'x' }];
      messages.length = 5e7;
      messages[5e7 - 2] = { role: 'user', content: 'the question' };
      messages[5e7 - 1] = { role: 'assistant', content: 'the answer' };
      trail.record({ ...new ConversationScript('thread-sparse').turn('unused'), messages } as Turn);
      expect(await trail.flush({ timeoutMs: 20_000 })).toEqual({ ok: true, pendingTurns: 0 });
      expect(trail.stats()).toMatchObject({ recorded: 1, sent: 2, truncatedMessages: 5e7 - 2 });

      const [conversation] = await mieltoConversations(server);
      expect(conversation!.messages.map((m) => m.content)).toEqual(['the question', 'the answer']);
      const [thread] = await melodiThreads(server);
      expect(thread!.messages.map((m) => m.content)).toEqual(['the question', 'the answer']);
      expect(thread!.metadata).toMatchObject({
        chattrail_truncated_messages: 5e7 - 10_000,
        chattrail_skipped_messages: 9_998,
      });
    });

    it('keeps the newest maxMessagesPerTurn messages of a resent history, each stored once', async () => {
      const server = await devServer();
      const trail = createChatTrail({ destinations: devServerDestinations(server), maxMessagesPerTurn: 4 });
      const script = new ConversationScript('thread-capped');
      for (let n = 1; n <= 4; n++) trail.record(script.turn(`question ${n}`, `answer ${n}`));
      expect(await trail.flush()).toEqual({ ok: true, pendingTurns: 0 });
      expect(trail.stats().truncatedMessages).toBe(0 + 0 + 2 + 4);
      // Each turn's window moved on by one exchange: the older messages were sent with earlier turns.
      const expected = [1, 2, 3, 4].flatMap((n) => [`question ${n}`, `answer ${n}`]);
      const [conversation] = await mieltoConversations(server);
      expect(conversation!.messages.map((m) => m.content)).toEqual(expected);
      const [thread] = await melodiThreads(server);
      expect(thread!.messages.map((m) => m.content)).toEqual(expected);
    });

    it('stores a 90 KB thread id (and user id) as a short, stable id, with its prefix in the metadata', async () => {
      const server = await devServer();
      const trail = createChatTrail({ destinations: devServerDestinations(server) });
      // As a client's metadata.thread_id reaches the Express adapter: a fresh string with every request.
      const longId = () => `client-thread-${'x'.repeat(90 * 1024)}`;
      const longUser = () => `client-user-${'u'.repeat(10 * 1024)}`;
      const first = new ConversationScript(longId(), { id: longUser() });
      trail.record(first.turn('first question', 'first answer'));
      const second = new ConversationScript(longId(), { id: longUser() });
      second.turn('first question', 'first answer');
      trail.record(second.turn('second question', 'second answer'));
      trail.feedback({ threadId: longId(), type: 'positive' });
      expect(await trail.flush()).toEqual({ ok: true, pendingTurns: 0 });
      expect(trail.stats()).toMatchObject({ sent: 4, feedback: { sent: 1, dropped: 0 } });

      const conversations = await mieltoConversations(server);
      expect(conversations).toHaveLength(1);
      const threadId = conversations[0]!.meta_data.thread_id as string;
      expect(threadId).toMatch(/^client-thread-x{50}…[0-9a-f]{16}$/);
      expect(conversations[0]!.user_id).toMatch(/^client-user-u{52}…[0-9a-f]{16}$/);
      expect(conversations[0]!.messages).toHaveLength(4);
      const threads = await melodiThreads(server);
      expect(threads.map((t) => t.externalId)).toEqual([threadId]);
      expect(threads[0]!.messages).toHaveLength(4);
      expect(threads[0]!.metadata).toMatchObject({
        chattrail_thread_id_prefix: longId().slice(0, 256),
        chattrail_user_id_prefix: longUser().slice(0, 256),
      });
      // The feedback found the thread (the devserver answers 404 for an unknown one).
      expect(await melodiFeedback(server)).toHaveLength(1);
      // What was stored is a few KB, not the id over and over (a 90 KB id was once stored 25 times).
      const stored = JSON.stringify([conversations, threads]);
      expect(stored.length).toBeLessThan(16 * 1024);
    });

    it('sends U+FFFD in place of lone surrogates', async () => {
      const server = await devServer();
      const trail = createChatTrail({ destinations: devServerDestinations(server) });
      const script = new ConversationScript('thread-\ud800-surrogates', { id: 'user-\udfff' });
      // A high surrogate cut from its pair (a text sliced mid-emoji) and a stray low one.
      trail.record(
        script.snapshot({
          messages: [
            { id: 'm-\ud83d', role: 'user', content: 'cut emoji \ud83d and stray \ude00, kept 😀' },
            {
              id: 'm2',
              role: 'assistant',
              content: '',
              toolCalls: [{ id: 'call-\ud83d', name: 'lookup', args: { 'q\ud83d': 'a\ude00' } }],
            },
            {
              id: 'm3',
              role: 'tool',
              content: '',
              toolResult: { toolCallId: 'call-\ud83d', output: ['\ud83d'] },
            },
          ],
          metadata: { 'key\ud800': 'value\udc00' },
          status: 'error',
          error: { name: 'Error', message: 'failed \ud83d' },
        } as Partial<Turn>),
      );
      expect(await trail.flush()).toEqual({ ok: true, pendingTurns: 0 });
      // No \udXXX escape went over the wire (the devserver logs each request body)...
      for (const request of requestsOf(server)) expect(request.body).not.toMatch(/\\ud[89a-f]/i);
      // ...and what was stored holds U+FFFD where the lone halves were.
      const [conversation] = await mieltoConversations(server);
      expect(conversation!.meta_data.thread_id).toBe('thread-\ufffd-surrogates');
      expect(conversation!.user_id).toBe('user-\ufffd');
      expect(conversation!.messages[0]!.content).toBe('cut emoji \ufffd and stray \ufffd, kept 😀');
      const [thread] = await melodiThreads(server);
      expect(thread!.externalId).toBe('thread-\ufffd-surrogates');
      expect(thread!.messages[0]!.content).toBe('cut emoji \ufffd and stray \ufffd, kept 😀');
      expect(thread!.messages[0]!.externalId).toBe('m-\ufffd');
      const stored = JSON.stringify([conversation, thread]);
      expect(stored).not.toMatch(/\\ud[89a-f]/i);
      expect(stored).toContain('key\ufffd');
      expect(stored).toContain('value\ufffd');
      expect(stored).toContain('failed \ufffd');
    });
  });

  describe('resent history', () => {
    const turnOf = (threadId: string, texts: string[]) => ({
      threadId,
      // Fresh objects and strings every turn, as an adapter parsing each request body hands them over.
      messages: texts.map((text, i) => ({
        role: i % 2 === 0 ? 'user' : 'assistant',
        content: `${text}!`.slice(0, -1),
      })),
    });

    it('shares the copies of messages a later turn resends unchanged, and nothing else', async () => {
      const { destination, wholeTurns: turns } = collector();
      const trail = createChatTrail({ destinations: [destination], flushAt: 100 });
      const first = turnOf('t1', ['Hi', 'Hello']);
      trail.record(first as never);
      first.messages[0]!.content = 'changed by the app afterwards';
      trail.record(turnOf('t1', ['Hi', 'Hello', 'More?', 'Sure']) as never);
      trail.record(turnOf('t1', ['Hi', 'Hello (edited)', 'More?', 'Sure', 'Bye']) as never);
      await trail.flush();
      const [one, two, three] = turns();
      expect(one!.messages.map((m) => m.content)).toEqual(['Hi', 'Hello']);
      expect(two!.messages[0]).toBe(one!.messages[0]);
      expect(two!.messages[1]).toBe(one!.messages[1]);
      expect(three!.messages[0]).toBe(two!.messages[0]);
      expect(three!.messages[1]).not.toBe(two!.messages[1]);
      expect(three!.messages[1]!.content).toBe('Hello (edited)');
      expect(three!.messages[2]).toBe(two!.messages[2]);
      // The ids are those a trail without any shared history derives.
      const { destination: plain, turns: plainTurns } = collector();
      const fresh = createChatTrail({ destinations: [plain] });
      fresh.record(turnOf('t1', ['Hi', 'Hello (edited)', 'More?', 'Sure', 'Bye']) as never);
      await fresh.flush();
      expect(three!.messages.map((m) => m.id)).toEqual(plainTurns()[0]!.messages.map((m) => m.id));
      await Promise.all([trail.shutdown(), fresh.shutdown()]);
    });

    it.each(['merge', 'replace'] as const)(
      'sends each message once when the app sends a sliding window of the history without ids (Melodi: %s)',
      async (melodiThreadMessages) => {
        // Melodi either merges a thread's messages by externalId or replaces them with the body's: each
        // upsert must hold the whole thread, windows already sent included.
        const server = await devServer({ melodiThreadMessages });
        const trail = createChatTrail({ destinations: devServerDestinations(server), flushAt: 1_000 });
        // What a model sees when the app trims its context: the system prompt and the last three messages.
        const system = { role: 'system', content: 'Be brief.' };
        const history: { role: string; content: string }[] = [];
        for (let t = 1; t <= 9; t++) {
          history.push({ role: 'user', content: t === 6 ? 'ok' : `question ${t}` });
          const answer = { role: 'assistant', content: t % 3 === 0 ? 'ok' : `answer ${t}` };
          const messages = [system, ...history.slice(-3), answer].map((message) => ({ ...message }));
          trail.record({
            ...new ConversationScript('thread-window').snapshot(),
            messages,
          } as unknown as Turn);
          history.push(answer);
          // Some turns go one by one, others pile up into one batch.
          if (t <= 3 || t === 7) expect((await trail.flush()).ok).toBe(true);
        }
        expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });

        const expected = [system, ...history].map((message) => message.content);
        // Positions in the thread, not in the window each message came in.
        await expectWholeThread(server, expected);
      },
    );

    it.each(['merge', 'replace'] as const)(
      "turnMessages: 'new' sends repeated texts, a retried input once and the system prompt once (Melodi: %s)",
      async (melodiThreadMessages) => {
        // An app that keeps the history itself: each call carries the system prompt and the new exchange.
        const server = await devServer({ melodiThreadMessages });
        const trail = createChatTrail({
          destinations: devServerDestinations(server),
          turnMessages: 'new',
          flushAt: 1_000,
        });
        const system = { role: 'system', content: 'Be brief.' };
        const script = new ConversationScript('thread-new-only', { id: 'u1' }); // a new turn id per snapshot
        const turn = (user: string, answer?: string, status: 'ok' | 'error' = 'ok') =>
          ({
            ...script.snapshot(),
            messages: [
              system,
              { role: 'user', content: user },
              ...(answer ? [{ role: 'assistant', content: answer }] : []),
            ],
            status,
          }) as unknown as Turn;
        trail.record(turn('Shall we?', 'Sure!'));
        expect((await trail.flush()).ok).toBe(true);
        trail.record(turn('yes', 'Sure!'));
        trail.record(turn('yes', undefined, 'error')); // the first attempt failed...
        trail.record(turn('yes', 'Done.')); // ...and the retry answered
        expect((await trail.flush()).ok).toBe(true);
        trail.record(turn('Shall we?', 'Sure!'));
        expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });

        const expected = [
          'Be brief.',
          'Shall we?',
          'Sure!',
          'yes',
          'Sure!',
          'yes',
          'Done.',
          'Shall we?',
          'Sure!',
        ];
        await expectWholeThread(server, expected);

        // The same turns recorded by a trail with the default turnMessages lose the repeats: what 'new' is for.
        const defaults = await devServer();
        const plain = createChatTrail({
          destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: defaults.mieltoBaseUrl })],
        });
        for (const [user, answer] of [
          ['Shall we?', 'Sure!'],
          ['yes', 'Sure!'],
          ['Shall we?', 'Sure!'],
        ] as const) {
          plain.record(turn(user, answer));
        }
        await plain.shutdown();
        const [lossy] = await mieltoConversations(defaults);
        expect(lossy!.messages.map((message) => message.content)).toEqual([
          'Be brief.',
          'Shall we?',
          'Sure!',
          'yes',
        ]);
      },
    );

    it("turnMessages: 'new' with redact: tool-loop steps stored once, and only redacted text goes out again", async () => {
      const server = await devServer({ melodiThreadMessages: 'replace' });
      const trail = createChatTrail({
        destinations: devServerDestinations(server),
        turnMessages: 'new',
        redact: redactText(),
        flushAt: 1_000,
      });
      const script = new ConversationScript('thread-new-redacted', { id: 'u1' });
      const system = { role: 'system', content: 'Be brief.' };
      const ask = { role: 'user', content: 'Write to ada@example.com about the weather' };
      const call = { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'weather', args: {} }] };
      const result = { role: 'tool', content: '', toolResult: { toolCallId: 'c1', output: 'sunny' } };
      const record = (messages: object[]) =>
        trail.record({ ...script.snapshot(), messages } as unknown as Turn);
      record([system, ask, call]); // step 1
      record([system, ask, call, result, { role: 'assistant', content: 'Sent.' }]); // step 2 carries step 1
      expect((await trail.flush()).ok).toBe(true);
      record([system, { role: 'user', content: 'Thanks' }, { role: 'assistant', content: 'Sent.' }]);
      expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });

      const roles = ['system', 'user', 'assistant', 'tool', 'assistant', 'user', 'assistant'];
      const [conversation] = await mieltoConversations(server);
      expect(conversation!.messages.map((message) => message.role)).toEqual(roles);
      const [thread] = await melodiThreads(server); // replaced on every PUT: each held the whole thread
      expect(thread!.messages.map((message) => message.role)).toEqual(roles);
      const sent = JSON.stringify([conversation, thread]);
      expect(sent).not.toContain('ada@example.com');
      expect(sent).toContain('Write to [email] about the weather');
    });

    it('takes turnMessages from the turn, then the withChatTrail context, then the trail', async () => {
      const { destination, turns } = collector();
      const trail = createChatTrail({ destinations: [destination] });
      let turnNumber = 0; // 'new' needs a distinct turn id per turn, as adapters give
      const yes = (threadId: string, extra: Partial<Turn> = {}) =>
        ({
          ...new ConversationScript(threadId).snapshot(),
          id: `turn-${++turnNumber}`,
          messages: [{ role: 'user', content: 'yes' }],
          ...extra,
        }) as Turn;
      const idsOf = async (threadId: string, record: (turn: Turn) => void, extra: Partial<Turn> = {}) => {
        record(yes(threadId, extra));
        record(yes(threadId, extra));
        await trail.flush();
        const [first, second] = turns().filter((turn) => turn.threadId === threadId);
        return [first!.messages[0]!.id, second!.messages[0]!.id];
      };
      const plain = (turn: Turn) => trail.record(turn);
      const inNewContext = (turn: Turn) => withChatTrail({ turnMessages: 'new' }, () => trail.record(turn));
      const [a, b] = await idsOf('the-trail', plain); // the trail's 'history': the same message twice
      expect(b).toBe(a);
      const [c, d] = await idsOf('the-turn', plain, { turnMessages: 'new' });
      expect(d).not.toBe(c);
      const [e, f] = await idsOf('the-context', inNewContext);
      expect(f).not.toBe(e);
      const [g, h] = await idsOf('turn-over-context', inNewContext, { turnMessages: 'history' });
      expect(h).toBe(g);
      await trail.shutdown();
    });

    it("warns once when a thread's turns keep carrying none of the previous turn's messages", async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const newOnly = (turnMessages?: 'new') => {
        const trail = createChatTrail({ destinations: [collector().destination], turnMessages });
        const script = new ConversationScript('thread-unlinked', { id: 'u1' });
        for (let t = 1; t <= 5; t++) {
          const messages = [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: `question ${t}` },
            { role: 'assistant', content: `answer ${t}` },
          ];
          trail.record({ ...script.snapshot(), messages } as unknown as Turn);
        }
        return trail.shutdown();
      };
      await newOnly('new');
      expect(warn).not.toHaveBeenCalled();
      await newOnly();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toContain("turnMessages: 'new'");

      // Resent and trimmed histories never do.
      warn.mockClear();
      const trail = createChatTrail({ destinations: [collector().destination] });
      const script = new ConversationScript('thread-resent', { id: 'u1' });
      for (let t = 1; t <= 6; t++) trail.record(script.turn(`question ${t}`, `answer ${t}`));
      await trail.shutdown();
      expect(warn).not.toHaveBeenCalled();
    });

    it('gives redact its own copies, so a redaction of one turn cannot reach another', async () => {
      const { destination, turns } = collector();
      let calls = 0;
      const trail = createChatTrail({
        destinations: [destination],
        redact: (turn) => {
          // Masks the first message of the second turn only, in place.
          if (++calls === 2) turn.messages[0]!.content = '[masked]';
          return turn;
        },
      });
      trail.record(turnOf('t2', ['Hi', 'Hello']) as never);
      trail.record(turnOf('t2', ['Hi', 'Hello', 'More?']) as never);
      trail.record(turnOf('t2', ['Hi', 'Hello', 'More?', 'Sure']) as never);
      await trail.flush();
      expect(turns().map((t) => t.messages[0]!.content)).toEqual(['Hi', '[masked]', 'Hi']);
      await trail.shutdown();
    });
  });

  describe('privacy', () => {
    it('applies redactText() before anything is queued, on a copy', async () => {
      const server = await devServer();
      const trail = createChatTrail({ destinations: devServerDestinations(server), redact: redactText() });
      const script = new ConversationScript('thread-pii', { id: 'u1', email: 'ada@example.com' });
      const turn = script.turn(
        'Mail ada@example.com or call +44 20 7946 0958, card 4111 1111 1111 1111, key sk-proj-abcdefghijklmnop1234',
        'Done.',
      );
      trail.record(turn);
      await trail.shutdown();
      const [conversation] = await mieltoConversations(server);
      expect(conversation!.messages[0]!.content).toBe(
        'Mail [email] or call [phone], card [card], key [secret]',
      );
      const [thread] = await melodiThreads(server);
      expect(thread!.messages[0]!.content).toBe('Mail [email] or call [phone], card [card], key [secret]');
      expect(turn.messages[0]!.content).toContain('ada@example.com');
    });

    it('skips turns redact returns null for, and drops (never sends) turns when redact fails', async () => {
      const { destination, turns } = collector();
      const errors: ChatTrailError[] = [];
      const trail = createChatTrail({
        destinations: [destination],
        onError: (e) => errors.push(e),
        redact: (turn) => {
          if (turn.metadata?.skip) return null;
          if (turn.metadata?.explode) throw new Error('redactor bug');
          if (turn.metadata?.forget) return undefined as never;
          return turn;
        },
      });
      const script = new ConversationScript('t');
      trail.record(script.snapshot({ metadata: { skip: true } }));
      trail.record(script.snapshot({ metadata: { explode: true } }));
      trail.record(script.snapshot({ metadata: { explode: true } }));
      trail.record(script.snapshot({ metadata: { forget: true } }));
      trail.record(script.snapshot({ metadata: { keep: true } }));
      await trail.flush();
      expect(turns().map((t) => t.metadata)).toEqual([{ keep: true }]);
      expect(trail.stats()).toMatchObject({
        recorded: 5,
        redactedOut: 1,
        dropped: { redact_error: 3 },
        sent: 1,
      });
      expect(errors.map((e) => e.message)).toEqual([
        'redact threw, so the turn was dropped unsent: redactor bug',
        'redact must return the turn (changed or not) or null to skip it; it returned something else, so the turn was dropped unsent',
      ]);
    });

    it('counts a redact that leaves holes or non-messages in messages as redact_error, and takes splice', async () => {
      const server = await devServer();
      const errors: ChatTrailError[] = [];
      const trail = createChatTrail({
        destinations: devServerDestinations(server),
        onError: (e) => errors.push(e),
        redact: (turn) => {
          const how = turn.metadata?.how;
          if (how === 'delete') delete turn.messages[0];
          if (how === 'null') (turn.messages as unknown[])[0] = null;
          if (how === 'no-content') delete (turn.messages[0] as Partial<TurnMessage>).content;
          if (how === 'delete-all') delete (turn as Partial<Turn>).messages;
          if (how === 'splice') turn.messages.splice(0, 1);
          return turn;
        },
      });
      const script = new ConversationScript('thread-redact-delete');
      script.turn('private question', 'answer');
      for (const how of ['delete', 'null', 'no-content', 'delete-all', 'splice']) {
        trail.record(script.snapshot({ metadata: { how } }));
      }
      expect(await trail.flush()).toMatchObject({ ok: true, pendingTurns: 0 });
      expect(trail.stats().dropped).toMatchObject({ redact_error: 4, internal_error: 0 });
      expect(trail.stats().sent).toBe(2);
      expect(errors.map((e) => [(e as ChatTrailDeliveryError).reason, e.message])).toEqual([
        [
          'redact_error',
          'redact returned a turn that cannot be sent (its messages[0] is missing (a hole left by delete? remove messages with splice or filter)), so the turn was dropped unsent',
        ],
        [
          'redact_error',
          'redact returned a turn that cannot be sent (its messages[0] is null), so the turn was dropped unsent',
        ],
        [
          'redact_error',
          'redact returned a turn that cannot be sent (its messages[0].content is not a string), so the turn was dropped unsent',
        ],
        [
          'redact_error',
          'redact must return the turn (changed or not) or null to skip it; it returned something else, so the turn was dropped unsent',
        ],
      ]);
      // The spliced turn went out without the message redact took away.
      const [conversation] = await mieltoConversations(server);
      expect(conversation!.messages.map((m) => m.content)).toEqual(['answer']);
    });

    it('records structure, usage and timings but no text with captureContent: false', async () => {
      const server = await devServer();
      const trail = createChatTrail({ destinations: devServerDestinations(server), captureContent: false });
      const script = new ConversationScript('thread-private', { id: 'u1' });
      script.message('user', 'my secret question');
      script.message('assistant', 'thinking', {
        toolCalls: [{ id: 'c1', name: 'lookup', args: { q: 'secret' } }],
      });
      script.message('tool', '', {
        toolResult: { toolCallId: 'c1', name: 'lookup', output: { answer: 'secret' } },
      });
      script.message('assistant', 'the secret answer');
      trail.record(script.snapshot());
      trail.feedback({ threadId: 'thread-private', type: 'negative', text: 'secret complaint' });
      await trail.shutdown();

      const [conversation] = await mieltoConversations(server);
      expect(conversation!.messages.map((m) => [m.role, m.content])).toEqual([
        ['user', ''],
        ['assistant', ''],
        ['tool', ''],
        ['assistant', ''],
      ]);
      expect(conversation!.messages[1]!.tool_calls![0]).toEqual({
        id: 'c1',
        type: 'function',
        function: { name: 'lookup', arguments: 'null' },
      });
      expect(conversation!.messages[3]!.meta_data).toMatchObject({
        usage: { inputTokens: 10 },
        latency_ms: 250,
      });
      expect(conversation!.title).toBe('thread-private');
      const [thread] = await melodiThreads(server);
      expect(thread!.messages[2]!.jsonContent).toEqual({
        toolCallId: 'c1',
        name: 'lookup',
        output: null,
        isError: false,
      });
      expect(JSON.stringify({ conversation, thread })).not.toContain('secret');
    });
  });

  describe('sampling', () => {
    it('keeps or drops whole threads, deterministically across trails', async () => {
      const runs = [1, 2].map(() => {
        const { destination, turns } = collector();
        const trail = createChatTrail({ destinations: [destination], sampleRate: 0.3 });
        for (let i = 0; i < 300; i++) {
          const script = new ConversationScript(`thread-${i}`);
          trail.record(script.turn());
          trail.record(script.turn());
        }
        return { trail, turns };
      });
      await Promise.all(runs.map((run) => run.trail.flush()));
      const kept = runs.map((run) => run.turns().map((t) => t.threadId));
      expect(kept[0]).toEqual(kept[1]);
      const threads = new Set(kept[0]);
      expect(threads.size).toBeGreaterThan(60);
      expect(threads.size).toBeLessThan(120);
      for (const thread of threads) expect(kept[0]!.filter((t) => t === thread)).toHaveLength(2);
      expect(runs[0]!.trail.stats()).toMatchObject({ recorded: 600, sampledOut: 600 - kept[0]!.length });
    });

    it('records nothing at 0 and everything at 1', async () => {
      for (const [sampleRate, expected] of [
        [0, 0],
        [1, 10],
      ] as const) {
        const { destination, turns } = collector();
        const trail = createChatTrail({ destinations: [destination], sampleRate });
        for (let i = 0; i < 10; i++) trail.record(new ConversationScript(`t${i}`).turn());
        await trail.flush();
        expect(turns()).toHaveLength(expected);
      }
    });
  });

  describe('configuration from the environment', () => {
    it('builds both destinations from env variables alone', async () => {
      const server = await devServer();
      const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
      const trail = createChatTrail({ env: { ...devServerEnv(server), CHATTRAIL_DEBUG: '1' } });
      trail.record(new ConversationScript('thread-env').turn());
      expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
      expect(Object.keys(trail.stats().destinations)).toEqual(['mielto', 'melodi']);
      expect(await mieltoConversations(server)).toHaveLength(1);
      expect(await melodiThreads(server)).toHaveLength(1);
      const logged = debug.mock.calls.map((call) => call.join(' '));
      expect(logged[0]).toMatch(/^\[chattrail\] trail created: mielto, melodi/);
      expect(logged.join('\n')).not.toContain(MIELTO_KEY);
      expect(logged.join('\n')).not.toContain(MELODI_KEY);
    });

    it('gives the destinations it builds from the environment its fetch option', async () => {
      const server = await devServer();
      const called: string[] = [];
      const fetch: typeof globalThis.fetch = (input, init) => {
        called.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
        return globalThis.fetch(input, init);
      };
      const trail = createChatTrail({ fetch, env: devServerEnv(server) });
      trail.record(new ConversationScript('thread-env-fetch').turn());
      expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
      expect(called).toEqual(
        expect.arrayContaining([
          'POST /api/v1/conversations',
          'POST /api/v1/messages',
          'PUT /api/external/threads',
        ]),
      );
      expect(await melodiThreads(server)).toHaveLength(1);
    });

    it('reads CHATTRAIL_DISABLED and CHATTRAIL_SAMPLE_RATE', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const { destination, turns } = collector();
      const disabled = createChatTrail({ destinations: [destination], env: { CHATTRAIL_DISABLED: 'true' } });
      disabled.record(new ConversationScript('t').turn());
      await disabled.flush();
      expect(turns()).toHaveLength(0);
      expect(disabled.stats().recorded).toBe(0);
      const sampled = createChatTrail({ destinations: [destination], env: { CHATTRAIL_SAMPLE_RATE: '0' } });
      sampled.record(new ConversationScript('t').turn());
      expect(sampled.stats().sampledOut).toBe(1);
      expect(warn).not.toHaveBeenCalled();
    });

    it('warns once and records nothing without any destination', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const trail = createChatTrail({ env: {} });
      for (let i = 0; i < 5; i++) trail.record(new ConversationScript('t').turn());
      trail.feedback({ threadId: 't', type: 'positive' });
      expect(await trail.flush()).toEqual({ ok: true, pendingTurns: 0 });
      expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toMatch(/^\[chattrail\] no destination configured: set MIELTO_API_KEY/);
      expect(warn.mock.calls[0]![0]).not.toContain('\n');
      expect(trail.stats()).toMatchObject({ recorded: 0, queuedTurns: 0, destinations: {} });
    });

    it('explains a Melodi key without a project id', () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      createChatTrail({ env: { MELODI_API_KEY: 'key', MIELTO_API_KEY: 'key' } });
      expect(warn.mock.calls.map((call) => call[0])).toEqual([
        '[chattrail] MELODI_API_KEY is set but MELODI_PROJECT_ID is not; Melodi is skipped',
      ]);
    });
  });

  describe('context', () => {
    it('pushes each recorded turn source into the request capture, even when not kept', () => {
      const { destination } = collector();
      const trail = createChatTrail({ destinations: [destination], sampleRate: 0 });
      const disabled = createChatTrail({ destinations: [destination], disabled: true });
      const sources: TurnSource[] = [];
      withChatTrail({ threadId: 'req-1', capture: { sources } }, () => {
        trail.record(new ConversationScript('t').snapshot({ source: 'ai-sdk' }));
        withChatTrail({ user: { id: 'u1' } }, () => {
          expect(getChatTrailContext()?.capture?.sources).toBe(sources);
          disabled.record(new ConversationScript('t').snapshot({ source: 'langchain' }));
        });
      });
      trail.record(new ConversationScript('t').snapshot({ source: 'express' }));
      expect(sources).toEqual(['ai-sdk', 'langchain']);
      // What the Express adapter checks after the response:
      expect(sources.some((source) => source !== 'express')).toBe(true);
    });

    it('takes a missing thread id and user from withChatTrail', async () => {
      const { destination, turns } = collector();
      const trail = createChatTrail({ destinations: [destination] });
      await withChatTrail(
        { threadId: 'ctx-thread', user: { id: 'ctx-user' }, metadata: { route: '/chat' } },
        async () => {
          await Promise.resolve();
          const { threadId: _, user: __, ...turn } = new ConversationScript('ignored').turn();
          trail.record(turn as Turn);
        },
      );
      await trail.flush();
      expect(turns()[0]).toMatchObject({
        threadId: 'ctx-thread',
        user: { id: 'ctx-user' },
        metadata: { route: '/chat' },
      });
    });
  });

  describe('serverless', () => {
    it('hands every delivery to the waitUntil option, which settles once delivered', async () => {
      const { destination, turns } = collector();
      const handed: Promise<unknown>[] = [];
      const trail = createChatTrail({ destinations: [destination], waitUntil: (p) => handed.push(p) });
      trail.record(new ConversationScript('a').turn());
      trail.record(new ConversationScript('b').turn());
      expect(handed).toHaveLength(1); // one hand-off per synchronous run of records
      expect(turns()).toHaveLength(0);
      await handed[0];
      expect(turns()).toHaveLength(2); // delivered without waiting for flushIntervalMs
      trail.record(new ConversationScript('c').turn());
      expect(handed).toHaveLength(2);
      await handed[1];
      expect(turns()).toHaveLength(3);
    });

    it("finds Vercel's waitUntil in the request context", async () => {
      const { destination, turns } = collector();
      const handed: Promise<unknown>[] = [];
      const key = Symbol.for('@vercel/request-context');
      const context = {
        waitUntil(promise: Promise<unknown>) {
          expect(this).toBe(context);
          handed.push(promise);
        },
      };
      (globalThis as Record<symbol, unknown>)[key] = { get: () => context };
      try {
        const trail = createChatTrail({ destinations: [destination] });
        trail.record(new ConversationScript('vercel').turn());
        expect(handed).toHaveLength(1);
        await handed[0];
        expect(turns()).toHaveLength(1);
      } finally {
        delete (globalThis as Record<symbol, unknown>)[key];
      }
    });
  });

  describe('stats and feedback', () => {
    it('counts per destination and in total', async () => {
      const a = collector('a');
      const b = collector('a'); // same name: the second becomes a-2
      const trail = createChatTrail({ destinations: [a.destination, b.destination] });
      trail.record(new ConversationScript('t').turn());
      trail.feedback({ threadId: 't', type: 'positive' });
      trail.feedback({ threadId: '', type: 'positive' });
      expect(trail.stats()).toMatchObject({ queuedTurns: 4 });
      await trail.flush();
      const stats = trail.stats();
      expect(Object.keys(stats.destinations)).toEqual(['a', 'a-2']);
      expect(stats).toMatchObject({
        recorded: 1,
        sent: 2,
        queuedTurns: 0,
        queuedBytes: 0,
        feedback: { recorded: 2, sent: 2, dropped: 1 },
      });
      expect(stats.destinations.a).toMatchObject({ sent: 1, queuedTurns: 0, backoffMs: 0 });
    });

    it('holds 20,000 short turns with the default bounds while the backend hangs', async () => {
      // The turn bound used to be 10,000 (one second of turns at 10,000 turns/s): half of these were dropped.
      const hanging: ChatTrailDestination = { name: 'hanging', send: () => new Promise(() => {}) };
      const trail = createChatTrail({ destinations: [hanging], onError: () => {} });
      for (let i = 0; i < 20_000; i++) {
        trail.record({ threadId: `t${i}`, messages: [{ role: 'user', content: `hello ${i}` }] } as Turn);
      }
      const stats = trail.stats();
      expect(stats.dropped.queue_full).toBe(0);
      expect(stats.queuedTurns).toBe(20_000);
      expect(stats.queuedBytes).toBeLessThanOrEqual(32 * 1024 * 1024);
      const report = await trail.shutdown({ timeoutMs: 50 });
      expect(report.ok).toBe(false);
    });

    it('drops feedback when no destination takes it, noting it once in debug', async () => {
      const server = await devServer();
      const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
      const trail = createChatTrail({
        destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl })],
        debug: true,
      });
      trail.feedback({ threadId: 't', type: 'positive' });
      trail.feedback({ threadId: 't', type: 'negative' });
      expect(trail.stats().feedback).toEqual({ recorded: 2, sent: 0, dropped: 2 });
      const notes = debug.mock.calls.filter((call) => String(call[0]).includes('Melodi only'));
      expect(notes).toHaveLength(1);
      await trail.shutdown();
    });
  });
});
