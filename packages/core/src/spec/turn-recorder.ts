import type { Turn } from './turn';

/** What an adapter needs from a trail, so a test or an app can hand adapters any recorder. */
export interface TurnRecorder {
  /** Synchronous; never throws. */
  record(turn: Turn): void;
  /**
   * A capture started whose turn is recorded later (`flush()` waits for it); call the result once recorded
   * or given up. Optional: adapters call it through `beginCapture(recorder)`, which does without it.
   */
  beginCapture?(): () => void;
}
