import { describe, expect, it } from 'vitest';
import type { Turn, TurnMessage } from '../spec/turn';
import { TurnDelta, turnHead, turnThreadId } from './turn-delta';

const message = (k: number): TurnMessage => ({
  id: `m${k}`,
  role: k % 2 === 0 ? 'user' : 'assistant',
  content: `text ${k}`,
});
const turnOf = (messages: TurnMessage[], extra: Partial<Turn> = {}): Turn => ({
  id: 'turn-1',
  threadId: 'thread-1',
  messages,
  startedAt: '2025-01-01T00:00:00.000Z',
  endedAt: '2025-01-01T00:00:01.000Z',
  status: 'ok',
  source: 'manual',
  user: { id: 'u1' },
  model: { provider: 'openai', id: 'gpt-4o' },
  usage: { inputTokens: 10, outputTokens: 2, totalTokens: 12 },
  ...extra,
});

describe('TurnDelta', () => {
  it("reads a turn's new messages from its thread's log, and the thread before them", () => {
    const log = [0, 1, 2, 3].map(message);
    const turn = turnOf(log.slice());
    const item = TurnDelta.of(turn, turnHead(undefined, turn), 100, log, 2, 2);
    expect(item.type).toBe('turn');
    expect(item.turn).toEqual({ ...turn, messages: [log[2], log[3]] });
    expect(item.turn.messages[0]).toBe(log[2]);
    expect(item.thread).toBe(log);
    expect(item.start).toBe(2);
    expect(item.bytes).toBe(100);
    expect(turnThreadId(item)).toBe('thread-1');
    // Messages a later turn adds to the log are not this turn's.
    log.push(message(4));
    expect(item.turn.messages).toEqual([log[2], log[3]]);
    expect(JSON.parse(JSON.stringify(item))).toEqual({
      type: 'turn',
      turn: JSON.parse(JSON.stringify(item.turn)),
      thread: JSON.parse(JSON.stringify(log)),
      start: 2,
    });
  });

  it('shows what it carries when inspected', async () => {
    const { inspect } = await import('node:util');
    const turn = turnOf([message(0)]);
    expect(inspect(TurnDelta.of(turn, turnHead(undefined, turn), 10))).toContain("id: 'turn-1'");
  });

  it('keeps a whole turn, and one whose messages are not where the log says, as they are', () => {
    const turn = turnOf([0, 1].map(message));
    const whole = TurnDelta.of(turn, turnHead(undefined, turn), 10);
    expect(whole.turn).toEqual(turn);
    expect(whole.thread).toBeUndefined();
    expect(whole.start).toBeUndefined();
    expect(JSON.parse(JSON.stringify(whole))).toEqual({ type: 'turn', turn });

    const log = [0, 1, 2].map(message);
    const copies = turnOf([message(1), message(2)]);
    const apart = TurnDelta.of(copies, turnHead(undefined, copies), 10, log, 1, 0);
    expect(apart.turn.messages[0]).toBe(copies.messages[0]);
    expect(apart.thread).toBe(log);
    expect(apart.start).toBe(1);
  });

  it('keeps what few turns have: unusual usage, timings, an error, metadata', () => {
    const turn = turnOf([message(0)], {
      usage: { inputTokens: 1, reasoningTokens: 5 },
      timeToFirstTokenMs: 120,
      error: { name: 'Error', message: 'boom' },
      metadata: { route: '/chat' },
      status: 'error',
    });
    const item = TurnDelta.of(turn, turnHead(undefined, turn), 10);
    expect(item.turn).toEqual(turn);
    const bare = turnOf([message(0)], { usage: undefined, user: undefined, model: undefined });
    expect(TurnDelta.of(bare, turnHead(undefined, bare), 10).turn).toEqual(bare);
  });

  it('counts the destinations that hold it', () => {
    const turn = turnOf([message(0)]);
    const item = TurnDelta.of(turn, turnHead(undefined, turn), 10);
    expect(item.hold()).toBe(true);
    expect(item.hold()).toBe(false);
    expect(item.release()).toBe(false);
    expect(item.release()).toBe(true);
  });
});

describe('turnHead', () => {
  it("shares a thread's head while user, model, source and status stay the same", () => {
    const first = turnOf([]);
    const head = turnHead(undefined, first);
    const same = turnOf([], { user: { id: 'u1' }, model: { provider: 'openai', id: 'gpt-4o' } });
    expect(turnHead(head, same)).toBe(head);
    const other = turnHead(head, turnOf([], { model: { provider: 'openai', id: 'gpt-5' } }));
    expect(other).not.toBe(head);
    expect(other.user).toBe(head.user);
    expect(other.model).toEqual({ provider: 'openai', id: 'gpt-5' });
    expect(turnHead(head, turnOf([], { status: 'aborted' })).status).toBe('aborted');
    const segments = { id: 'u1', segments: { plan: 'pro' } };
    const withSegments = turnHead(head, turnOf([], { user: segments }));
    expect(withSegments.user).toBe(segments);
  });
});
