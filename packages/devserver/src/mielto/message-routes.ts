import type { DevServerContext } from '../dev-server-context.js';
import type { RouteRequest, RouteResult } from '../http/route.js';
import { CREATE_MESSAGES, MESSAGE_CREATE_REQUEST } from './mielto-schemas.js';
import { type ValidationIssue, validateModel, validationErrorBody } from './validate-model.js';

/**
 * POST /api/v1/messages. Accepts the seed's `CreateMessages` object (with `content` one message or a
 * list) and the quickstart's bare array of messages; a bare array has nowhere to carry the
 * conversation, so the emulator takes `?conversation_id=` for it.
 */
export async function createMessages(request: RouteRequest, ctx: DevServerContext): Promise<RouteResult> {
  const body = await request.json();
  const issues: ValidationIssue[] = [];
  let messages: unknown[];
  let conversationId: string | null | undefined;
  let enableMemories = false;

  if (Array.isArray(body)) {
    messages = body;
    for (let i = 0; i < body.length; i++) validateModel(body[i], MESSAGE_CREATE_REQUEST, ['body', i], issues);
    conversationId = request.query.get('conversation_id');
    request.note('bare-array body');
  } else {
    if (!validateModel(body, CREATE_MESSAGES, ['body'], issues)) {
      return { status: 422, body: validationErrorBody(issues) };
    }
    const content = body.content;
    if (Array.isArray(content)) {
      messages = content;
      for (let i = 0; i < content.length; i++)
        validateModel(content[i], MESSAGE_CREATE_REQUEST, ['body', 'content', i], issues);
    } else {
      messages = [content];
      validateModel(content, MESSAGE_CREATE_REQUEST, ['body', 'content'], issues);
    }
    conversationId = body.conversation_id as string | null | undefined;
    enableMemories = body.enable_memories === true;
  }
  if (issues.length > 0) return { status: 422, body: validationErrorBody(issues) };

  // "Required in practice" (quickstart): without it the service cannot group messages.
  if (conversationId === undefined || conversationId === null) {
    return {
      status: 422,
      body: validationErrorBody([
        {
          type: 'missing',
          loc: ['body', 'conversation_id'],
          msg: 'Field required: conversation_id is required in practice',
        },
      ]),
    };
  }
  const conversation = ctx.store.mielto.getConversation(conversationId, request.principal.workspaceId);
  if (!conversation) return { status: 404, body: { detail: `Conversation ${conversationId} not found` } };
  if (enableMemories) request.note('enable_memories');

  const created = ctx.store.mielto.appendMessages(conversation, messages as Record<string, unknown>[], {
    senderId: conversation.user_id ?? request.principal.ownerId,
    ownerId: request.principal.ownerId,
  });
  return { status: 201, body: created };
}
