/**
 * Reads an environment variable without importing anything Node-specific, so the core still loads on
 * Edge runtimes (where `process` may be missing) and Deno (where reading without permission throws).
 * Blank values count as unset: an empty `MIELTO_API_KEY=` in a .env file means "no key", not "the key ''".
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
