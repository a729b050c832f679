import { describe, expect, it } from 'vitest';
import type { Turn, TurnMessage } from '../turn/turn';
import { melodiThreadJson, toMelodiThread } from './to-melodi-thread';

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

  it('reuses the JSON of messages it has seen, and only for the same object at the same position', () => {
    const own: TurnMessage[] = history.map((message) => ({ ...message }));
    melodiThreadJson([turnOf('t1', own)], 7);
    // The trail hands later turns the same message objects for their shared history and never changes
    // them; changing one in place shows its kept JSON is what goes out again.
    own[0]!.content = 'changed in place';
    const next: TurnMessage = { id: 'm5', role: 'user', content: 'And tomorrow?' };
    const second = JSON.parse(melodiThreadJson([turnOf('t2', [...own, next])], 7).body.text);
    expect(second.messages[0].content).toBe('Be brief.');
    expect(second.messages[5]).toEqual(toMelodiThread([turnOf('t2', [...own, next])]).messages[5]);
    // The same object met at another position (a caller's own turns) is serialised for that position.
    const moved = melodiThreadJson([turnOf('t3', [next, ...history])], 7);
    expect(JSON.parse(moved.body.text)).toEqual({
      ...toMelodiThread([turnOf('t3', [next, ...history])]),
      projectId: 7,
    });
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
