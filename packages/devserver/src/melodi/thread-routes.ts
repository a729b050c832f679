import type { DevServerContext } from '../dev-server-context.js';
import type { RouteRequest, RouteResult } from '../http/route.js';
import type { ExternalUserInput, MelodiMessage, MelodiThreadRecord } from '../store/melodi-store.js';
import { badRequest, checkExternalUser, checkObject, isObject, type MelodiIssue } from './validate-melodi.js';

const THREAD_FIELDS = {
  externalId: { kind: 'string' },
  projectId: { kind: 'number', required: true },
  messages: { kind: 'array', required: true },
  metadata: { kind: 'object' },
  externalUser: { kind: 'object' },
} as const;

const MESSAGE_FIELDS = {
  externalId: { kind: 'string' },
  role: { kind: 'string', required: true },
  type: { kind: 'string', oneOf: ['markdown', 'json'] },
  content: { kind: 'string' },
  jsonContent: { kind: 'object' },
  metadata: { kind: 'object' },
} as const;

/** The thread as Melodi's PUT /threads answers it (seed: `melodi-create-or-update-thread.txt`). */
export function threadResponse(thread: MelodiThreadRecord, ctx: DevServerContext) {
  return {
    id: thread.id,
    externalId: thread.externalId,
    organizationId: thread.organizationId,
    project: { id: thread.projectId, name: `Project ${thread.projectId}` },
    messages: thread.messages,
    externalUser: ctx.store.melodi.user(thread.externalUserId),
    metadata: thread.metadata,
    createdAt: thread.createdAt,
    updatedAt: thread.updatedAt,
  };
}

/** PUT /api/external/threads */
export async function upsertThread(request: RouteRequest, ctx: DevServerContext): Promise<RouteResult> {
  const body = await request.json();
  const issues: MelodiIssue[] = [];
  // Nested parts are checked even when the top level has problems, so one 400 lists everything.
  checkObject(body, '', THREAD_FIELDS, issues);
  if (isObject(body)) {
    if (typeof body.projectId === 'number' && (!Number.isInteger(body.projectId) || body.projectId <= 0)) {
      issues.push({ path: 'projectId', message: 'Expected a positive integer' });
    }
    if (Array.isArray(body.messages)) {
      const { messages } = body;
      for (let i = 0; i < messages.length; i++) {
        const m: unknown = messages[i];
        const path = `messages.${i}`;
        if (!checkObject(m, path, MESSAGE_FIELDS, issues)) continue;
        const type = m.type ?? 'markdown';
        if (type === 'markdown' && m.content === undefined)
          issues.push({ path: `${path}.content`, message: 'Required for markdown messages' });
        if (type === 'json' && m.jsonContent === undefined)
          issues.push({ path: `${path}.jsonContent`, message: 'Required for json messages' });
      }
    }
    if (isObject(body.externalUser)) checkExternalUser(body.externalUser, 'externalUser', issues);
  }
  if (issues.length > 0) return badRequest(issues);
  const input = body as Record<string, any>;
  // The parsed body is this request's own: defaulting `type` in place gives the same object (and key
  // order) a spread copy would, without copying every message of the full thread on every PUT.
  const messages = input.messages as MelodiMessage[];
  for (const m of messages) m.type ??= 'markdown';
  const { thread } = ctx.store.melodi.upsertThread({
    organizationId: request.principal.organizationId,
    projectId: input.projectId,
    externalId: input.externalId,
    messages,
    metadata: input.metadata,
    externalUser: input.externalUser as ExternalUserInput | undefined,
    replaceMessages: ctx.options.melodiThreadMessages === 'replace',
  });
  return { status: 200, body: threadResponse(thread, ctx) };
}
