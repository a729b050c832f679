/** A trail must never keep a process alive; a no-op where timers are numbers. */
export function unrefTimer<T>(timer: T): T {
  (timer as { unref?: () => void } | undefined)?.unref?.();
  return timer;
}
