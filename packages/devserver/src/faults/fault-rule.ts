/**
 * One fault to inject into the emulated backends (never into `/_devserver` or the viewer).
 * A rule with no `times`, `rate` or `durationMs` applies to every matching request until cleared.
 */
export interface FaultRule {
  /**
   * Which requests: `'*'`, `'mielto'`, `'melodi'`, a path (`'/api/v1/messages'`) or a method and path
   * (`'POST /api/v1/messages'`). Paths match exactly, ignoring the query string.
   */
  route: string;
  /** Answer with this status (500, 502, 503, 429, 413, ...) instead of running the route. */
  status?: number;
  /** Seconds for a `Retry-After` header (sent with any status; typical with 429 and 503). */
  retryAfter?: number;
  /** Response body for `status`; defaults to the backend's error shape. */
  body?: unknown;
  /** Delay before answering (or before failing, when combined with a fault). */
  latencyMs?: number;
  /** Never answer: the request hangs until the client gives up or the server closes. */
  hang?: boolean;
  /** Destroy the connection without answering. */
  drop?: boolean;
  /**
   * Run the route first (its data is stored), then lose the answer: `'drop'` destroys the connection
   * without answering, `'hang'` never answers. What a client sees when a proxy, a deploy or a timeout cuts
   * a request the backend did process.
   */
  after?: 'drop' | 'hang';
  /**
   * Run the route first, then answer its status with this text as the body, sent as is (not JSON-encoded):
   * a success whose body is broken (`'<html>…'`) or lacks a field (`'{"weird":true}'`).
   */
  replaceBody?: string;
  /** Apply to the next N matching requests only. */
  times?: number;
  /** Apply to this fraction (0..1) of matching requests, chosen by a seeded generator. */
  rate?: number;
  /** Apply for this long after the rule is set, then stop. */
  durationMs?: number;
}

export interface ActiveFault extends FaultRule {
  id: number;
  setAt: number;
  /** Requests this rule has affected so far. */
  hits: number;
}
