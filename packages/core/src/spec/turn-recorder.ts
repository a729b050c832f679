import type { Turn } from './turn';

/**
 * What an adapter needs from a trail: a synchronous, non-throwing `record`. Adapters accept this
 * rather than the whole trail so a test or an app can hand them any recorder.
 */
export interface TurnRecorder {
  record(turn: Turn): void;
}
