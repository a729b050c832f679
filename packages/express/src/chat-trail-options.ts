import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonValue, TurnMessagesMode, TurnRecorder, TurnUser } from '@chattrail/core';
import type { ChatTrailExtract } from './extract';

/**
 * The request as the middleware sees it: Node's, plus what earlier middleware may have put on it. `body`
 * is `any` as in Express's own types, so mounting the middleware does not narrow `req.body` in the
 * handlers that follow it. `user`, `auth`, `session` (auth middleware: passport, express-jwt,
 * express-session…) and any other property are `any` too, so `user: (req) => req.user?.id` compiles as
 * written; `chatTrail<Request>(…)` types the option functions on Express's own `Request` instead.
 */
export type ChatRequest = IncomingMessage & {
  body?: any;
  user?: any;
  auth?: any;
  session?: any;
  [key: string]: any;
};

/** A value given as is, or computed from the request. */
export type FromRequest<T, Req> = T | ((req: Req) => T | undefined);

export interface ChatTrailOptions<Req extends IncomingMessage = ChatRequest> {
  /** Where turns go: a trail from `createChatTrail`, or any `{ record(turn) }`. */
  trail: TurnRecorder;
  /** The conversation id. Wins over everything the request says. */
  threadId?: FromRequest<string, Req>;
  /** The user, as an id or a full `TurnUser`. Wins over everything the request says. */
  user?: FromRequest<string | TurnUser, Req>;
  /** Added to every turn's metadata (and to the context adapters inside the route see). */
  metadata?: FromRequest<Record<string, JsonValue>, Req>;
  /**
   * `'new'` when clients send only the new message and the server keeps the history: a repeated text is
   * then a new message. Applies to this middleware's turns and, through the context, to the turns other
   * adapters record inside the route. Default: the trail's `turnMessages`.
   */
  turnMessages?: TurnMessagesMode;
  /** Request headers to read the thread and user from when nothing better names them. */
  headers?: { threadId?: string; userId?: string };
  /** Describes request/response shapes the built-in detection does not know; wins over it. */
  extract?: ChatTrailExtract<Req>;
  /**
   * Most bytes read from one body (a raw request body, a buffered JSON response, one SSE event, the
   * assembled answer). Larger bodies are not parsed; longer answers are cut. Default 1 MiB.
   */
  maxBodyBytes?: number;
  /** `false` records roles, tool names, usage, timing and status, but no text, arguments or outputs. */
  captureContent?: boolean;
  /** Called when capturing fails (the request itself is never affected). Default: a console warning. */
  onError?: (error: unknown) => void;
}

/**
 * The middleware: an Express (4 or 5) / Connect `(req, res, next)` function. Typed on Node's own request
 * and response so it fits `app.use`, `router.post` and plain `http` servers alike.
 */
export type ChatTrailMiddleware<Req extends IncomingMessage = ChatRequest> = (
  req: Req,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
