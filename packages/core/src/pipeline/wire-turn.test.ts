import { describe, expect, it } from 'vitest';
import type { Turn } from '../spec/turn';
import { type TurnHead, turnHead } from '../thread/turn-delta';
import { turnFromWire, type WireTurn, wireTurn } from './wire-turn';

const place: Parameters<typeof wireTurn>[0] = [7, 3, 600, 2, 4, 2, 4];
const user = { id: 'user-1' };
const model = { provider: 'openai', id: 'gpt-4o' };

function turnWith(fields: Partial<Turn> = {}): Turn {
  return {
    id: 'turn-1',
    threadId: 'thread-1',
    messages: [
      { id: 'm-5', role: 'user', content: 'What about it?' },
      { id: 'm-6', role: 'assistant', content: 'Here it is.' },
    ],
    startedAt: '2025-01-01T00:00:00.000Z',
    endedAt: '2025-01-01T00:00:01.000Z',
    status: 'ok',
    source: 'manual',
    user,
    model,
    turnMessages: 'history',
    usage: { inputTokens: 100, outputTokens: 20, totalTokens: 120 },
    ...fields,
  };
}

/** As the worker reads it: the JSON of the wire, its head the wire's own or `last`. */
function across(turn: Turn, head: TurnHead | 0 = turnHead(undefined, turn), last?: TurnHead): Turn {
  const wire = JSON.parse(JSON.stringify(wireTurn(place, head, turn, undefined))) as WireTurn;
  return turnFromWire(wire, wire[7] === 0 ? last! : wire[7]);
}

const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('wireTurn / turnFromWire', () => {
  it("a plain turn crosses as it is; after its thread's first, in under half the JSON of the item", () => {
    const turn = turnWith();
    expect(across(turn)).toEqual(turn);
    const wire = wireTurn(place, 0, turn, undefined);
    const [seq, lanes, bytes, mirror, have, own, start] = place;
    const object = { seq, lanes, bytes, mirror, have, own, item: { type: 'turn', turn, start } };
    expect(JSON.stringify(wire).length).toBeLessThan(JSON.stringify(object).length / 2);
  });

  it('a turn of the same head crosses without it and takes the thread last one', () => {
    const first = turnWith();
    const head = turnHead(undefined, first);
    const next = turnWith({ id: 'turn-2' });
    expect(turnHead(head, next)).toBe(head);
    expect(across(next, 0, head)).toEqual(next);
    // The same model by value is the same head (turnHead compares flat objects by value); another is not.
    expect(turnHead(head, turnWith({ model: { provider: 'openai', id: 'gpt-4o' } }))).toBe(head);
    expect(turnHead(head, turnWith({ model: { provider: 'openai', id: 'gpt-4.1' } }))).not.toBe(head);
    expect(turnHead(head, turnWith({ status: 'error' }))).not.toBe(head);
    expect(turnHead(head, turnWith({ turnMessages: undefined }))).not.toBe(head);
  });

  it('keeps optional head fields absent, and the rare fields present', () => {
    const turn = turnWith({
      user: undefined,
      model: undefined,
      turnMessages: undefined,
      usage: undefined,
      timeToFirstTokenMs: 120,
      error: { name: 'Error', message: 'boom' },
      metadata: { plan: 'pro', nested: { a: [1, 2] } },
    });
    for (const key of ['user', 'model', 'turnMessages', 'usage'] as const) delete turn[key];
    const back = across(turn);
    expect(back).toEqual(turn);
    expect(Object.keys(back)).toEqual(Object.keys(turn));
  });

  it('usage and the rare fields cross as they are', () => {
    const partial = turnWith({ usage: { totalTokens: 9 } });
    expect(across(partial).usage).toStrictEqual({ totalTokens: 9 });
    const rich = turnWith({ usage: { inputTokens: 1, cachedInputTokens: 4 } as Turn['usage'] });
    expect(across(rich).usage).toStrictEqual({ inputTokens: 1, cachedInputTokens: 4 });
  });

  it('a message with more than id, role and text crosses as the object (a redact hook may add keys)', () => {
    const messages = [
      { id: 'm-1', role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'f', arguments: '{}' }] },
      { id: 'm-2', role: 'tool', content: '42', toolResult: { toolCallId: 'c1', result: '42' } },
      {
        id: 'm-3',
        role: 'user',
        content: 'hi',
        metadata: { lang: 'en' },
        createdAt: '2025-01-01T00:00:00.000Z',
      },
      { id: 'm-4', role: 'user', content: 'x', redactedBy: 'hook' },
      { id: 'm-5', role: 'user', content: '' },
    ] as Turn['messages'];
    const turn = turnWith({ messages });
    const wire = wireTurn(place, 0, turn, messages.slice(0, 2));
    expect(wire[11].map(Array.isArray)).toEqual([false, false, false, false, true]);
    expect(wire[12] === 0 ? [] : wire[12].map(Array.isArray)).toEqual([false, false]);
    expect(across(turn).messages).toEqual(asJson(messages));
  });
});
