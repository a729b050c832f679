import type { ChatTrailDestination, DeliveryItem, DeliveryOutcome, Turn } from '@chattrail/core';
import { describe, expect, it } from 'vitest';
import { DeliveryTracker, TrackedChunk } from './delivery-tracker';

// Pure bookkeeping: the destinations here are plain objects answering outcomes, no HTTP involved.
const item = (id: string): DeliveryItem => ({ type: 'turn', turn: { id, threadId: id } as Turn });
const context = {} as Parameters<ChatTrailDestination['send']>[1];

function destination(name: string, answer: (id: string) => DeliveryOutcome): ChatTrailDestination {
  return {
    name,
    send: async (items) => items.map((i) => answer(i.type === 'turn' ? i.turn.id : '')),
  };
}

describe('DeliveryTracker', () => {
  it('settles a chunk once every destination settled all of it, whatever the order of chunks', async () => {
    const tracker = new DeliveryTracker<string>(['a', 'b']);
    const a = tracker.wrap(destination('a', () => ({ status: 'sent' })));
    const b = tracker.wrap(destination('b', () => ({ status: 'sent' })));
    const first = new TrackedChunk<string>();
    const second = new TrackedChunk<string>();
    for (const [id, chunk] of [
      ['t1', first],
      ['t2', first],
      ['t3', second],
    ] as const) {
      tracker.track(id, { at: id, messages: 1, skipped: false }, chunk);
    }
    first.close();
    second.close();
    await a.send([item('t3'), item('t1')], context);
    await b.send([item('t3')], context);
    expect(second.isSettled).toBe(true); // the later chunk first: its caller still commits in order
    expect(first.isSettled).toBe(false);
    await b.send([item('t1'), item('t2')], context);
    expect(first.isSettled).toBe(false); // t2 not yet at a
    await a.send([item('t2')], context);
    expect(first.isSettled).toBe(true);
    await first.settled;
    expect(tracker.size).toBe(0);
  });

  it('a retry does not settle; a drop settles with its reason; a "sent" the destination calls skipped is skipped', async () => {
    const tracker = new DeliveryTracker<string>(
      ['a'],
      (_name, i) => i.type === 'turn' && i.turn.id === 'old',
    );
    let answer: DeliveryOutcome = { status: 'retry', error: new Error('503') };
    const a = tracker.wrap(destination('a', () => answer));
    const chunk = new TrackedChunk<string>();
    const conversations = ['t1', 't2', 'old'].map((id) => ({ at: id, messages: 1, skipped: false }));
    for (const c of conversations) tracker.track(c.at, c, chunk);
    chunk.close();
    await a.send([item('t1'), item('t2'), item('old')], context);
    expect(chunk.unsettled).toBe(3);
    answer = { status: 'sent' };
    await a.send([item('t1'), item('old')], context);
    tracker.dropped({
      destination: 'a',
      reason: 'permanent_error',
      turns: [item('t2')].map((i) => (i as { turn: Turn }).turn),
      feedback: [],
      error: new Error('400 Bad Request'),
    });
    expect(chunk.isSettled).toBe(true);
    expect(conversations).toMatchObject([
      { at: 't1', skipped: false },
      { at: 't2', failure: 'a: permanent_error (400 Bad Request)' },
      { at: 'old', skipped: true },
    ]);
    expect(conversations[0]).not.toHaveProperty('failure');
  });

  it('two conversations with one id settle first in, first out; abandon fails what a chunk still waits for', () => {
    const tracker = new DeliveryTracker<string>(['a']);
    const first = new TrackedChunk<string>();
    const second = new TrackedChunk<string>();
    tracker.track('same', { at: 'line 1', messages: 1, skipped: false }, first);
    tracker.track('same', { at: 'line 2', messages: 1, skipped: false }, second);
    first.close();
    second.close();
    tracker.dropped({
      destination: 'a',
      reason: 'queue_full',
      turns: [{ id: 'same' } as Turn],
      feedback: [],
    });
    expect(first.isSettled).toBe(true);
    expect(second.isSettled).toBe(false);
    tracker.abandon(second, 'not queued');
    expect(second.isSettled).toBe(true);
    expect(second.conversations[0]!.failure).toBe('not queued');
    expect(tracker.size).toBe(0);
  });
});
