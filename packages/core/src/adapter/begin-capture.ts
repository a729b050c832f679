import type { TurnRecorder } from '../spec/turn-recorder';

/**
 * For adapters: a capture started whose turn is recorded later (`flush()` waits for it); call the result
 * once on every path. Never in the host's way: a recorder without `beginCapture`, or failing, is no bother.
 */
export function beginCapture(recorder: TurnRecorder | null | undefined): () => void {
  let end: unknown;
  try {
    end = recorder?.beginCapture?.();
  } catch {
    // A custom recorder's failure stays ours (here and below).
  }
  return () => {
    const call = end;
    end = undefined;
    try {
      if (typeof call === 'function') call();
    } catch {}
  };
}
