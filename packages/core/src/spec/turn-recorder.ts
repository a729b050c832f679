import type { Turn } from './turn';

/**
 * What an adapter needs from a trail: a synchronous, non-throwing `record`. Adapters accept this
 * rather than the whole trail so a test or an app can hand them any recorder.
 */
export interface TurnRecorder {
  record(turn: Turn): void;
  /**
   * Says a capture has started whose turn is recorded later (a response being sent, a model stream, a
   * LangChain run); call the returned function once it has recorded, or given up. `flush()` and
   * `shutdown()` wait for the captures in progress before they drain the queues. Optional: adapters
   * call it through `beginCapture(recorder)` of `@chattrail/core/adapter`, which does without it.
   */
  beginCapture?(): () => void;
}
