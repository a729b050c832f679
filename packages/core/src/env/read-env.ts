import { quietly } from '../internal/quietly';

/** A variable from `env` when given, else from Node, Edge or Deno; blank (`MIELTO_API_KEY=`) is unset. */
export function readEnv(name: string, env?: Record<string, string | undefined>): string | undefined {
  const runtime = globalThis as {
    process?: { env?: Record<string, string | undefined> };
    Deno?: { env?: { get(name: string): string | undefined } };
  };
  const value = quietly(() =>
    env === undefined ? (runtime.process?.env?.[name] ?? runtime.Deno?.env?.get(name)) : env[name],
  );
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
