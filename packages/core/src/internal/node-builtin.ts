/** A Node built-in, looked up at run time so Edge and browsers load the entry and bundlers leave it out. */
export function nodeBuiltin<T>(id: string): T | undefined {
  try {
    const runtime = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
    return runtime.process?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}
