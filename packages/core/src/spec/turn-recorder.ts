import type { Turn } from './turn';

/** What an adapter needs from a trail, so a test or an app can hand adapters any recorder. */
export interface TurnRecorder {
  /** Synchronous; never throws. */
  record(turn: Turn): void;
  /**
   * Says a capture has started whose turn is recorded later; call the returned function once it has
   * recorded, or given up. `flush()` and `shutdown()` wait for open captures. Optional: adapters call it
   * through `beginCapture(recorder)` of `@chattrail/core/adapter`, which does without it.
   */
  beginCapture?(): () => void;
}
