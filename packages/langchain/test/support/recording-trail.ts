import type { Turn, TurnRecorder } from '@chattrail/core';

/** A trail stand-in that keeps every recorded turn (deep-copied, as a real trail normalises a copy). */
export interface RecordingTrail extends TurnRecorder {
  readonly turns: Turn[];
}

export function recordingTrail(): RecordingTrail {
  const turns: Turn[] = [];
  return {
    turns,
    record(turn) {
      turns.push(structuredClone(turn));
    },
  };
}

/** Which @langchain/core line this vitest project runs on (see vitest.config.ts). */
export const coreLine = process.env.LANGCHAIN_CORE_LINE === '0.3' ? '0.3' : '1';
