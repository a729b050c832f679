/**
 * A variable from `env` when given, else from the runtime: Node, Edge (no `process`) or Deno (throws without
 * permission). Blank counts as unset: `MIELTO_API_KEY=` in a .env file means no key.
 */
export function readEnv(name: string, env?: Record<string, string | undefined>): string | undefined {
  const runtime = globalThis as {
    process?: { env?: Record<string, string | undefined> };
    Deno?: { env?: { get(name: string): string | undefined } };
  };
  try {
    const value =
      env === undefined ? (runtime.process?.env?.[name] ?? runtime.Deno?.env?.get(name)) : env[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  } catch {
    return undefined;
  }
}
