import type { TurnUser } from '@chattrail/core';
import { isUIChatRequest } from '../formats/ai-sdk-ui';
import { isRecord, stringOf } from '../formats/json-value';
import { openAIIdentity } from '../formats/openai-chat';

/**
 * The thread and user a parsed body names, cheaply (no conversion of the messages): the useChat `id`;
 * OpenAI `user` / `safety_identifier` / `metadata`; the Responses `conversation`. Used for the context the
 * route runs in, before the response exists.
 */
export function bodyIdentity(body: unknown): { threadId?: string; user?: TurnUser } | undefined {
  if (!isRecord(body)) return undefined;
  if (isUIChatRequest(body)) return body.id === '' ? undefined : { threadId: body.id };
  if (!Array.isArray(body.messages) && body.input === undefined && body.conversation === undefined)
    return undefined;
  const { threadId, user } = openAIIdentity(body);
  const conversation = isRecord(body.conversation)
    ? stringOf(body.conversation.id)
    : stringOf(body.conversation);
  const out: { threadId?: string; user?: TurnUser } = {};
  const thread = threadId ?? conversation;
  if (thread !== undefined) out.threadId = thread;
  if (user !== undefined) out.user = user;
  return out;
}
