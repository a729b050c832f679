import type { JsonValue, TurnMessagesMode, TurnSource, TurnUser } from '../spec/turn';
import {
  type ContextMode,
  type ContextStore,
  createContextStore,
  loadAsyncLocalStorage,
} from './context-store';

/** Identity and metadata that adapters pick up for turns recorded inside `withChatTrail`. */
export interface ChatTrailContext {
  threadId?: string;
  user?: TurnUser;
  metadata?: Record<string, JsonValue>;
  /** Overrides the trail's `turnMessages` for the turns recorded inside (see `TurnMessagesMode`). */
  turnMessages?: TurnMessagesMode;
  /** `record()` pushes each turn's `source` here (inherited), so Express skips a turn recorded inside. */
  capture?: ChatTrailCapture;
}

/** See {@link ChatTrailContext.capture}. */
export interface ChatTrailCapture {
  sources: TurnSource[];
}

// One store per process, not per copy of this module: the app's ESM and an adapter's CJS build share it.
const STORE_KEY = Symbol.for('@chattrail/core/context-store');

function store(): ContextStore<Readonly<ChatTrailContext>> {
  const registry = globalThis as { [STORE_KEY]?: ContextStore<Readonly<ChatTrailContext>> };
  registry[STORE_KEY] ??= createContextStore(loadAsyncLocalStorage());
  return registry[STORE_KEY];
}

/** Runs `fn` so turns recorded in it (after `await`s too) get this thread and user; nested calls merge. */
export function withChatTrail<R>(context: ChatTrailContext, fn: () => R): R {
  return store().run(Object.freeze(mergeContexts(store().get(), context)), fn);
}

/** The context set by the innermost enclosing {@link withChatTrail}, or `undefined` outside of one. */
export function getChatTrailContext(): Readonly<ChatTrailContext> | undefined {
  return store().get();
}

/** How far `withChatTrail` reaches here: `'sync-only'` loses the context after the first `await`. */
export function getChatTrailContextMode(): ContextMode {
  return store().mode;
}

function mergeContexts(outer: Readonly<ChatTrailContext> | undefined, inner: ChatTrailContext) {
  const merged: Record<string, unknown> = {};
  // `capture` is the same object, not a copy: records made in a nested context must reach the request's.
  for (const key of ['threadId', 'user', 'capture', 'turnMessages'] as const) {
    const value = inner[key] ?? outer?.[key];
    if (value !== undefined) merged[key] = value;
  }
  if (outer?.metadata !== undefined || inner.metadata !== undefined) {
    merged.metadata = { ...outer?.metadata, ...inner.metadata };
  }
  return merged as ChatTrailContext;
}
