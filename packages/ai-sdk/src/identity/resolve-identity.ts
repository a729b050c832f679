import type { ChatTrailContext, JsonValue, TurnMessagesMode, TurnUser } from '@chattrail/core';

/**
 * What a call can say about itself through `providerOptions.chattrail` (removed before the provider
 * sees it). Every field is optional; values must be JSON, as provider options are.
 */
export interface ChatTrailCallOptions {
  /** The app's conversation id (for useChat, the chat `id` of the request body). */
  threadId?: string;
  /** Shorthand for `user: { id: userId }`. */
  userId?: string;
  user?: TurnUser;
  /** Merged over the wrap-time and context metadata, key by key. */
  metadata?: Record<string, JsonValue>;
  /**
   * `'new'` when the call carries only the system prompt and the new messages (the app keeps the history;
   * `prompt` instead of `messages`); overrides the trail's `turnMessages`.
   */
  turnMessages?: TurnMessagesMode;
}

/** Identity fixed when the middleware is created: the fallback for every call. */
export interface WrapTimeIdentity {
  threadId?: string;
  user?: TurnUser;
  metadata?: Record<string, JsonValue>;
  turnMessages?: TurnMessagesMode;
}

export interface ResolvedIdentity {
  threadId: string | undefined;
  user: TurnUser | undefined;
  metadata: Record<string, JsonValue> | undefined;
  turnMessages: TurnMessagesMode | undefined;
}

/**
 * Per-call identity, in order of precedence: `providerOptions.chattrail` → the `withChatTrail` context →
 * the options given at wrap time. `threadId` stays undefined when none of them has one (the caller then
 * generates one). Malformed values (a number where a string belongs, an array for metadata) are ignored
 * rather than trusted or thrown on.
 */
export function resolveIdentity(
  call: unknown,
  context: Readonly<ChatTrailContext> | undefined,
  wrap: WrapTimeIdentity,
): ResolvedIdentity {
  const c = call !== null && typeof call === 'object' ? (call as Record<string, unknown>) : undefined;
  const threadId = idOf(c?.threadId) ?? idOf(context?.threadId) ?? idOf(wrap.threadId);
  const callUser = userOf(c?.user) ?? (idOf(c?.userId) !== undefined ? { id: idOf(c?.userId)! } : undefined);
  const user = callUser ?? userOf(context?.user) ?? userOf(wrap.user);
  const metadata = mergeMetadata(wrap.metadata, context?.metadata, c?.metadata);
  const turnMessages = modeOf(c?.turnMessages) ?? modeOf(context?.turnMessages) ?? modeOf(wrap.turnMessages);
  return { threadId, user, metadata, turnMessages };
}

function modeOf(value: unknown): TurnMessagesMode | undefined {
  return value === 'history' || value === 'new' ? value : undefined;
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function userOf(value: unknown): TurnUser | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const id = idOf((value as { id?: unknown }).id);
  if (id === undefined) return undefined;
  return (value as TurnUser).id === id ? (value as TurnUser) : { ...(value as TurnUser), id };
}

function isRecord(value: unknown): value is Record<string, JsonValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function mergeMetadata(...layers: unknown[]): Record<string, JsonValue> | undefined {
  let merged: Record<string, JsonValue> | undefined;
  let copied = false;
  for (const layer of layers) {
    if (!isRecord(layer)) continue;
    if (merged === undefined) merged = layer;
    else {
      if (!copied) {
        merged = { ...merged };
        copied = true;
      }
      Object.assign(merged, layer);
    }
  }
  return merged;
}
