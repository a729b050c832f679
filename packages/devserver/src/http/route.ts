import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DevServerContext } from '../dev-server-context.js';

/** What a route handler sees of one request. */
export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  /** The parsed JSON body; throws an HttpError in the backend's own error shape when it is not JSON. */
  json(): Promise<unknown>;
  /** The caller's identity, once the backend's auth check passed. */
  principal: Principal;
  /** Adds a remark to this request's log entry (e.g. a leniency the real service may not have). */
  note(text: string): void;
  /** Records a user id for the request log and stats (x-user-id on completions). */
  setUserId(id: string): void;
}

export interface Principal {
  workspaceId: string;
  ownerId: string;
  organizationId: number;
}

/** A JSON answer, or `undefined` when the handler wrote the response itself (streams). */
export type RouteResult = { status: number; body: unknown; headers?: Record<string, string> } | undefined;

export type RouteHandler = (
  request: RouteRequest,
  ctx: DevServerContext,
) => Promise<RouteResult> | RouteResult;
