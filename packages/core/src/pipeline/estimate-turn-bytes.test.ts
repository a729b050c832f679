import { describe, expect, it } from 'vitest';
import type { Turn, TurnMessage } from '../spec/turn';
import { estimateMessagesBytes, estimateTurnBytes, estimateTurnHeadBytes } from './estimate-turn-bytes';

const turn = (content: string, extra: Partial<Turn['messages'][number]> = {}): Turn => ({
  id: 'turn',
  threadId: 'thread',
  messages: [{ id: 'm1', role: 'user', content, ...extra }],
  startedAt: '',
  endedAt: '',
  status: 'ok',
  source: 'manual',
});

describe('estimateTurnBytes', () => {
  it('grows with texts and structured payloads', () => {
    const small = estimateTurnBytes(turn('hi'));
    expect(estimateTurnBytes(turn('x'.repeat(10_000)))).toBe(small + 10_000 - 2);
    const withArgs = estimateTurnBytes(
      turn('hi', { toolCalls: [{ id: 'c', name: 'n', args: { q: 'y'.repeat(500) } }] }),
    );
    expect(withArgs).toBeGreaterThan(small + 500);
  });

  it('counts what a redact function left behind without throwing', () => {
    expect(estimateTurnBytes(turn(undefined as never))).toBeGreaterThan(0);
    expect(estimateTurnBytes(turn({ not: 'a string' } as never))).toBeGreaterThan(0);
  });
});

describe('estimateMessagesBytes and estimateTurnHeadBytes', () => {
  const message = (n: number): TurnMessage => ({
    id: `m${n}`,
    role: n % 2 ? 'assistant' : 'user',
    content: 'x'.repeat(n),
  });
  const turnOf = (messages: TurnMessage[]): Turn => ({ ...turn(''), messages });

  it("add up to the turn's estimate, so a delta counts its head and its new messages only", () => {
    const messages = [message(1), message(2), message(3), message(40)];
    const whole = estimateTurnBytes(turnOf(messages));
    expect(estimateTurnHeadBytes(turnOf(messages)) + estimateMessagesBytes(messages, 0)).toBe(whole);
    expect(estimateMessagesBytes(messages, 2)).toBe(
      estimateTurnBytes(turnOf(messages.slice(2))) - estimateTurnBytes(turnOf([])),
    );
    expect(estimateMessagesBytes(messages, 2, 8) - estimateMessagesBytes(messages, 2)).toBe(16);
  });
});
