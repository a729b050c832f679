import { readEnv } from '../env/read-env';

/** A variable from `env` when given (blank counts as unset), else from the runtime. */
export function readTrailEnv(env: Record<string, string | undefined> | undefined, name: string) {
  return readEnv(name, env);
}
