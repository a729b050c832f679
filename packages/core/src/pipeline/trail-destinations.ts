import { keepSpec, specOf } from '../destinations/destination-spec';
import { melodi } from '../destinations/melodi-destination';
import { mielto } from '../destinations/mielto-destination';
import { readEnv } from '../env/read-env';
import type { Transport } from '../http/transport';
import { messageOf } from '../internal/message-of';
import { MELODI_DEFAULT_BASE_URL } from '../melodi/melodi-client';
import { MIELTO_DEFAULT_BASE_URL } from '../mielto/mielto-client';
import type { ChatTrailDestination } from '../spec/chat-trail-destination';
import type { ChatTrailOptions } from './chat-trail-options';
import type { TrailSettings } from './trail-settings';

/** The destinations given, else the environment's, each uniquely named; warns when there is none. */
export function trailDestinations(
  { disabled, destinations: given, env, timeoutMs }: TrailSettings,
  sender: Pick<ChatTrailOptions, 'fetch' | 'transport'>,
): ChatTrailDestination[] {
  if (disabled) return [];
  const destinations =
    given ?? destinationsFromEnv(env, { timeoutMs, fetch: sender.fetch, transport: sender.transport });
  if (destinations.length === 0) {
    console.warn(
      '[chattrail] no destination configured: set MIELTO_API_KEY, or MELODI_API_KEY and MELODI_PROJECT_ID (or pass destinations to createChatTrail); turns will not be recorded.',
    );
  }
  const names = new Set<string>();
  return destinations.map((destination) => uniquelyNamed(destination, names));
}

/** Two destinations of one kind (two Mielto workspaces) get `mielto`, `mielto-2`, ... in stats and logs. */
function uniquelyNamed(destination: ChatTrailDestination, names: Set<string>): ChatTrailDestination {
  let name = destination.name || 'destination';
  for (let n = 2; names.has(name); n++) name = `${destination.name}-${n}`;
  names.add(name);
  if (name === destination.name) return destination;
  const renamed: ChatTrailDestination = {
    name,
    acceptsFeedback: destination.acceptsFeedback,
    send: (items, context) => destination.send(items, context),
  };
  const spec = specOf(destination);
  if (spec !== undefined) keepSpec(renamed, spec.kind, { ...spec.options, name });
  return renamed;
}

/** `mielto()`/`melodi()` from `MIELTO_*`/`MELODI_*`; never throws: unusable variables warn. */
function destinationsFromEnv(
  env: Record<string, string | undefined> | undefined,
  settings: { timeoutMs: number; fetch?: typeof fetch | undefined; transport?: Transport | undefined },
): ChatTrailDestination[] {
  const read = (name: string) => readEnv(name, env);
  const found: ChatTrailDestination[] = [];
  const problem = (text: string) => console.warn(`[chattrail] ${text}`);
  const add = (prefix: string, make: () => ChatTrailDestination) => {
    try {
      found.push(make());
    } catch (error) {
      problem(`${prefix}_* variables ignored: ${messageOf(error)}`);
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
  const baseUrl = read('MELODI_BASE_URL') ?? MELODI_DEFAULT_BASE_URL;
  if (projectId > 0) add('MELODI', () => melodi({ apiKey: melodiKey, projectId, baseUrl, ...settings }));
  else if (projectText === undefined) {
    problem('MELODI_API_KEY is set but MELODI_PROJECT_ID is not; Melodi is skipped');
  } else {
    const got = JSON.stringify(projectText);
    problem(`MELODI_PROJECT_ID must be a positive integer, got ${got}; Melodi is skipped`);
  }
  return found;
}
