import { describe, expect, it } from 'vitest';
import type { ChatTrailDestination, DeliveryOutcome } from '../spec/chat-trail-destination';
import type { Turn } from '../spec/turn';
import { createChatTrail } from './create-chat-trail';

const turn = (n: number): Turn => ({
  id: `turn-${n}`,
  threadId: `thread-${n % 3}`,
  messages: [
    { id: `q${n}`, role: 'user', content: `question ${n}` },
    { id: `a${n}`, role: 'assistant', content: `answer ${n}` },
  ],
  startedAt: '2025-01-01T00:00:00.000Z',
  endedAt: '2025-01-01T00:00:01.000Z',
  status: 'ok',
  source: 'manual',
  turnMessages: 'new',
});

/** A destination whose batches wait until `release()`. */
function held(name: string) {
  const waiting: (() => void)[] = [];
  const destination: ChatTrailDestination = {
    name,
    send: (items) =>
      new Promise<DeliveryOutcome[]>((resolve) => {
        waiting.push(() => resolve(items.map(() => ({ status: 'sent' }))));
      }),
  };
  return {
    destination,
    sending: () => waiting.length,
    release: () => {
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}

describe('stats().queuedBytes', () => {
  it('counts a turn queued for several destinations once, until the last of them lets it go', async () => {
    const a = held('a');
    const b = held('b');
    const trail = createChatTrail({ destinations: [a.destination, b.destination], onError: () => {} });
    for (let n = 0; n < 10; n++) trail.record(turn(n));
    const stats = trail.stats();
    const { a: first, b: second } = stats.destinations;
    expect(first!.queuedBytes).toBeGreaterThan(0);
    expect(second!.queuedBytes).toBe(first!.queuedBytes);
    expect(stats.queuedBytes).toBe(first!.queuedBytes);

    const flushed = trail.flush({ timeoutMs: 60_000 });
    await expect.poll(() => a.sending() > 0 && b.sending() > 0, { timeout: 30_000 }).toBe(true);
    a.release();
    await expect.poll(() => trail.stats().destinations.a!.queuedTurns, { timeout: 30_000 }).toBe(0);
    // b still holds every turn: the trail's count is its count.
    expect(trail.stats().queuedBytes).toBe(first!.queuedBytes);
    b.release();
    expect((await flushed).ok).toBe(true);
    expect(trail.stats().queuedBytes).toBe(0);
    await trail.shutdown();
  });
});
