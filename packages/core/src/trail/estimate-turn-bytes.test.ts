import { describe, expect, it } from 'vitest';
import type { Turn } from '../turn/turn';
import { estimateTurnBytes } from './estimate-turn-bytes';

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
