import { readEnv } from '../env/read-env';

/** Reads a variable from `env` when given (blank counts as unset, like `readEnv`), else from the runtime. */
export function readTrailEnv(
  env: Record<string, string | undefined> | undefined,
  name: string,
): string | undefined {
  if (env === undefined) return readEnv(name);
  const value = env[name];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** `1`, `true`, `yes`, `on` (any case) → true; `0`, `false`, `no`, `off` → false; anything else → undefined. */
export function parseEnvFlag(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === '1' || lower === 'true' || lower === 'yes' || lower === 'on') return true;
  if (lower === '0' || lower === 'false' || lower === 'no' || lower === 'off') return false;
  return undefined;
}
