import { describe, expect, it } from 'vitest';
import { MAX_ID_BYTES } from '../normalize/bound-id';
import { turnMessageId } from '../normalize/message-id';
import type { Turn } from '../spec/turn';
import { type HistoryReuse, normalizeTurn } from './normalize-turn';

const OPTIONS = { maxMessageBytes: 1024, captureContent: true };

const baseTurn = (overrides: Record<string, unknown> = {}): Turn =>
  ({
    id: 'turn-1',
    threadId: 'thread-1',
    messages: [{ id: 'm1', role: 'user', content: 'Hello' }],
    startedAt: '2025-01-01T00:00:00.000Z',
    endedAt: '2025-01-01T00:00:01.000Z',
    status: 'ok',
    source: 'ai-sdk',
    ...overrides,
  }) as Turn;

describe('normalizeTurn', () => {
  it('copies a well-formed turn without changing it, sharing no object with it', () => {
    const input = baseTurn({
      user: { id: 'u1', segments: { plan: 'pro' } },
      model: { provider: 'openai', id: 'gpt-4o' },
      usage: { inputTokens: 3, outputTokens: 4 },
      metadata: { route: '/chat' },
    });
    const output = normalizeTurn(input, OPTIONS)!;
    expect(output).toEqual({ ...input, turnMessages: 'history' });
    expect(output).not.toBe(input);
    expect(output.messages[0]).not.toBe(input.messages[0]);
    expect(output.user).not.toBe(input.user);
    expect(output.user!.segments).not.toBe(input.user!.segments);
    expect(output.metadata).not.toBe(input.metadata);
  });

  it('returns undefined for what is not a turn', () => {
    for (const input of [null, undefined, 'x', 3, {}, { threadId: '' }, { threadId: 7 }]) {
      expect(normalizeTurn(input, OPTIONS)).toBeUndefined();
    }
  });

  it('takes a missing thread id, user and metadata from the context', () => {
    const { threadId: _, ...input } = baseTurn();
    const output = normalizeTurn(input, OPTIONS, { threadId: 'ctx', user: { id: 'u' }, metadata: { a: 1 } })!;
    expect(output).toMatchObject({ threadId: 'ctx', user: { id: 'u' }, metadata: { a: 1 } });
  });

  it('computes missing message ids from the normalised content', () => {
    const output = normalizeTurn(baseTurn({ messages: [{ role: 'user', content: 'Hello' }] }), OPTIONS)!;
    expect(output.messages[0]!.id).toBe(turnMessageId('thread-1', 0, { role: 'user', content: 'Hello' }));
    const long = 'x'.repeat(5000);
    const truncated = normalizeTurn(baseTurn({ messages: [{ role: 'user', content: long }] }), OPTIONS)!;
    expect(truncated.messages[0]!.id).toBe(
      turnMessageId('thread-1', 0, { role: 'user', content: truncated.messages[0]!.content }),
    );
  });

  it('truncates texts UTF-8-safely with a marker and bounds tool payloads and metadata', () => {
    const output = normalizeTurn(
      baseTurn({
        messages: [
          { id: 'm1', role: 'user', content: '😀'.repeat(1000), metadata: { blob: 'y'.repeat(5000) } },
          {
            id: 'm2',
            role: 'assistant',
            content: '',
            toolCalls: [
              { id: 'c1', name: 'search', args: { rows: Array.from({ length: 500 }, (_, i) => `row ${i}`) } },
            ],
          },
        ],
      }),
      OPTIONS,
    )!;
    const [first, second] = output.messages;
    expect(new TextEncoder().encode(first!.content).length).toBeLessThanOrEqual(1024);
    expect(first!.content).toMatch(/^(😀)+… \[truncated \d+ bytes\]$/);
    expect(new TextEncoder().encode(JSON.stringify(first!.metadata)).length).toBeLessThan(1100);
    const args = second!.toolCalls![0]!.args;
    expect(typeof args).toBe('string'); // too large as JSON: kept as truncated JSON text
    expect(args as string).toMatch(/^\{"rows":\["row 0",.*… \[truncated \d+ bytes\]$/);
  });

  it('turns content parts and bytes into text and placeholders', () => {
    const output = normalizeTurn(
      baseTurn({
        messages: [
          {
            id: 'm1',
            role: 'user',
            content: [
              { type: 'text', text: 'Look ' },
              { type: 'text', text: 'at this:' },
              { type: 'image', image: new Uint8Array(2048), mediaType: 'image/jpeg' },
              'and this',
            ],
          },
          { id: 'm2', role: 'user', content: new ArrayBuffer(10) },
          { id: 'm3', role: 'user', content: 42 },
          { id: 'm4', role: 'user', content: null },
        ],
      }),
      OPTIONS,
    )!;
    expect(output.messages.map((m) => m.content)).toEqual([
      'Look at this:\n[image: image/jpeg, 2 KB]\nand this',
      '[binary: 10 B]',
      '42',
      '',
    ]);
  });

  it('keeps structure but no text, arguments or outputs without content capture', () => {
    const output = normalizeTurn(
      baseTurn({
        messages: [
          { role: 'user', content: 'secret' },
          {
            role: 'assistant',
            content: 'secret',
            toolCalls: [{ id: 'c1', name: 'lookup', args: { q: 'secret' } }],
          },
          {
            role: 'tool',
            content: 'secret',
            toolResult: { toolCallId: 'c1', name: 'lookup', output: 'secret', isError: true },
          },
        ],
        usage: { inputTokens: 5 },
      }),
      { ...OPTIONS, captureContent: false },
    )!;
    expect(JSON.stringify(output)).not.toContain('secret');
    expect(output.messages[1]!.toolCalls).toEqual([{ id: 'c1', name: 'lookup', args: null }]);
    expect(output.messages[2]!.toolResult).toEqual({
      toolCallId: 'c1',
      name: 'lookup',
      output: null,
      isError: true,
    });
    expect(output.usage).toEqual({ inputTokens: 5 });
    // Ids come from the blanked messages: no hash of the text leaves the process.
    expect(output.messages[0]!.id).toBe(turnMessageId('thread-1', 0, { role: 'user', content: '' }));
  });

  it('keeps an ISO 8601 time as given only when it is a real instant (month 13, 30 February are not)', () => {
    const at = (startedAt: string, createdAt = startedAt) =>
      normalizeTurn(
        baseTurn({ startedAt, messages: [{ role: 'user', content: 'hi', createdAt }] }),
        OPTIONS,
      )!;
    for (const given of ['2025-01-01T00:00:00.000Z', '2025-01-01T10:00+05:30', '2024-02-29T23:59:59.5Z']) {
      expect(at(given).startedAt).toBe(given);
      expect(at(given).messages[0]!.createdAt).toBe(given);
    }
    // Rolled over as Date.parse reads it, as any other parseable date is rewritten.
    expect(at('2025-02-30T10:00:00.000Z').startedAt).toBe('2025-03-02T10:00:00.000Z');
    const nonsense = at('2025-13-45T99:99:99.000Z');
    expect(nonsense.startedAt).not.toBe('2025-13-45T99:99:99.000Z');
    expect(Number.isFinite(Date.parse(nonsense.startedAt))).toBe(true);
    expect(nonsense.messages[0]).not.toHaveProperty('createdAt');
  });

  it('fixes dates, statuses, sources, usage and users it cannot use as they are', () => {
    const output = normalizeTurn(
      baseTurn({
        startedAt: new Date(0),
        endedAt: 'Thu, 01 Jan 1970 00:00:01 GMT',
        status: 'weird',
        source: 'other',
        usage: { inputTokens: 1n, outputTokens: Number.NaN, totalTokens: 9 },
        user: { id: 12, email: 3, segments: { plan: 'pro', seats: 5, bad: {} } },
        error: new TypeError('boom'),
        timeToFirstTokenMs: 'soon',
        messages: [{ id: 'm1', role: 'user', content: 'hi', createdAt: 'not a date', senderId: '' }],
      }),
      OPTIONS,
    )!;
    expect(output).toMatchObject({
      startedAt: '1970-01-01T00:00:00.000Z',
      endedAt: '1970-01-01T00:00:01.000Z',
      status: 'ok',
      source: 'manual',
      usage: { totalTokens: 9 },
      user: { id: '12', segments: { plan: 'pro', seats: '5' } },
      error: { name: 'TypeError', message: 'boom' },
    });
    expect(output.usage).toEqual({ totalTokens: 9 });
    expect(output.user).toEqual({ id: '12', segments: { plan: 'pro', seats: '5' } });
    expect(output).not.toHaveProperty('timeToFirstTokenMs');
    expect(output.messages[0]).toEqual({ id: 'm1', role: 'user', content: 'hi' });
  });

  it('makes hostile metadata JSON-safe', () => {
    const circular: Record<string, unknown> = { n: 1n, d: new Date(0), f: () => 1 };
    circular.self = circular;
    const output = normalizeTurn(baseTurn({ metadata: circular }), OPTIONS)!;
    expect(output.metadata).toEqual({ n: '1', d: '1970-01-01T00:00:00.000Z', self: '[Circular]' });
  });
});

describe('normalizeTurn with the previous history of the thread', () => {
  const history = (texts: string[]) =>
    texts.map((content, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content }));

  it('reuses the copies of resent messages and normalises only what changed', () => {
    const first = { previous: undefined } as HistoryReuse;
    const one = normalizeTurn(
      baseTurn({ id: undefined, messages: history(['Hi', 'Hello!']) }),
      OPTIONS,
      undefined,
      first,
    )!;
    expect(first.next?.messages).toBe(one.messages);

    // Equal texts in new string objects, as a server parsing each request body has them.
    const resent = history(['Hi', 'Hello!', 'How are you?', 'Fine.']).map((m) => ({
      ...m,
      content: `${m.content} `.trimEnd(),
    }));
    const second = { previous: first.next } as HistoryReuse;
    const two = normalizeTurn(baseTurn({ messages: resent }), OPTIONS, undefined, second)!;
    expect(two.messages[0]).toBe(one.messages[0]);
    expect(two.messages[1]).toBe(one.messages[1]);
    expect(two.messages.map((m) => m.content)).toEqual(['Hi', 'Hello!', 'How are you?', 'Fine.']);
    // Ids are what a fresh normalisation derives.
    expect(two).toEqual(normalizeTurn(baseTurn({ messages: resent }), OPTIONS));

    // An edited message, a changed role or id, and a message that gained tool calls are normalised afresh.
    const edited = [
      { role: 'user', content: 'Hi there' },
      { role: 'system', content: 'Hello!' },
      { id: 'explicit', role: 'user', content: 'How are you?' },
      { role: 'assistant', content: 'Fine.', toolCalls: [{ id: 'c1', name: 'lookup', args: {} }] },
    ];
    const third = { previous: second.next } as HistoryReuse;
    const three = normalizeTurn(baseTurn({ messages: edited }), OPTIONS, undefined, third)!;
    for (let i = 0; i < 4; i++) expect(three.messages[i]).not.toBe(two.messages[i]);
    expect(three).toEqual(normalizeTurn(baseTurn({ messages: edited }), OPTIONS));

    // A message with tool calls is never taken from the cache, even when resent unchanged.
    const fourth = { previous: third.next } as HistoryReuse;
    const four = normalizeTurn(baseTurn({ messages: edited }), OPTIONS, undefined, fourth)!;
    expect(four.messages[0]).toBe(three.messages[0]);
    expect(four.messages[3]).not.toBe(three.messages[3]);
    expect(four.messages[3]).toEqual(three.messages[3]);
  });

  it('never reuses a copy for content parts, even equal ones', () => {
    const parts = () => [{ role: 'user', content: [{ type: 'text', text: 'Look' }] }];
    const first = { previous: undefined } as HistoryReuse;
    const one = normalizeTurn(baseTurn({ messages: parts() }), OPTIONS, undefined, first)!;
    const two = normalizeTurn(baseTurn({ messages: parts() }), OPTIONS, undefined, { previous: first.next })!;
    expect(two.messages[0]).not.toBe(one.messages[0]);
    expect(two.messages[0]).toEqual(one.messages[0]);
  });

  describe('limits on what the host hands over', () => {
    it('keeps the newest maxMessagesPerTurn messages and counts the rest in the metadata', () => {
      const messages = Array.from({ length: 12 }, (_, i) => ({ role: 'user', content: `m${i}` }));
      const output = normalizeTurn(baseTurn({ messages }), { ...OPTIONS, maxMessagesPerTurn: 5 })!;
      expect(output.messages.map((m) => m.content)).toEqual(['m7', 'm8', 'm9', 'm10', 'm11']);
      expect(output.metadata).toEqual({ chattrail_truncated_messages: 7 });
      // Within the bound nothing is added.
      expect(normalizeTurn(baseTurn({ messages }), OPTIONS)!.metadata).toBeUndefined();
    });

    it('takes a sparse array of 50 million slots without walking it (it once ran the host out of memory)', () => {
      // The reproduction: one message, then length = 5e7. Only the newest 10,000 slots are read.
      const lonely: unknown[] = [{ role: 'user', content: 'x' }];
      lonely.length = 5e7;
      const one = normalizeTurn(baseTurn({ messages: lonely }), OPTIONS)!;
      expect(one.messages).toEqual([]);
      expect(one.metadata).toEqual({
        chattrail_truncated_messages: 5e7 - 10_000,
        chattrail_skipped_messages: 10_000,
      });

      // With an answer at the end, the answer is kept, in both modes and with the thread's last history.
      const answered: unknown[] = [{ role: 'user', content: 'x' }];
      answered.length = 5e7;
      answered[5e7 - 1] = { role: 'assistant', content: 'the answer' };
      for (const turnMessages of ['history', 'new'] as const) {
        const reuse = { previous: undefined } as HistoryReuse;
        const turn = normalizeTurn(
          baseTurn({ messages: answered, turnMessages }),
          OPTIONS,
          undefined,
          reuse,
        )!;
        expect(turn.messages.map((m) => m.content)).toEqual(['the answer']);
        expect(turn.metadata).toEqual({
          chattrail_truncated_messages: 5e7 - 10_000,
          chattrail_skipped_messages: 9_999,
        });
        expect(reuse.next!.messages).toBe(turn.messages);
      }
    });

    it('skips holes and null entries within the bound, and counts them', () => {
      // biome-ignore lint/suspicious/noSparseArray: the hole is the point
      const messages = [
        { role: 'user', content: 'a' },
        ,
        null,
        undefined,
        { role: 'assistant', content: 'b' },
      ];
      const output = normalizeTurn(baseTurn({ messages }), OPTIONS)!;
      expect(output.messages.map((m) => m.content)).toEqual(['a', 'b']);
      expect(output.metadata).toEqual({ chattrail_skipped_messages: 3 });
      // The kept messages are numbered as if the gaps were never there.
      expect(output.messages[1]!.id).toBe(turnMessageId('thread-1', 1, output.messages[1]!));
    });

    it('never walks a huge or sparse list of tool calls or content parts', () => {
      const toolCalls: unknown[] = [{ id: 'c1', name: 'lookup', args: {} }];
      toolCalls.length = 5e7;
      const content: unknown[] = [{ type: 'text', text: 'look' }];
      content.length = 5e7;
      const output = normalizeTurn(
        baseTurn({ messages: [{ role: 'assistant', content, toolCalls }] }),
        OPTIONS,
      )!;
      expect(output.messages[0]!.toolCalls).toEqual([{ id: 'c1', name: 'lookup', args: {} }]);
      expect(output.messages[0]!.content).toBe(`look\n[${5e7 - 10_000} more content parts]`);
    });

    it('hashes a thread id longer than 256 bytes to a short, stable id and keeps its prefix in the metadata', () => {
      const long = `client-${'x'.repeat(90 * 1024)}`;
      const output = normalizeTurn(baseTurn({ threadId: long }), OPTIONS)!;
      expect(output.threadId).toMatch(/^client-x{57}…[0-9a-f]{16}$/);
      expect(new TextEncoder().encode(output.threadId).length).toBeLessThanOrEqual(MAX_ID_BYTES);
      expect(output.metadata).toEqual({ chattrail_thread_id_prefix: long.slice(0, 256) });
      // Stable: an equal copy of the id (another request) gives the same short id; a different one does not.
      const again = normalizeTurn(baseTurn({ threadId: `client-${'x'.repeat(90 * 1024)}` }), OPTIONS)!;
      expect(again.threadId).toBe(output.threadId);
      const other = normalizeTurn(baseTurn({ threadId: `${long}y` }), OPTIONS)!;
      expect(other.threadId).not.toBe(output.threadId);
      expect(other.threadId.slice(0, 64)).toBe(output.threadId.slice(0, 64));
      // From the context too; and message ids are derived from the short id.
      const { threadId: _, ...withoutThread } = baseTurn({ messages: [{ role: 'user', content: 'Hello' }] });
      const fromContext = normalizeTurn(withoutThread, OPTIONS, { threadId: long })!;
      expect(fromContext.threadId).toBe(output.threadId);
      expect(fromContext.messages[0]!.id).toBe(
        turnMessageId(output.threadId, 0, { role: 'user', content: 'Hello' }),
      );
    });

    it('leaves ids of up to 256 bytes as they are, and counts bytes, not characters', () => {
      const fits = 'é'.repeat(128); // 256 bytes
      expect(normalizeTurn(baseTurn({ threadId: fits }), OPTIONS)!.threadId).toBe(fits);
      const over = 'é'.repeat(129); // 258 bytes in 129 characters
      const output = normalizeTurn(baseTurn({ threadId: over }), OPTIONS)!;
      expect(output.threadId).toMatch(/^é{32}…[0-9a-f]{16}$/);
      expect(output.metadata).toEqual({ chattrail_thread_id_prefix: 'é'.repeat(128) });
    });

    it('bounds the user id (prefix in the metadata), turn, message, sender and tool call ids', () => {
      const big = (tag: string) => `${tag}-${'z'.repeat(5000)}`;
      const output = normalizeTurn(
        baseTurn({
          id: big('turn'),
          user: { id: big('user'), name: 'n'.repeat(5000) },
          messages: [
            {
              id: big('msg'),
              role: 'assistant',
              content: '',
              senderId: big('sender'),
              toolCalls: [{ id: big('call'), name: 'lookup', args: {} }],
            },
            { role: 'tool', content: '', toolResult: { toolCallId: big('call'), output: 1 } },
          ],
        }),
        OPTIONS,
      )!;
      const short = /^[a-z]+-z+…[0-9a-f]{16}$/;
      for (const id of [
        output.id,
        output.user!.id,
        output.messages[0]!.id,
        output.messages[0]!.senderId!,
        output.messages[0]!.toolCalls![0]!.id,
        output.messages[1]!.toolResult!.toolCallId,
      ]) {
        expect(id).toMatch(short);
        expect(id.length).toBeLessThan(100);
      }
      // A call and its result still match.
      expect(output.messages[1]!.toolResult!.toolCallId).toBe(output.messages[0]!.toolCalls![0]!.id);
      expect(output.user!.name!.length).toBeLessThanOrEqual(1024);
      expect(output.metadata).toEqual({ chattrail_user_id_prefix: big('user').slice(0, 256) });
    });

    it('replaces lone surrogates with U+FFFD in every string it sends', () => {
      const bad = (text: string) => `${text}\ud83d!`; // a high surrogate without its low half
      const good = (text: string) => `${text}\ufffd!`;
      const output = normalizeTurn(
        {
          id: bad('turn'),
          threadId: bad('thread'),
          status: 'error',
          error: { name: bad('Name'), message: bad('failed') },
          user: {
            id: bad('user'),
            email: bad('e'),
            name: bad('n'),
            username: bad('u'),
            segments: { [bad('k')]: bad('v') },
          },
          model: { provider: bad('p'), id: bad('m') },
          metadata: { [bad('key')]: bad('value'), nested: [{ [bad('deep')]: bad('deeper') }] },
          messages: [
            { id: bad('m1'), role: 'user', content: `lone low \ude00 and ${bad('text')} and a pair 😀` },
            { role: 'user', content: [{ type: 'text', text: bad('part') }] },
            {
              role: bad('assistant'),
              content: '',
              senderId: bad('s'),
              metadata: { [bad('mk')]: bad('mv') },
              toolCalls: [{ id: bad('c'), name: bad('tool'), args: { [bad('q')]: bad('a') } }],
            },
            {
              role: 'tool',
              content: '',
              toolResult: { toolCallId: bad('c'), name: bad('tool'), output: bad('out') },
            },
          ],
        },
        OPTIONS,
      )!;
      const json = JSON.stringify(output);
      // JSON.stringify writes a lone surrogate as a \udXXX escape: none may be left.
      expect(json).not.toMatch(/\\ud[89a-f]/i);
      expect((json as unknown as { isWellFormed(): boolean }).isWellFormed()).toBe(true);
      expect(output.threadId).toBe(good('thread'));
      expect(output.id).toBe(good('turn'));
      expect(output.error).toEqual({ name: good('Name'), message: good('failed') });
      expect(output.user).toEqual({
        id: good('user'),
        email: good('e'),
        name: good('n'),
        username: good('u'),
        segments: { [good('k')]: good('v') },
      });
      expect(output.model).toEqual({ provider: good('p'), id: good('m') });
      expect(output.metadata).toEqual({
        [good('key')]: good('value'),
        nested: [{ [good('deep')]: good('deeper') }],
      });
      expect(output.messages[0]!.content).toBe(`lone low \ufffd and ${good('text')} and a pair 😀`);
      expect(output.messages[1]!.content).toBe(good('part'));
      expect(output.messages[2]).toMatchObject({
        role: good('assistant'),
        senderId: good('s'),
        metadata: { [good('mk')]: good('mv') },
        toolCalls: [{ id: good('c'), name: good('tool'), args: { [good('q')]: good('a') } }],
      });
      expect(output.messages[3]!.toolResult).toEqual({
        toolCallId: good('c'),
        name: good('tool'),
        output: good('out'),
      });
    });
  });
});
