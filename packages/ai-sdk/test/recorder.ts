import type { Turn, TurnRecorder } from '@chattrail/core';

/** A TurnRecorder that keeps what it is given: what an adapter test inspects (not a fetch mock). */
export function collectingRecorder(): TurnRecorder & { turns: Turn[] } {
  const turns: Turn[] = [];
  return {
    turns,
    record(turn) {
      turns.push(turn);
    },
  };
}
