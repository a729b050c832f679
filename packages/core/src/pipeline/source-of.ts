import type { TurnSource } from '../spec/turn';

const SOURCES = new Set<unknown>(['ai-sdk', 'langchain', 'express', 'manual']);

/** The adapter a turn says it came from; `'manual'` for anything else. */
export function sourceOf(turn: unknown): TurnSource {
  const source = (turn as { source?: unknown } | null | undefined)?.source;
  return SOURCES.has(source) ? (source as TurnSource) : 'manual';
}
