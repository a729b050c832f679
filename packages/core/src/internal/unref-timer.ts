/**
 * Lets a timer run without keeping the process alive (Node, Bun, Deno); a no-op where timers are plain
 * numbers (browsers, Workers). A trail must never be the reason a script or a test does not exit.
 */
export function unrefTimer<T>(timer: T): T {
  (timer as { unref?: () => void } | undefined)?.unref?.();
  return timer;
}
