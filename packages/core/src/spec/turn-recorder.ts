import type { Turn } from './turn';

/** What an adapter needs from a trail, so a test or an app can hand adapters any recorder. */
export interface TurnRecorder {
  /** Synchronous; never throws. */
  record(turn: Turn): void;
  /** A capture started (`flush()` waits for it); call the result once recorded or given up. Optional. */
  beginCapture?(): () => void;
}
