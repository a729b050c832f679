import { type ChatTrailDestination, melodi } from '@chattrail/core';
import { MELODI_DEFAULT_BASE_URL, MIELTO_DEFAULT_BASE_URL } from '@chattrail/core/adapter';
import { undiciTransport } from '@chattrail/core/node';
import { MieltoImportDestination } from '../destinations/mielto-import-destination';

export const BACKENDS = ['mielto', 'melodi'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface ImportDestinations {
  destinations: ChatTrailDestination[];
  mielto?: MieltoImportDestination;
  /** Why a backend that was asked for is not configured. Never contains a key. */
  problems: string[];
}

/**
 * The destinations of an import, from the same variables as `createChatTrail()`: `MIELTO_API_KEY`
 * (+ `MIELTO_BASE_URL`, `MIELTO_WORKSPACE_ID`), `MELODI_API_KEY` + `MELODI_PROJECT_ID` (+ `MELODI_BASE_URL`).
 * `to` limits them; a backend named in `to` but not configured is a problem.
 */
export function importDestinations(
  env: Record<string, string | undefined>,
  settings: { to?: readonly Backend[]; concurrency: number; timeoutMs: number },
): ImportDestinations {
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const wanted = new Set<Backend>(settings.to ?? BACKENDS);
  // undici's dispatch(), not the global fetch: fetch's web streams were the importer's largest CPU cost.
  // Keep-alive connections enough for every request a destination has in flight.
  const transport = () => undiciTransport({ connections: settings.concurrency + 4 });
  const result: ImportDestinations = { destinations: [], problems: [] };

  if (wanted.has('mielto')) {
    const apiKey = read('MIELTO_API_KEY');
    if (apiKey === undefined) {
      if (settings.to !== undefined) result.problems.push('--to mielto: MIELTO_API_KEY is not set');
    } else {
      result.mielto = new MieltoImportDestination({
        apiKey,
        baseUrl: read('MIELTO_BASE_URL') ?? MIELTO_DEFAULT_BASE_URL,
        workspaceId: read('MIELTO_WORKSPACE_ID'),
        concurrency: settings.concurrency,
        timeoutMs: settings.timeoutMs,
        transport: transport(),
      });
      result.destinations.push(result.mielto);
    }
  }
  if (wanted.has('melodi')) {
    const apiKey = read('MELODI_API_KEY');
    const projectText = read('MELODI_PROJECT_ID');
    const projectId =
      projectText !== undefined && /^\d+$/.test(projectText) ? Number(projectText) : undefined;
    if (apiKey === undefined) {
      if (settings.to !== undefined) result.problems.push('--to melodi: MELODI_API_KEY is not set');
    } else if (projectId === undefined || projectId <= 0) {
      result.problems.push('MELODI_API_KEY is set but MELODI_PROJECT_ID is not a positive integer');
    } else {
      result.destinations.push(
        melodi({
          apiKey,
          projectId,
          baseUrl: read('MELODI_BASE_URL') ?? MELODI_DEFAULT_BASE_URL,
          concurrency: settings.concurrency,
          timeoutMs: settings.timeoutMs,
          transport: transport(),
        }),
      );
    }
  }
  if (result.destinations.length === 0 && result.problems.length === 0) {
    result.problems.push(
      'no destination: set MIELTO_API_KEY, or MELODI_API_KEY and MELODI_PROJECT_ID (or use --dry-run)',
    );
  }
  return result;
}
