import type { DevServerContext } from '../dev-server-context.js';
import { HttpError } from '../http/http-error.js';
import type { RouteRequest, RouteResult } from '../http/route.js';
import { CONVERSATION_CREATE, MESSAGE_CREATE_REQUEST } from './mielto-schemas.js';
import { type ValidationIssue, validateModel, validationErrorBody } from './validate-model.js';

/** POST /api/v1/conversations */
export async function createConversation(request: RouteRequest, ctx: DevServerContext): Promise<RouteResult> {
  const body = await request.json();
  const issues: ValidationIssue[] = [];
  if (validateModel(body, CONVERSATION_CREATE, ['body'], issues) && Array.isArray(body.messages)) {
    for (const [i, m] of body.messages.entries())
      validateModel(m, MESSAGE_CREATE_REQUEST, ['body', 'messages', i], issues);
  }
  if (issues.length > 0) return { status: 422, body: validationErrorBody(issues) };
  const input = body as Record<string, any>;
  const { principal } = request;
  const conversation = ctx.store.mielto.createConversation({
    workspace_id: principal.workspaceId,
    owner_id: principal.ownerId,
    user_id: input.user_id ?? null,
    title: input.title ?? null,
    is_public: input.is_public ?? false,
    collections: input.collections ?? [],
    meta_data: input.meta_data ?? {},
    settings: input.settings ?? {},
  });
  if (Array.isArray(input.messages) && input.messages.length > 0) {
    ctx.store.mielto.appendMessages(conversation, input.messages, {
      senderId: input.user_id ?? principal.ownerId,
      ownerId: principal.ownerId,
    });
  }
  return { status: 201, body: conversation };
}

interface IntQuery {
  name: string;
  fallback: number;
  min: number;
  max?: number;
}

function intQuery(query: URLSearchParams, spec: IntQuery, issues: ValidationIssue[]): number {
  const raw = query.get(spec.name);
  if (raw === null || raw === '') return spec.fallback;
  const loc = ['query', spec.name];
  if (!/^[+-]?\d+$/.test(raw.trim())) {
    issues.push({
      type: 'int_parsing',
      loc,
      msg: 'Input should be a valid integer, unable to parse string as an integer',
      input: raw,
    });
    return spec.fallback;
  }
  const value = Number(raw);
  if (value < spec.min) {
    issues.push({
      type: 'greater_than_equal',
      loc,
      msg: `Input should be greater than or equal to ${spec.min}`,
      input: raw,
    });
  } else if (spec.max !== undefined && value > spec.max) {
    issues.push({
      type: 'less_than_equal',
      loc,
      msg: `Input should be less than or equal to ${spec.max}`,
      input: raw,
    });
  }
  return value;
}

const STATUSES = new Set(['active', 'ended', 'archived']);

/** GET /api/v1/conversations */
export function listConversations(request: RouteRequest, ctx: DevServerContext): RouteResult {
  const { query } = request;
  const issues: ValidationIssue[] = [];
  const skip = intQuery(query, { name: 'skip', fallback: 0, min: 0 }, issues);
  const limit = intQuery(query, { name: 'limit', fallback: 100, min: 1, max: 1000 }, issues);
  const status = query.get('status') ?? undefined;
  if (status !== undefined && !STATUSES.has(status)) {
    issues.push({
      type: 'enum',
      loc: ['query', 'status'],
      msg: "Input should be 'active', 'ended' or 'archived'",
      input: status,
    });
  }
  if (issues.length > 0) throw new HttpError(422, validationErrorBody(issues));
  return {
    status: 200,
    body: ctx.store.mielto.listConversations({
      workspaceId: request.principal.workspaceId,
      skip,
      limit,
      status,
      search: query.get('search') ?? undefined,
      userId: query.get('user_id') ?? undefined,
      collectionId: query.get('collection_id') ?? undefined,
    }),
  };
}
