import type { DevServerContext } from '../dev-server-context.js';
import type { RouteRequest, RouteResult } from '../http/route.js';
import type { ExternalUserInput } from '../store/melodi-store.js';
import { badRequest, checkExternalUser, checkObject, isObject, type MelodiIssue } from './validate-melodi.js';

const FEEDBACK_FIELDS = {
  feedbackType: { kind: 'string', required: true, oneOf: ['POSITIVE', 'NEGATIVE'] },
  externalThreadId: { kind: 'string', required: true },
  externalMessageId: { kind: 'string' },
  feedbackText: { kind: 'string' },
  projectId: { kind: 'number' },
  externalUser: { kind: 'object' },
  attributes: { kind: 'object' },
} as const;

/** POST /api/external/feedback: attaches to the given message, or to the thread's last message. */
export async function createFeedback(request: RouteRequest, ctx: DevServerContext): Promise<RouteResult> {
  const body = await request.json();
  const issues: MelodiIssue[] = [];
  checkObject(body, '', FEEDBACK_FIELDS, issues);
  if (isObject(body)) {
    if (isObject(body.externalUser)) checkExternalUser(body.externalUser, 'externalUser', issues);
    if (isObject(body.attributes)) {
      for (const [key, v] of Object.entries(body.attributes)) {
        if (typeof v !== 'string') issues.push({ path: `attributes.${key}`, message: 'Expected string' });
      }
    }
  }
  if (issues.length > 0) return badRequest(issues);
  const input = body as Record<string, any>;
  const thread = ctx.store.melodi.findThread(
    request.principal.organizationId,
    input.projectId,
    input.externalThreadId,
  );
  if (!thread) return { status: 404, body: { error: `Thread ${input.externalThreadId} not found` } };
  let messageId: string | null = input.externalMessageId ?? null;
  if (messageId !== null && !thread.messages.some((m) => m.externalId === messageId)) {
    return {
      status: 404,
      body: { error: `Message ${messageId} not found in thread ${input.externalThreadId}` },
    };
  }
  messageId ??= thread.messages[thread.messages.length - 1]?.externalId ?? null;
  const feedback = ctx.store.melodi.addFeedback(thread, {
    feedbackType: input.feedbackType,
    externalThreadId: input.externalThreadId,
    externalMessageId: messageId,
    feedbackText: input.feedbackText ?? null,
    attributes: input.attributes ?? {},
    externalUser: input.externalUser as ExternalUserInput | undefined,
  });
  return { status: 201, body: feedback };
}
