import { quietly } from '../internal/quietly';
import type { TurnRecorder } from '../spec/turn-recorder';

/**
 * For adapters: a capture started whose turn is recorded later (`flush()` waits for it); call the result
 * once on every path. Never in the host's way: a recorder without `beginCapture`, or failing, is no bother.
 */
export function beginCapture(recorder: TurnRecorder | null | undefined): () => void {
  // A custom recorder's failure stays ours (here and below).
  let end: unknown = quietly(() => recorder?.beginCapture?.());
  return () => {
    const call = end;
    end = undefined;
    if (typeof call === 'function') quietly(call as () => void);
  };
}
