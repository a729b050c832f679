/** The controllers following a signal, and its listener (by `handleEvent`) while any does. */
class Followers extends Set<AbortController> {
  handleEvent(): void {
    for (const controller of this) controller.abort();
  }
}

const bySignal = new WeakMap<AbortSignal, Followers>();

/**
 * Aborts `controller` when `signal` aborts, until {@link unfollowAbort}. One listener on `signal` while any
 * controller follows it, not one each: a batch's signal has a request of every thread in flight, and an
 * EventTarget's add and remove walk all its listeners.
 */
export function followAbort(signal: AbortSignal, controller: AbortController): void {
  const followers = bySignal.get(signal) ?? new Followers();
  // Listened to only while followed: a listener keeps an `AbortSignal.timeout()` from being collected.
  if (followers.size === 0) {
    bySignal.set(signal, followers);
    signal.addEventListener('abort', followers, { once: true });
  }
  followers.add(controller);
}

export function unfollowAbort(signal: AbortSignal, controller: AbortController): void {
  const followers = bySignal.get(signal);
  if (followers?.delete(controller) && followers.size === 0) signal.removeEventListener('abort', followers);
}
