import { describe, expect, it } from 'vitest';
import type { Turn, TurnMessage } from '../spec/turn';
import { estimateQueuedTurnBytes, estimateTurnBytes } from './estimate-turn-bytes';

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

describe('estimateQueuedTurnBytes', () => {
  const message = (n: number): TurnMessage => ({
    id: `m${n}`,
    role: n % 2 ? 'assistant' : 'user',
    content: 'x'.repeat(n),
  });
  const turnOf = (messages: TurnMessage[]): Turn => ({ ...turn(''), messages });
  /** The same figures measured message by message, without the previous turn's total. */
  const measured = (messages: TurnMessage[], previous: TurnMessage[]) =>
    estimateQueuedTurnBytes(turnOf(messages), previous);

  it('takes a resent history from the previous total and measures only the new messages', () => {
    const first = [message(1), message(2)];
    const a = measured(first, []);
    expect(a).toEqual({
      bytes: estimateTurnBytes(turnOf(first)),
      shared: 0,
      messageBytes: expect.any(Number),
    });
    const second = [...first, message(3), message(4)];
    const b = estimateQueuedTurnBytes(turnOf(second), first, a.messageBytes);
    expect(b).toEqual(measured(second, first));
    expect(b.bytes).toBe(estimateTurnBytes(turnOf(second)));
    expect(b.shared).toBe(a.messageBytes - 2 * 8);
  });

  it('measures every message when the turn does not start with all of the previous one', () => {
    const first = [message(1), message(2), message(3)];
    const { messageBytes } = measured(first, []);
    // A wrong total proves it is not used: an edited message, a cut history, a regenerated answer.
    for (const next of [
      [message(1), first[1]!, first[2]!, message(4)],
      [first[0]!, first[1]!],
      [first[0]!, first[1]!, message(30)],
    ]) {
      expect(estimateQueuedTurnBytes(turnOf(next), first, messageBytes + 1_000)).toEqual(
        measured(next, first),
      );
    }
    expect(measured([first[0]!, message(9), first[2]!], first).shared).toBe(
      measured([first[0]!], []).messageBytes + measured([first[2]!], []).messageBytes - 2 * 8,
    );
  });
});
