import type { JsonValue, TurnUser } from '@chattrail/core';

/** Metadata keys that name the conversation, in order of preference (LangSmith and OpenInference use the same). */
export const THREAD_KEYS = ['thread_id', 'session_id', 'conversation_id'] as const;

/** The metadata key that names the user. */
export const USER_KEY = 'user_id';

function id(value: unknown): string | undefined {
  if (typeof value === 'string') return value !== '' ? value : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

/** The thread named by run metadata: `thread_id` (LangGraph copies `configurable.thread_id` there), `session_id` or `conversation_id`. */
export function threadIdFromMetadata(metadata: Record<string, unknown> | undefined): string | undefined {
  if (metadata === undefined) return undefined;
  return id(metadata.thread_id) ?? id(metadata.session_id) ?? id(metadata.conversation_id);
}

/** The user named by run metadata `user_id`. */
export function userFromMetadata(metadata: Record<string, unknown> | undefined): TurnUser | undefined {
  const userId = metadata === undefined ? undefined : id(metadata[USER_KEY]);
  return userId === undefined ? undefined : { id: userId };
}

/**
 * Run metadata worth keeping on a turn: what the app put there itself. Identity keys are dropped (they
 * become the thread and user), and so is what LangChain, LangSmith and LangGraph add to every run
 * (`ls_*`, `lc_*`, `langgraph_*`, `checkpoint_*`, `__pregel_*`, `versions`, run and task ids). Only
 * primitive values are kept: metadata is copied onto every turn, so it stays small and cheap.
 */
export function appMetadata(
  metadata: Record<string, unknown> | undefined,
): Record<string, JsonValue> | undefined {
  if (metadata === undefined) return undefined;
  let kept: Record<string, JsonValue> | undefined;
  for (const key in metadata) {
    if (!Object.hasOwn(metadata, key) || isFrameworkKey(key)) continue;
    const value = metadata[key];
    if (
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value))
    ) {
      kept ??= {};
      kept[key] = value;
    }
  }
  return kept;
}

const FRAMEWORK_KEYS = new Set<string>([
  ...THREAD_KEYS,
  USER_KEY,
  'versions',
  'run_id',
  'task_id',
  'assistant_id',
  'graph_id',
  'run_attempt',
  'checkpoint_id',
  'checkpoint_ns',
]);

function isFrameworkKey(key: string): boolean {
  if (FRAMEWORK_KEYS.has(key)) return true;
  return (
    key.startsWith('ls_') ||
    key.startsWith('lc_') ||
    key.startsWith('langgraph_') ||
    key.startsWith('checkpoint_') ||
    key.startsWith('__') ||
    key === '__proto__' ||
    key === 'constructor' ||
    key === 'prototype'
  );
}
