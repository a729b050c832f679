import { describe, expect, it } from 'vitest';
import type { Turn, TurnMessage } from '../spec/turn';
import { melodiThreadJson, toMelodiMessage, toMelodiThread } from './to-melodi-thread';

const base = {
  threadId: 'thread-json',
  model: { provider: 'openai', id: 'gpt-4o' },
  usage: { inputTokens: 10, outputTokens: 2, totalTokens: 12 },
  startedAt: '2025-01-01T00:00:00.000Z',
  endedAt: '2025-01-01T00:00:00.500Z',
  status: 'ok',
  source: 'manual',
} as const;

const turnOf = (id: string, messages: TurnMessage[], extra: Partial<Turn> = {}): Turn => ({
  ...base,
  id,
  messages,
  ...extra,
});

// Texts JSON must escape, and some it must not touch.
const awkward = 'quotes " and \\ backslash, \n newline, \u2028 separator, \u0000 nul, emoji 🧪, lone \ud800';
const history: TurnMessage[] = [
  { id: 'm0', role: 'system', content: 'Be brief.' },
  { id: 'm1', role: 'user', content: awkward, createdAt: '2025-01-01T00:00:00.000Z', senderId: 'u-1' },
  {
    id: 'm2',
    role: 'assistant',
    content: 'Looking it up.',
    toolCalls: [{ id: 'call-1', name: 'search', args: { q: 'weather', nested: [1, null, 'x'] } }],
    metadata: { step: 1, tags: ['a'] },
  },
  {
    id: 'm3',
    role: 'tool',
    content: '',
    toolResult: { toolCallId: 'call-1', name: 'search', output: { temp: 21.5 }, isError: false },
  },
  { id: 'm4', role: 'assistant', content: 'It is 21.5 °C.' },
];

describe('melodiThreadJson', () => {
  it('is the JSON of toMelodiThread plus the project id', () => {
    const turns = [
      turnOf('t1', history.slice(0, 3)),
      turnOf('t2', history, { user: { id: 'u-1', name: 'Ada', segments: { plan: 'pro' } } }),
    ];
    const { body, messages } = melodiThreadJson(turns, 42);
    expect(JSON.parse(body.text)).toEqual({ ...toMelodiThread(turns), projectId: 42 });
    expect(messages).toBe(5);
  });

  it("reuses the last body's JSON for the same object, and writes a newer copy of a message where it was", () => {
    const own: TurnMessage[] = history.map((message) => ({ ...message }));
    const built = melodiThreadJson([turnOf('t1', own)], 7).keep();
    // The trail hands later turns the same message objects for their shared history and never changes
    // them; changing one in place shows its kept JSON is what goes out again.
    own[0]!.content = 'changed in place';
    // A regenerated answer: appended, the answer it replaced kept (a replacing Melodi would delete it).
    const regenerated: TurnMessage = { id: 'm4b', role: 'assistant', content: 'About 21 °C.' };
    const second = melodiThreadJson([turnOf('t2', [...own.slice(0, 4), regenerated])], 7, built);
    const body = JSON.parse(second.body.text);
    expect(body.messages.map((m: { externalId: string }) => m.externalId)).toEqual([
      'm0',
      'm1',
      'm2',
      'm3',
      'm4',
      'm4b',
    ]);
    expect(body.messages[0].content).toBe('Be brief.');
    expect(body.messages[5]).toEqual(toMelodiMessage(regenerated, 5));
    // A new copy of a message it holds (an edit with the app's own id): written again at its index.
    const edited = melodiThreadJson(
      [turnOf('t3', [{ ...history[0]!, content: 'Be terse.' }])],
      7,
      second.keep(),
    );
    const messages = JSON.parse(edited.body.text).messages;
    expect(messages).toHaveLength(6);
    expect(messages[0]).toEqual(toMelodiMessage({ ...history[0]!, content: 'Be terse.' }, 0));
  });

  it('builds the next body from the last one and the new messages, the same body as from scratch', () => {
    // As the trail hands them over: each turn carries the previous turn's message objects, then new ones.
    const user = { id: 'u-1', name: 'Ada' };
    const t1 = turnOf('t1', history.slice(0, 2), { user });
    const t2 = turnOf('t2', [...t1.messages, ...history.slice(2, 4)]);
    const t3 = turnOf('t3', [...t2.messages, history[4]!], { status: 'error' });
    const first = melodiThreadJson([t1], 3).keep();
    expect(first.messages).toEqual(t1.messages);
    // One turn, then two in one group: the kept body grows in place, once kept.
    const second = melodiThreadJson([t2], 3, first);
    expect(first.messages).toHaveLength(2);
    expect(second.keep()).toBe(first);
    expect(second.body.text).toBe(melodiThreadJson([t2], 3).body.text);
    const next: TurnMessage = { id: 'm5', role: 'user', content: 'And tomorrow?' };
    const t4 = turnOf('t4', [...t3.messages, next]);
    const third = melodiThreadJson([t3, t4], 3, first);
    expect(third.keep()).toBe(first);
    expect(third.body.text).toBe(melodiThreadJson([t3, t4], 3).body.text);
    expect(JSON.parse(third.body.text)).toEqual({ ...toMelodiThread([t3, t4]), projectId: 3 });
    expect(third.messages).toBe(6);
    expect(first.userMessages).toBe(2);
  });

  it('never leaves out a message the last body held, whatever the turns carry', () => {
    const t1 = turnOf('t1', history.slice(0, 3));
    const fresh = () => melodiThreadJson([t1], 5).keep();
    const ids = (text: string) => JSON.parse(text).messages.map((m: { externalId: string }) => m.externalId);
    // Only its own question and answer (an app that does not resend its history), a window of the
    // history, a shorter history, a copy of the thread the log let go: the body holds the last one first.
    const cases: [TurnMessage[], string[]][] = [
      [
        [
          { id: 'q', role: 'user', content: 'q' },
          { id: 'a', role: 'assistant', content: 'a' },
        ],
        ['m0', 'm1', 'm2', 'q', 'a'],
      ],
      [history.slice(1, 4), ['m0', 'm1', 'm2', 'm3']],
      [history.slice(0, 2), ['m0', 'm1', 'm2']],
      [history.map((message) => ({ ...message })), ['m0', 'm1', 'm2', 'm3', 'm4']],
      // Two new messages sharing an id are one message (the later body wins) at the first's place.
      [
        [
          ...t1.messages,
          { id: 'x', role: 'user', content: 'one' },
          { id: 'x', role: 'user', content: 'two' },
        ],
        ['m0', 'm1', 'm2', 'x'],
      ],
    ];
    for (const [messages, expected] of cases) {
      const built = fresh();
      const json = [...built.json];
      const result = melodiThreadJson([turnOf('t2', messages)], 5, built);
      expect(ids(result.body.text)).toEqual(expected);
      expect(
        JSON.parse(result.body.text).messages.map(
          (m: { metadata: { position: number } }) => m.metadata.position,
        ),
      ).toEqual(expected.map((_, i) => i));
      // The body it was given is left as it was (but for its id map, made on first use), kept or not.
      expect(built.messages).toEqual(t1.messages);
      expect(built.json).toEqual(json);
      expect(result.keep().messages.map((m) => m.id)).toEqual(expected);
      expect(built.messages).toEqual(t1.messages);
    }
  });

  it('leaves the body it was given as it was when building the next one throws', () => {
    const t1 = turnOf('t1', history.slice(0, 2));
    const built = melodiThreadJson([t1], 5).keep();
    const snapshot = () => ({ messages: [...built.messages], json: [...built.json], chars: built.chars });
    const before = snapshot();
    // Values JSON cannot write (the trail's normalisation never lets them through; a `redact` might).
    const badMessage = turnOf('t2', [
      ...t1.messages,
      { id: 'bad', role: 'user', content: 'x', metadata: { n: 1n as never } },
    ]);
    expect(() => melodiThreadJson([badMessage], 5, built)).toThrow();
    expect(snapshot()).toEqual(before);
    const badTurn = turnOf('t3', [...t1.messages, { id: 'ok', role: 'user', content: 'y' }], {
      metadata: { n: 1n as never },
    });
    expect(() => melodiThreadJson([badTurn], 5, built)).toThrow();
    expect(snapshot()).toEqual(before);
    expect(built.userMessages).toBe(1);
  });

  it("marks a failed or aborted turn's last message with its status and error, for good", () => {
    const error = { name: 'APICallError', message: 'overloaded' };
    const question: TurnMessage = { id: 'q1', role: 'user', content: 'Hi?' };
    const failed = turnOf('t1', [question], { status: 'error', error });
    const first = melodiThreadJson([failed], 5);
    expect(JSON.parse(first.body.text).messages[0].metadata).toEqual({
      position: 0,
      status: 'error',
      error,
    });
    // The retry that answers carries the question again: the mark stays, the thread metadata moves on.
    const answer: TurnMessage = { id: 'a1', role: 'assistant', content: 'Hello.' };
    const retried = turnOf('t2', [question, answer]);
    const second = melodiThreadJson([retried], 5, first.keep());
    const body = JSON.parse(second.body.text);
    expect(body.metadata.status).toBe('ok');
    expect(body.messages[0].metadata).toEqual({ position: 0, status: 'error', error });
    expect(body.messages[1].metadata).toEqual({ position: 1 });
    // Also when written again from a new copy, and an aborted answer is marked on the answer.
    const partial: TurnMessage = { id: 'a2', role: 'assistant', content: 'Half' };
    const aborted = turnOf(
      't3',
      [{ ...question }, answer, { id: 'q2', role: 'user', content: '?' }, partial],
      {
        status: 'aborted',
      },
    );
    const third = JSON.parse(melodiThreadJson([aborted], 5, second.keep()).body.text);
    expect(third.messages[0].metadata).toEqual({ position: 0, status: 'error', error });
    expect(third.messages[3].metadata).toEqual({ position: 3, status: 'aborted' });
  });

  it('writes an empty thread as an empty messages array', () => {
    const { body, messages } = melodiThreadJson([turnOf('t1', [])], 1);
    expect(JSON.parse(body.text)).toEqual({ ...toMelodiThread([turnOf('t1', [])]), projectId: 1 });
    expect(JSON.parse(body.text).messages).toEqual([]);
    expect(messages).toBe(0);
  });

  it("flattens the latest turn's metadata and error into the thread metadata, its own keys first", () => {
    const turn = turnOf('t1', history.slice(0, 2), {
      status: 'error',
      error: { name: 'APICallError', message: 'rate limited' },
      metadata: {
        tenant: 'acme',
        attempt: 2,
        beta: true,
        nested: { a: [1, 'x'] },
        nothing: null,
        model: 'not-the-model',
        toString: 'kept',
      },
    });
    const { metadata } = toMelodiThread([turn]);
    expect(metadata).toEqual({
      status: 'error',
      source: 'manual',
      turns: 1,
      model: 'gpt-4o',
      provider: 'openai',
      latency_ms: 500,
      input_tokens: 10,
      output_tokens: 2,
      total_tokens: 12,
      error_name: 'APICallError',
      error_message: 'rate limited',
      tenant: 'acme',
      attempt: 2,
      beta: 'true',
      nested: '{"a":[1,"x"]}',
      toString: 'kept',
    });
    expect(JSON.parse(melodiThreadJson([turn], 3).body.text).metadata).toEqual(metadata);
  });
});

describe('toMelodiMessage', () => {
  const calls = [{ id: 'call-1', name: 'search', args: { q: 'weather' } }];

  it('sends an answer with text and tool calls as one markdown message: the text in content, the calls in jsonContent', () => {
    const message = toMelodiMessage(
      { id: 'a', role: 'assistant', content: 'Looking it up.', toolCalls: calls },
      2,
    );
    // The shape of the seed's example message (type, content and jsonContent together).
    expect(message).toEqual({
      externalId: 'a',
      role: 'assistant',
      type: 'markdown',
      content: 'Looking it up.',
      jsonContent: { toolCalls: calls },
      metadata: { position: 2 },
    });
  });

  it('keeps tool calls without text as a json message, so Melodi shows the calls', () => {
    expect(toMelodiMessage({ id: 'a', role: 'assistant', content: '', toolCalls: calls }, 0)).toEqual({
      externalId: 'a',
      role: 'assistant',
      type: 'json',
      jsonContent: { toolCalls: calls },
      metadata: { position: 0 },
    });
  });
});
