import type { JsonValue, TurnMessage, TurnUsage, TurnUser } from '@chattrail/core';
import type { SseEvent } from './sse/sse-parser';

/** A message as an extractor describes it; `id` is derived with `turnMessageId` when absent. */
export type MessageInput = Omit<TurnMessage, 'id'> & { id?: string };

/** What a request says about the turn. Returned by `extract.request`. */
export interface ExtractedRequest {
  /** The conversation as the model will see it (the history, including the new user message). */
  messages: MessageInput[];
  threadId?: string;
  /** A user id or a full user. */
  user?: string | TurnUser;
  model?: string;
  metadata?: Record<string, JsonValue>;
}

/** What a response says about the turn. Returned by `extract.response` / `extract.streamEvent`. */
export interface ExtractedResponse {
  /** Text of the answer. From `streamEvent` it is appended to the text gathered so far. */
  content?: string;
  /** Tool calls the answer makes. From `streamEvent` they are added to those gathered so far. */
  toolCalls?: { id: string; name: string; args: JsonValue }[];
  /**
   * Replaces the whole answer (assistant and tool messages, in order) when the shape is richer than one
   * message. Only read from `extract.response`.
   */
  messages?: MessageInput[];
  usage?: TurnUsage;
  model?: string;
  /** Marks the turn as failed even though the HTTP status was 2xx. */
  error?: { name?: string; message: string };
  metadata?: Record<string, JsonValue>;
}

/** The response as the middleware saw it, for `extract.response` / `extract.streamEvent`. */
export interface ResponseInfo {
  status: number;
  /** The `content-type` header, lower-cased, without parameters. */
  contentType: string | undefined;
  header(name: string): string | undefined;
}

/**
 * Teaches the middleware a request/response shape it does not know. Each function wins over the built-in
 * detection when it returns a value; returning `undefined` falls back to detection.
 */
export interface ChatTrailExtract<Req> {
  /**
   * Request → conversation. `body` is what a body parser put on `req.body`, else the raw JSON body the
   * middleware read alongside the app. Return `null` to say "not a chat request" (nothing is recorded).
   */
  request?: (req: Req, body: unknown) => ExtractedRequest | null | undefined;
  /** A non-streamed response: `body` is the parsed JSON, or the text for other content types. */
  response?: (body: unknown, info: ResponseInfo) => ExtractedResponse | undefined;
  /**
   * A `text/event-stream` response, one event at a time, in order. Return a string to append to the
   * answer, an {@link ExtractedResponse} to add to it, or `undefined` to ignore the event.
   */
  streamEvent?: (event: SseEvent, info: ResponseInfo) => ExtractedResponse | string | undefined;
}
