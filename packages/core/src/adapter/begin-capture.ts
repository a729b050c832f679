import type { TurnRecorder } from '../spec/turn-recorder';

function ended(): void {}

/**
 * For adapters: tells the recorder a capture started whose turn is recorded later, so `flush()` waits for
 * it. Call the result once the turn is recorded or given up, on every path; again does nothing. A recorder
 * without `beginCapture`, or one that throws, is no bother: never in the host's way.
 */
export function beginCapture(recorder: TurnRecorder | null | undefined): () => void {
  try {
    const begin = recorder?.beginCapture;
    if (typeof begin !== 'function') return ended;
    const end: unknown = begin.call(recorder);
    if (typeof end !== 'function') return ended;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      try {
        end();
      } catch {
        // A custom recorder's failure stays ours.
      }
    };
  } catch {
    return ended;
  }
}
