import { isAscii } from 'node:buffer';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleAdmin } from './admin/admin-routes.js';
import { type DevServerStats, devServerStats } from './admin/dev-server-stats.js';
import { RequestLog, type RequestLogEntry } from './admin/request-log.js';
import { authenticateMelodi, authenticateMielto } from './auth/authenticate.js';
import { type DevServerContext, freshCounters, resetDevServerContext } from './dev-server-context.js';
import { devServerUrl } from './dev-server-env.js';
import { type DevServerOptions, resolveDevServerOptions } from './dev-server-options.js';
import { FaultInjector } from './faults/fault-injector.js';
import type { ActiveFault, FaultRule } from './faults/fault-rule.js';
import { BodyBudget } from './http/body-budget.js';
import { hostPolicy, isAllowedHost } from './http/host-check.js';
import { HttpError } from './http/http-error.js';
import { misroutedHint } from './http/misrouted-hint.js';
import { parseJson } from './http/parse-json.js';
import {
  BodyBudgetExceededError,
  type BodyReservation,
  BodyTooLargeError,
  readBody,
} from './http/read-body.js';
import type { Principal, RouteHandler, RouteRequest } from './http/route.js';
import { createFeedback } from './melodi/feedback-routes.js';
import { upsertThread } from './melodi/thread-routes.js';
import { createChatCompletion } from './mielto/chat-completion-routes.js';
import { createConversation, listConversations } from './mielto/conversation-routes.js';
import { createMessages } from './mielto/message-routes.js';
import { DevStore } from './store/dev-store.js';

export interface DevServer {
  /** `http://host:port` — the viewer lives here. */
  url: string;
  /** Base URL for Mielto clients: `${url}/api/v1`. */
  mieltoBaseUrl: string;
  /** Base URL for Melodi clients: `${url}/api/external`. */
  melodiBaseUrl: string;
  port: number;
  /** Replaces all faults. */
  setFaults(rules: FaultRule[]): void;
  addFault(rule: FaultRule): ActiveFault;
  clearFaults(): void;
  /** Forgets all data, the request log and the faults. */
  reset(): void;
  stats(): DevServerStats;
  requests(limit?: number): RequestLogEntry[];
  /** Stops listening, ends open connections (including hung ones) and saves persisted data. */
  close(): Promise<void>;
}

type Backend = 'mielto' | 'melodi';

const ROUTES: Record<string, { backend: Backend; handler: RouteHandler }> = {
  'POST /api/v1/conversations': { backend: 'mielto', handler: createConversation },
  'GET /api/v1/conversations': { backend: 'mielto', handler: listConversations },
  'POST /api/v1/messages': { backend: 'mielto', handler: createMessages },
  'POST /api/v1/chat/completions': { backend: 'mielto', handler: createChatCompletion },
  'PUT /api/external/threads': { backend: 'melodi', handler: upsertThread },
  'POST /api/external/feedback': { backend: 'melodi', handler: createFeedback },
};

const ROUTE_KEYS = Object.keys(ROUTES);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The error body each backend uses, so clients parse emulator errors like real ones. */
const errorBody = (backend: Backend | 'devserver', message: string) =>
  backend === 'mielto' ? { detail: message } : { error: message };

const STATUS_TEXT: Record<number, string> = {
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function isJsonContentType(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  return typeof type === 'string' && /^application\/([\w.+-]*\+)?json\b/i.test(type.trim());
}

const PREVIEW_CHARS = 2048;

/**
 * The first 2 KB of a body for the request log, as a string of its own. A plain `slice` would be a view
 * that keeps the whole body alive for as long as the log holds the entry (500 entries of bodies up to
 * `maxBodyBytes`). When the first 2,048 bytes are ASCII they are those characters and are copied straight
 * from the bytes; otherwise a JSON round trip copies the characters exactly, lone surrogates included.
 */
function bodyPreview(text: string, raw: Buffer): string {
  if (text.length <= PREVIEW_CHARS) return text;
  const head = raw.subarray(0, PREVIEW_CHARS);
  const copy = isAscii(head)
    ? head.toString('latin1')
    : JSON.parse(JSON.stringify(text.slice(0, PREVIEW_CHARS)));
  return `${copy}…`;
}

/**
 * Starts one HTTP server that serves Mielto on `/api/v1/...`, Melodi on `/api/external/...`, its own
 * read-back API on `/_devserver/...` and the viewer on `/`.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const resolved = resolveDevServerOptions(options);
  const ctx: DevServerContext = {
    options: resolved,
    store: new DevStore(resolved.persistPath),
    faults: new FaultInjector(resolved.faultSeed),
    log: new RequestLog(resolved.requestLogSize),
    counters: freshCounters(),
    bodyBudget: new BodyBudget(resolved.maxInFlightBodyBytes),
    hostPolicy: hostPolicy(resolved.host, resolved.allowedHosts),
  };
  for (const rule of resolved.faults ?? []) ctx.faults.add(rule);

  const sockets = new Set<Socket>();
  // Idle keep-alive connections outlive every client's own idle timeout (undici's 4 s by default, undiciTransport's
  // 30 s), so a client always drops an idle connection first. With Node's default of 5 s, a client whose
  // timers ran late on a loaded machine could send a POST on a connection the server was closing: "other
  // side closed", and undici does not retry a POST. Load balancers use 60 s or more for the same reason.
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res, ctx).catch((err) => {
      // Last line of defence: the emulator must keep serving whatever a request did.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ detail: `devserver error: ${(err as Error).message}` }));
      } else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = devServerUrl(resolved.host, port);

  let closing: Promise<void> | undefined;
  return {
    url,
    mieltoBaseUrl: `${url}/api/v1`,
    melodiBaseUrl: `${url}/api/external`,
    port,
    setFaults: (rules) => ctx.faults.set(rules),
    addFault: (rule) => ctx.faults.add(rule),
    clearFaults: () => ctx.faults.clear(),
    reset: () => resetDevServerContext(ctx),
    stats: () => devServerStats(ctx),
    requests: (limit) => ctx.log.recent(limit),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hung requests (fault `hang`) and idle keep-alive sockets would hold close() forever.
        for (const socket of sockets) socket.destroy();
      }).then(() => ctx.store.save());
      return closing;
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: DevServerContext): Promise<void> {
  const started = performance.now();
  const method = req.method ?? 'GET';
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  let query: URLSearchParams | undefined; // parsed on first use: most routes read no query
  const routeKey = `${method} ${path}`;
  const route = Object.hasOwn(ROUTES, routeKey) ? ROUTES[routeKey] : undefined;
  const backend: Backend | 'devserver' =
    route?.backend ??
    (path.startsWith('/api/external/') ? 'melodi' : path.startsWith('/api/') ? 'mielto' : 'devserver');

  const entry: Omit<RequestLogEntry, 'seq'> = {
    at: new Date().toISOString(),
    method,
    path,
    backend,
    status: 0,
    durationMs: 0,
    requestBytes: 0,
    auth: 'none',
  };
  let bodyText: string | undefined;
  let bodyBytes: Buffer | undefined;
  // Body bytes this request holds of the shared budget, given back when its handling ends.
  const reservation: BodyReservation = { bytes: 0 };
  const principal: Principal = { workspaceId: '', ownerId: '', organizationId: 0 };

  const request: RouteRequest = {
    req,
    res,
    method,
    path,
    get query() {
      query ??= new URLSearchParams(q === -1 ? '' : rawUrl.slice(q + 1));
      return query;
    },
    principal,
    note: (text) => {
      entry.note = entry.note ? `${entry.note}; ${text}` : text;
    },
    setUserId: (id) => {
      entry.userId = id;
    },
    json: async () => {
      let raw: Buffer;
      try {
        raw = await readBody(req, ctx.options.maxBodyBytes, ctx.bodyBudget, reservation);
      } catch (err) {
        if (err instanceof BodyBudgetExceededError) {
          // Like a real server's overload answer: the client's retry with backoff gets through shortly.
          throw new HttpError(
            503,
            errorBody(backend, `Server busy: ${err.limit} bytes of request bodies in flight, retry shortly`),
            { 'retry-after': '1', connection: 'close' },
          );
        }
        if (err instanceof BodyTooLargeError) {
          throw new HttpError(413, errorBody(backend, `Request body larger than ${err.limit} bytes`), {
            connection: 'close',
          });
        }
        throw err;
      }
      entry.requestBytes = raw.length;
      ctx.counters.bytesIn += raw.length;
      bodyText = raw.toString('utf8');
      bodyBytes = raw;
      if (!isJsonContentType(req)) {
        // FastAPI does not parse a body that is not declared JSON, so validation sees no object.
        throw backend === 'mielto'
          ? new HttpError(422, {
              detail: [
                {
                  type: 'model_attributes_type',
                  loc: ['body'],
                  msg: 'Input should be a valid dictionary or object to extract fields from',
                  input: bodyText.slice(0, 200),
                },
              ],
            })
          : new HttpError(415, errorBody(backend, 'Content-Type must be application/json'));
      }
      const parsed = parseJson(bodyText, ctx.options.maxJsonDepth);
      if (parsed.ok) return parsed.value;
      if (backend === 'mielto') {
        const detail =
          parsed.reason === 'too-deep'
            ? [{ type: 'json_invalid', loc: ['body'], msg: parsed.message }]
            : [
                {
                  type: 'json_invalid',
                  loc: ['body', parsed.position ?? 0],
                  msg: 'JSON decode error',
                  ctx: { error: 'Expecting value' },
                },
              ];
        throw new HttpError(422, { detail });
      }
      throw new HttpError(
        400,
        errorBody(backend, parsed.reason === 'too-deep' ? parsed.message : 'Invalid JSON body'),
      );
    },
  };

  const finish = (status: number) => {
    entry.status = status;
    entry.durationMs = Math.round((performance.now() - started) * 100) / 100;
    if (bodyText !== undefined && bodyBytes !== undefined)
      entry.bodyPreview = bodyPreview(bodyText, bodyBytes);
    if (backend !== 'devserver') {
      ctx.counters.requests++;
      ctx.counters.byRoute[routeKey] = (ctx.counters.byRoute[routeKey] ?? 0) + 1;
      ctx.counters.byStatus[status] = (ctx.counters.byStatus[status] ?? 0) + 1;
      ctx.log.add(entry);
      ctx.options.onRequestLogged?.(
        `${method} ${path} ${status} ${entry.durationMs}ms${entry.fault ? ` [fault: ${entry.fault}]` : ''}`,
      );
    }
  };

  const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };

  try {
    const host = req.headers.host;
    if (!isAllowedHost(host, ctx.hostPolicy)) {
      ctx.counters.refused.host++;
      req.resume();
      send(
        403,
        errorBody(
          backend,
          `Host ${JSON.stringify(host)} is not allowed: the devserver answers only loopback names and addresses ` +
            '(localhost, *.localhost, 127.0.0.0/8, [::1]) and the host it is bound to, so a web page cannot reach ' +
            'it through DNS rebinding. Allow more with the allowedHosts option or --allowed-host <name>.',
        ),
        { connection: 'close' },
      );
      finish(403);
      return;
    }
    if (backend === 'devserver' || !route) {
      // A backend path without its prefix (or with the wrong one) gets told what to set, not a bare 404.
      const hint = misroutedHint(method, path, ROUTE_KEYS, `http://${req.headers.host ?? 'localhost'}`);
      if (hint) {
        req.resume();
        // Requests outside the backends are not logged; a client that missed its base URL should be.
        if (backend === 'devserver') ctx.options.onRequestLogged?.(`${method} ${path} 404 (${hint.message})`);
        throw new HttpError(404, errorBody(hint.backend, hint.message));
      }
    }
    if (backend === 'devserver') {
      const result = await handleAdmin(request, ctx);
      if (result) send(result.status, result.body, result.headers);
      return;
    }
    const decision = ctx.faults.decide(method, path);
    if (decision.kind !== 'none')
      entry.fault = decision.kind === 'status' ? `status ${decision.rule.status}` : decision.kind;
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.kind === 'drop') {
      req.socket.destroy();
      finish(0);
      return;
    }
    if (decision.kind === 'hang') {
      // Answer nothing; the socket is destroyed when the client gives up or the server closes.
      res.once('close', () => finish(0));
      return;
    }
    if (decision.kind === 'status') {
      const { rule } = decision;
      const status = rule.status!;
      const headers: Record<string, string> = {};
      if (rule.retryAfter !== undefined) headers['retry-after'] = String(rule.retryAfter);
      // Drain the body so the connection can be reused, as a real server's error path would.
      req.resume();
      send(
        status,
        rule.body ?? errorBody(backend, `${STATUS_TEXT[status] ?? `HTTP ${status}`} (injected fault)`),
        headers,
      );
      finish(status);
      return;
    }
    if (!route) {
      req.resume();
      const known = Object.keys(ROUTES).some((k) => k.endsWith(` ${path}`));
      throw new HttpError(known ? 405 : 404, errorBody(backend, known ? 'Method Not Allowed' : 'Not Found'));
    }
    const auth =
      backend === 'mielto'
        ? authenticateMielto(req, ctx.options.apiKeys?.mielto)
        : authenticateMelodi(req, ctx.options.apiKeys?.melodi);
    Object.assign(principal, auth.principal);
    entry.auth = auth.style;
    if (backend === 'mielto') entry.workspaceId = principal.workspaceId;
    const result = await route.handler(request, ctx);
    if (
      decision.kind === 'after-drop' ||
      decision.kind === 'after-hang' ||
      decision.kind === 'replace-body'
    ) {
      loseAnswer(decision.kind, decision.rule.replaceBody ?? '', result?.status ?? 200, req, res, finish);
      return;
    }
    if (result) send(result.status, result.body, result.headers);
    finish(result?.status ?? res.statusCode);
  } catch (err) {
    if (err instanceof HttpError) {
      req.resume();
      send(err.status, err.body, err.headers);
      finish(err.status);
      return;
    }
    entry.note = `internal error: ${(err as Error).message}`;
    send(500, errorBody(backend, 'Internal Server Error'));
    finish(500);
  } finally {
    ctx.bodyBudget.release(reservation.bytes);
    reservation.bytes = 0;
  }
}

/**
 * The faults that run the route first: the data is stored, and then the answer is lost (the connection
 * destroyed, or never answered) or broken (the route's status with a body that is not what it sent).
 */
function loseAnswer(
  kind: 'after-drop' | 'after-hang' | 'replace-body',
  text: string,
  status: number,
  req: IncomingMessage,
  res: ServerResponse,
  finish: (status: number) => void,
): void {
  if (kind === 'after-drop') {
    req.socket.destroy();
    finish(0);
  } else if (kind === 'after-hang') {
    // The socket is destroyed when the client gives up or the server closes.
    res.once('close', () => finish(0));
  } else {
    if (!res.headersSent && !res.destroyed) {
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    }
    finish(status);
  }
}
