import { keepSpec, specOf } from '../destinations/destination-spec';
import type { ChatTrailDestination } from '../spec/chat-trail-destination';
import type { ChatTrailOptions } from './chat-trail-options';
import { destinationsFromEnv } from './destinations-from-env';
import type { TrailSettings } from './trail-settings';

/** The destinations given, else the environment's, each uniquely named; warns when there is none. */
export function trailDestinations(
  { disabled, destinations: given, env, timeoutMs }: TrailSettings,
  sender: Pick<ChatTrailOptions, 'fetch' | 'transport'>,
): ChatTrailDestination[] {
  if (disabled) return [];
  let destinations = given;
  if (destinations === undefined) {
    const fromEnv = destinationsFromEnv(env, { timeoutMs, fetch: sender.fetch, transport: sender.transport });
    destinations = fromEnv.destinations;
    for (const problem of fromEnv.problems) console.warn(`[chattrail] ${problem}`);
  }
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
