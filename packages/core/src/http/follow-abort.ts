interface Followers {
  controllers: Set<AbortController>;
  listener: () => void;
}

const bySignal = new WeakMap<AbortSignal, Followers>();

/**
 * Aborts `controller` when `signal` aborts, until {@link unfollowAbort}. One listener on `signal` while any
 * controller follows it, not one each: a batch's signal has a request of every thread in flight, and an
 * EventTarget's add and remove walk all its listeners.
 */
export function followAbort(signal: AbortSignal, controller: AbortController): void {
  let followers = bySignal.get(signal);
  if (followers === undefined) {
    const controllers = new Set<AbortController>();
    const listener = () => {
      for (const follower of controllers) follower.abort();
    };
    followers = { controllers, listener };
    bySignal.set(signal, followers);
  }
  // Listened to only while followed: a listener keeps an `AbortSignal.timeout()` from being collected.
  if (followers.controllers.size === 0) signal.addEventListener('abort', followers.listener, { once: true });
  followers.controllers.add(controller);
}

export function unfollowAbort(signal: AbortSignal, controller: AbortController): void {
  const followers = bySignal.get(signal);
  if (followers === undefined || !followers.controllers.delete(controller)) return;
  if (followers.controllers.size === 0) signal.removeEventListener('abort', followers.listener);
}
