/** LangGraph's control-flow exceptions: an interrupt, a drain, a command for the parent graph. */
const CONTROL_FLOW_NAMES = new Set(['GraphInterrupt', 'NodeInterrupt', 'GraphDrained', 'ParentCommand']);

/**
 * Whether an error is LangGraph control flow rather than a failure: `interrupt()` (human in the loop),
 * `NodeInterrupt`, a drain, or `Command({ graph: PARENT })`. They all extend `GraphBubbleUp`, which marks
 * itself with `is_bubble_up`; the names cover copies of LangGraph whose classes we cannot see.
 */
export function isControlFlow(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  try {
    const candidate = error as { is_bubble_up?: unknown; name?: unknown };
    return candidate.is_bubble_up === true || CONTROL_FLOW_NAMES.has(String(candidate.name));
  } catch {
    // A getter or proxy that throws: not LangGraph's, whose errors are plain classes.
    return false;
  }
}

/** Whether a model call failed because it was cancelled (an `AbortSignal`, a client disconnect). */
export function isAbort(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  let name: unknown;
  let message: unknown;
  try {
    ({ name, message } = error as { name?: unknown; message?: unknown });
  } catch {
    return false;
  }
  return (
    name === 'AbortError' ||
    name === 'APIUserAbortError' ||
    message === 'Aborted' ||
    message === 'AbortError' ||
    message === 'This operation was aborted'
  );
}

/** `{ name, message }` of anything thrown; never throws itself. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error !== null && typeof error === 'object') {
    let name: unknown;
    let message: unknown;
    try {
      // Getters of a hostile or broken error object may throw.
      ({ name, message } = error as { name?: unknown; message?: unknown });
    } catch {
      return { name: 'Error', message: '[unreadable error]' };
    }
    return {
      name: typeof name === 'string' && name !== '' ? name : 'Error',
      message: typeof message === 'string' ? message : safeString(error),
    };
  }
  return { name: 'Error', message: safeString(error) };
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '[unprintable error]';
  }
}
