import { type DevServerContext, resetDevServerContext } from '../dev-server-context.js';
import { validateFaultRule } from '../faults/fault-injector.js';
import type { FaultRule } from '../faults/fault-rule.js';
import { HttpError } from '../http/http-error.js';
import type { RouteRequest, RouteResult } from '../http/route.js';
import { threadResponse } from '../melodi/thread-routes.js';
import { viewerPage } from '../viewer/viewer-page.js';
import { devServerStats } from './dev-server-stats.js';
import { mergedThreads } from './merged-threads.js';
import { viewerThreads } from './viewer-threads.js';

/** Sent by scripts and tests that change state without a JSON body (any value will do). */
export const ADMIN_HEADER = 'x-chattrail-devserver';

/**
 * A call that changes state must carry a JSON content type or the admin header. A page on another site
 * can send neither without a CORS preflight, which the devserver never grants (it sends no
 * `Access-Control-Allow-*` header at all), so a cross-site form or `fetch` cannot wipe or fault the server.
 */
function requireAdminIntent(request: RouteRequest, ctx: DevServerContext): void {
  const { req, method, path } = request;
  if (method === 'GET' || method === 'HEAD') return;
  const type = req.headers['content-type'];
  const json = typeof type === 'string' && /^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type.trim());
  if (json || req.headers[ADMIN_HEADER] !== undefined) return;
  ctx.counters.refused.admin++;
  throw new HttpError(415, {
    error:
      `${method} ${path} changes the devserver's state: send it with content-type: application/json or an ` +
      `${ADMIN_HEADER} header (a cross-site page can send neither without a CORS preflight, which is never granted).`,
  });
}

/**
 * Emulator extensions under `/_devserver`: read-back for tests and the viewer, the request log,
 * stats, reset and runtime faults. They need no key and are never subject to faults; the ones that change
 * state need a JSON content type or the admin header.
 */
export async function handleAdmin(request: RouteRequest, ctx: DevServerContext): Promise<RouteResult> {
  const { method, path, query } = request;
  const { store } = ctx;
  requireAdminIntent(request, ctx);
  if (method === 'GET' && (path === '/' || path === '/index.html')) {
    request.res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    request.res.end(viewerPage());
    return undefined;
  }
  const sub = path.slice('/_devserver'.length);
  let segments: string[];
  try {
    segments = sub.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new HttpError(400, { error: `Malformed path ${path}` });
  }
  const route = `${method} /${segments.map((s, i) => (i >= 2 && segments[0] !== 'faults' ? ':id' : s)).join('/')}`;

  switch (route) {
    case 'GET /health':
      return { status: 200, body: { ok: true } };
    case 'GET /version':
      return { status: 200, body: { version: store.version } };
    case 'GET /threads':
      return { status: 200, body: { version: store.version, threads: viewerThreads(ctx) } };
    case 'GET /merged-threads':
      return { status: 200, body: { version: store.version, threads: mergedThreads(viewerThreads(ctx)) } };
    case 'GET /mielto/conversations':
      return {
        status: 200,
        body: store.mielto.allConversations().map((c) => ({ ...c, messages: store.mielto.messagesOf(c.id) })),
      };
    case 'GET /mielto/conversations/:id': {
      const conversation = store.mielto.getConversation(segments[2]);
      if (!conversation) throw new HttpError(404, { detail: 'Conversation not found' });
      return { status: 200, body: { ...conversation, messages: store.mielto.messagesOf(conversation.id) } };
    }
    case 'GET /melodi/threads': {
      const externalId = query.get('externalId');
      const threads = store.melodi
        .allThreads()
        .filter((t) => externalId === null || t.externalId === externalId);
      return {
        status: 200,
        body: threads.map((t) => ({ projectId: t.projectId, ...threadResponse(t, ctx) })),
      };
    }
    case 'GET /melodi/feedback':
      return { status: 200, body: store.melodi.allFeedback() };
    case 'GET /requests': {
      const limit = Number(query.get('limit') ?? 100);
      return { status: 200, body: ctx.log.recent(Number.isFinite(limit) && limit > 0 ? limit : 100) };
    }
    case 'GET /stats':
      return { status: 200, body: devServerStats(ctx) };
    case 'POST /reset':
      resetDevServerContext(ctx);
      return { status: 200, body: { ok: true } };
    case 'GET /faults':
      return { status: 200, body: ctx.faults.list() };
    case 'PUT /faults':
    case 'POST /faults': {
      const body = await request.json();
      const rules = (Array.isArray(body) ? body : [body]) as FaultRule[];
      for (const rule of rules) {
        const problem = validateFaultRule(rule);
        if (problem) throw new HttpError(400, { error: problem, rule });
      }
      if (method === 'PUT') ctx.faults.set(rules);
      else for (const rule of rules) ctx.faults.add(rule);
      return { status: 200, body: ctx.faults.list() };
    }
    case 'DELETE /faults':
      ctx.faults.clear();
      return { status: 200, body: [] };
    default:
      throw new HttpError(404, { error: `No devserver route ${method} ${path}` });
  }
}
