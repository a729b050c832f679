/**
 * An environment variable on Node, Edge (no `process`) or Deno (throws without permission). Blank counts as
 * unset: `MIELTO_API_KEY=` in a .env file means no key.
 */
export function readEnv(name: string): string | undefined {
  const runtime = globalThis as {
    process?: { env?: Record<string, string | undefined> };
    Deno?: { env?: { get(name: string): string | undefined } };
  };
  try {
    const value = runtime.process?.env?.[name] ?? runtime.Deno?.env?.get(name);
    if (typeof value !== 'string') return undefined;
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  } catch {
    return undefined;
  }
}
