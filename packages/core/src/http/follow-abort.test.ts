import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { followAbort, unfollowAbort } from './follow-abort';

describe('followAbort', () => {
  it('aborts the controllers following a signal when it aborts, not those that stopped following', () => {
    const source = new AbortController();
    const [a, b, c] = [new AbortController(), new AbortController(), new AbortController()];
    followAbort(source.signal, a);
    followAbort(source.signal, b);
    followAbort(source.signal, c);
    unfollowAbort(source.signal, b);
    source.abort();
    expect([a.signal.aborted, b.signal.aborted, c.signal.aborted]).toEqual([true, false, true]);
    unfollowAbort(source.signal, a); // after the abort, as a request's `finally` does
    unfollowAbort(source.signal, c);
  });

  it('listens to the signal once, and only while a controller follows it', () => {
    const source = new AbortController();
    const listeners = () => getEventListeners(source.signal, 'abort').length;
    const controllers = [new AbortController(), new AbortController()];
    for (const controller of controllers) followAbort(source.signal, controller);
    expect(listeners()).toBe(1);
    unfollowAbort(source.signal, controllers[0]!);
    expect(listeners()).toBe(1);
    unfollowAbort(source.signal, controllers[1]!);
    unfollowAbort(source.signal, controllers[1]!); // twice: no harm
    expect(listeners()).toBe(0);
    const again = new AbortController();
    followAbort(source.signal, again);
    expect(listeners()).toBe(1);
    source.abort();
    expect(again.signal.aborted).toBe(true);
    expect(controllers.map((controller) => controller.signal.aborted)).toEqual([false, false]);
  });

  it('keeps signals apart', () => {
    const [one, two] = [new AbortController(), new AbortController()];
    const [a, b] = [new AbortController(), new AbortController()];
    followAbort(one.signal, a);
    followAbort(two.signal, b);
    one.abort();
    expect([a.signal.aborted, b.signal.aborted]).toEqual([true, false]);
  });
});
