/** `action()`'s result, or `undefined` when it throws: for best-effort steps and unparsable values. */
export function quietly<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch {
    return undefined;
  }
}
