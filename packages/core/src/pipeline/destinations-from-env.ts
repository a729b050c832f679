import { melodi } from '../destinations/melodi-destination';
import { mielto } from '../destinations/mielto-destination';
import type { Transport } from '../http/transport';
import { messageOf } from '../internal/message-of';
import { MELODI_DEFAULT_BASE_URL } from '../melodi/melodi-client';
import { MIELTO_DEFAULT_BASE_URL } from '../mielto/mielto-client';
import type { ChatTrailDestination } from '../spec/chat-trail-destination';
import { readTrailEnv } from './read-trail-env';

/** What the environment configures; `problems` explain variables that could not be used. */
export interface EnvDestinations {
  destinations: ChatTrailDestination[];
  problems: string[];
}

/** `mielto()`/`melodi()` from `MIELTO_*`/`MELODI_*`; never throws: a half-configured one is in `problems`. */
export function destinationsFromEnv(
  env: Record<string, string | undefined> | undefined,
  settings: { timeoutMs: number; fetch?: typeof fetch | undefined; transport?: Transport | undefined },
): EnvDestinations {
  const read = (name: string) => readTrailEnv(env, name);
  const found: EnvDestinations = { destinations: [], problems: [] };
  const add = (prefix: string, make: () => ChatTrailDestination) => {
    try {
      found.destinations.push(make());
    } catch (error) {
      found.problems.push(`${prefix}_* variables ignored: ${messageOf(error)}`);
    }
  };
  const mieltoKey = read('MIELTO_API_KEY');
  if (mieltoKey !== undefined) {
    const baseUrl = read('MIELTO_BASE_URL') ?? MIELTO_DEFAULT_BASE_URL;
    add('MIELTO', () =>
      mielto({ apiKey: mieltoKey, baseUrl, workspaceId: read('MIELTO_WORKSPACE_ID'), ...settings }),
    );
  }
  const melodiKey = read('MELODI_API_KEY');
  const projectText = read('MELODI_PROJECT_ID');
  if (melodiKey === undefined) return found;
  const projectId = projectText !== undefined && /^\d+$/.test(projectText) ? Number(projectText) : 0;
  if (projectId > 0) {
    const baseUrl = read('MELODI_BASE_URL') ?? MELODI_DEFAULT_BASE_URL;
    add('MELODI', () => melodi({ apiKey: melodiKey, projectId, baseUrl, ...settings }));
  } else {
    found.problems.push(
      projectText === undefined
        ? 'MELODI_API_KEY is set but MELODI_PROJECT_ID is not; Melodi is skipped'
        : `MELODI_PROJECT_ID must be a positive integer, got ${JSON.stringify(projectText)}; Melodi is skipped`,
    );
  }
  return found;
}
