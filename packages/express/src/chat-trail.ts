import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ChatTrailContext,
  getChatTrailContext,
  type JsonValue,
  type TurnSource,
  type TurnStatus,
  type TurnUser,
  withChatTrail,
} from '@chattrail/core';
import { beginCapture } from '@chattrail/core/adapter';
import { type BodyPlan, type ReadBody, ResponseBody } from './capture/response-body';
import { isJsonContentType, RequestBodyTap } from './capture/tap-request-body';
import { tapResponse } from './capture/tap-response';
import {
  type ChatRequest,
  type ChatTrailMiddleware,
  type ChatTrailOptions,
  DEFAULT_MAX_BODY_BYTES,
} from './chat-trail-options';
import type { ResponseInfo } from './extract';
import type { CapturedAnswer, StreamAssembler } from './formats/captured-answer';
import { CustomStreamAssembler, fromExtractedRequest, fromExtractedResponse } from './formats/custom-extract';
import { createStreamAssembler, detectRequestFormat, readJsonAnswer, readRequest } from './formats/detect';
import { isRecord, parseJson, stringOf } from './formats/json-value';
import type { RecognisedRequest } from './formats/recognised-request';
import { bodyIdentity } from './identity/body-identity';
import { deriveThreadId, headerValue, optionValue, toUser } from './identity/resolve-identity';
import { ResponseChains } from './identity/response-chains';
import { createErrorReporter } from './report-error';
import { buildTurn } from './turn/build-turn';

/** Marks a request already captured, so a second `chatTrail` on the same path records nothing more. */
const CAPTURED = Symbol.for('@chattrail/express/captured');
const SKIP: BodyPlan = { mode: 'skip' };
const PENDING = Symbol('pending');

/**
 * What the first response byte tells: the request's format, and its body. Detecting is cheap and runs
 * then (it decides what to read); converting the messages waits until the response is over, off the
 * response's path.
 */
interface Recognition {
  format: RecognisedRequest['format'];
  body: unknown;
  /** Already converted (an `extract.request` result). */
  request?: RecognisedRequest;
}

/** The answer plus what only the middleware knows: the HTTP error text and the time to first token. */
type Answer = CapturedAnswer & { httpError?: string; ttft?: number };

interface Config<Req extends IncomingMessage> {
  options: ChatTrailOptions<Req>;
  maxBodyBytes: number;
  captureContent: boolean;
  report: (error: unknown) => void;
  chains: ResponseChains;
}

/**
 * Express middleware that records one chat turn per request/response on the routes it is mounted on,
 * without any code in the route: the conversation from the request body, the answer from the response
 * as it is written (JSON, or server-sent events parsed on the fly), usage, timing and status.
 *
 * It also runs the rest of the request inside `withChatTrail({ threadId, user, metadata })`, so the
 * AI SDK middleware or the LangChain handler used in the route pick up the same identity; if one of
 * them records the turn itself, this middleware does not record it again (recorded once).
 *
 * @example
 * app.post('/api/chat', express.json(), chatTrail({ trail }), handler);
 */
export function chatTrail<Req extends IncomingMessage = ChatRequest>(
  options: ChatTrailOptions<Req>,
): ChatTrailMiddleware<Req> {
  if (options === null || typeof options !== 'object' || typeof options.trail?.record !== 'function') {
    throw new TypeError(
      'chatTrail({ trail }): `trail` must be a trail or an object with a record(turn) method',
    );
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // A setup mistake throws here, when the app is wired, naming the value; nothing is replaced silently.
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new TypeError(
      `chatTrail({ trail }): maxBodyBytes must be a positive integer, got ${typeof maxBodyBytes === 'string' ? JSON.stringify(maxBodyBytes) : String(maxBodyBytes)}`,
    );
  }
  const config: Config<Req> = {
    options,
    maxBodyBytes,
    captureContent: options.captureContent !== false,
    report: createErrorReporter(options.onError),
    chains: new ResponseChains(),
  };

  // Synchronous on purpose: no promise for Express 4 to lose, and nothing awaited before the route.
  return function chatTrailMiddleware(req: Req, res: ServerResponse, next: (error?: unknown) => void): void {
    let capture: RequestCapture<Req> | undefined;
    try {
      const marked = req as unknown as Record<symbol, unknown>;
      if (marked[CAPTURED] !== true) {
        marked[CAPTURED] = true;
        capture = new RequestCapture(config, req, res);
      }
    } catch (error) {
      config.report(error);
    }
    if (capture === undefined) {
      next();
      return;
    }
    let entered = false;
    try {
      withChatTrail(capture.context, () => {
        entered = true;
        next();
      });
    } catch (error) {
      // An error thrown by the app's own code goes where it would have gone without us.
      if (entered) throw error;
      config.report(error);
      next();
    }
  };
}

/** The capture of one request/response. */
class RequestCapture<Req extends IncomingMessage> {
  readonly context: ChatTrailContext;
  private readonly sources: TurnSource[] = [];
  private readonly startedAt = Date.now();
  private readonly startedAtMs = performance.now();
  private readonly outer = getChatTrailContext();
  private readonly body: ResponseBody;
  private readonly requestTap: RequestBodyTap | undefined;
  private readonly optionThreadId: string | undefined;
  private readonly optionUser: TurnUser | undefined;
  private readonly optionMetadata: Record<string, JsonValue> | undefined;
  /** `undefined` until decided; `null` when the request is not a chat turn. */
  private recognition: Recognition | null | undefined;
  private ended = false;
  private mediaType: string | undefined | null = null;
  /**
   * Ends this capture's registration with the trail, which makes `flush()` wait for its turn: the turn is
   * recorded after 'close', when the client may have read the whole answer already. `null` once ended.
   */
  private endCapture: (() => void) | null | undefined;

  constructor(
    private readonly config: Config<Req>,
    private readonly req: Req,
    private readonly res: ServerResponse,
  ) {
    const { options } = config;
    // Option functions may read what a body parser mounted later has not produced yet: a failure here
    // is retried, and only then reported, when the turn is recorded.
    this.optionThreadId = optionValue(options.threadId, req);
    this.optionUser = toUser(optionValue(options.user, req));
    this.optionMetadata = optionValue(options.metadata, req);

    this.requestTap = RequestBodyTap.install(req, config.maxBodyBytes);
    this.body = new ResponseBody(
      res,
      config.maxBodyBytes,
      () => this.plan(),
      config.report,
      () => this.holdTrail(),
    );
    tapResponse(res, this.body);
    // Node emits 'close' on every response: after 'finish' when it completed (next tick), or when the
    // connection went first. Whether it finished tells an abort apart. (What on-finished does, minus
    // the dependency.)
    res.on('close', () => this.end(!res.writableFinished));
    this.context = this.openContext();
  }

  /** The context the route runs in: identity known now, and where adapters say they recorded. */
  private openContext(): ChatTrailContext {
    const { options } = this.config;
    const body = (this.req as { body?: unknown }).body;
    const fromBody = body === undefined ? undefined : bodyIdentity(body);
    const context: ChatTrailContext & { capture: { sources: TurnSource[] } } = {
      capture: { sources: this.sources },
    };
    const threadId =
      this.optionThreadId ??
      this.outer?.threadId ??
      fromBody?.threadId ??
      headerValue(this.req, options.headers?.threadId);
    if (threadId !== undefined) context.threadId = threadId;
    const user =
      this.optionUser ??
      this.outer?.user ??
      fromBody?.user ??
      toUser(headerValue(this.req, options.headers?.userId));
    if (user !== undefined) context.user = user;
    if (this.optionMetadata !== undefined) context.metadata = this.optionMetadata;
    if (options.turnMessages !== undefined) context.turnMessages = options.turnMessages;
    return context;
  }

  /** From the response's head on (or its end, when it closed before one): no byte waits for this. */
  private holdTrail(): void {
    if (this.endCapture === undefined && this.recognition !== null)
      this.endCapture = beginCapture(this.config.options.trail);
  }

  private releaseTrail(): void {
    this.endCapture?.();
    this.endCapture = null;
  }

  /** Decided when the first body byte is written: the route has parsed its body and set its headers. */
  private plan(): BodyPlan {
    const recognition = this.recognise();
    if (recognition === null) {
      this.releaseTrail();
      return SKIP;
    }
    const type = this.contentType();
    if (type === 'text/event-stream') return { mode: 'sse', assembler: this.streamAssembler(recognition) };
    if (type === undefined || isJsonContentType(type) || type.startsWith('text/')) return { mode: 'buffer' };
    return SKIP;
  }

  private streamAssembler(recognition: Recognition | typeof PENDING): StreamAssembler {
    const { extract } = this.config.options;
    const uiStream = this.body.header('x-vercel-ai-ui-message-stream') !== undefined;
    const kind = uiStream
      ? 'ai-sdk-ui'
      : recognition !== PENDING && recognition.format !== 'custom'
        ? recognition.format
        : undefined;
    const builtIn = createStreamAssembler(kind, this.config.maxBodyBytes);
    const streamEvent = extract?.streamEvent;
    if (streamEvent === undefined) return builtIn;
    return new CustomStreamAssembler(
      (event, info) => {
        try {
          return streamEvent(event, info);
        } catch (error) {
          this.config.report(error);
          return undefined;
        }
      },
      () => this.responseInfo(),
      builtIn,
      this.config.maxBodyBytes,
    );
  }

  /** Whether (and as what) the request is a chat turn; `PENDING` while a raw body is still arriving. */
  private recognise(): Recognition | null | typeof PENDING {
    if (this.recognition !== undefined) return this.recognition;
    const body = this.requestBody();
    if (body === PENDING) return PENDING;
    this.recognition = this.classify(body);
    return this.recognition;
  }

  private classify(body: unknown): Recognition | null {
    const extractRequest = this.config.options.extract?.request;
    if (extractRequest !== undefined) {
      try {
        const extracted = extractRequest(this.req, body);
        if (extracted === null) return null;
        if (extracted !== undefined)
          return { format: 'custom', body, request: fromExtractedRequest(extracted) };
      } catch (error) {
        this.config.report(error);
      }
    }
    const format = detectRequestFormat(body);
    return format === undefined ? null : { format, body: snapshot(body) };
  }

  /** What a body parser put on `req.body`, else the raw body read alongside the app. */
  private requestBody(): unknown {
    const parsed = (this.req as { body?: unknown }).body;
    const tapped = this.requestTap;
    // Express 4 sets `req.body = {}` when its parser skipped the request: the tap knows better.
    const emptyFromParser = isRecord(parsed) && tapped !== undefined && Object.keys(parsed).length === 0;
    if (parsed !== undefined && !emptyFromParser) {
      if (typeof parsed === 'string') return parseJson(parsed) ?? parsed;
      if (parsed instanceof Uint8Array) return parseJson(Buffer.from(parsed).toString('utf8'));
      return parsed;
    }
    if (tapped === undefined) return parsed;
    if (tapped.pending()) return PENDING;
    const bytes = tapped.body();
    return bytes === undefined ? parsed : parseJson(bytes.toString('utf8'));
  }

  /** The response's media type, lower-cased; read once the body starts (headers are final then). */
  private contentType(): string | undefined {
    if (this.mediaType !== null) return this.mediaType;
    const value = this.body.header('content-type');
    const type = value === undefined ? undefined : value.split(';', 1)[0]!.trim().toLowerCase();
    if (this.res.headersSent) this.mediaType = type;
    return type;
  }

  private responseInfo(): ResponseInfo {
    return {
      status: this.res.statusCode,
      contentType: this.contentType(),
      header: (name) => this.body.header(name),
    };
  }

  /** The response is over (`close` after `finish`), or the connection closed first (`aborted`). */
  private end(aborted: boolean): void {
    if (this.ended) return;
    this.ended = true;
    if (this.recognition === null) {
      this.releaseTrail();
      return; // not a chat request: nothing more to do
    }
    this.holdTrail();
    const endedAt = Date.now();
    // One macrotask later: an adapter inside the route that records on the same event gets to say so
    // first (recorded once), and no work is done on the response's own 'finish' tick.
    setImmediate(() => {
      this.complete(aborted, endedAt)
        .catch(this.config.report)
        .finally(() => this.releaseTrail());
    });
  }

  private async complete(aborted: boolean, endedAt: number): Promise<void> {
    if (this.recognise() === PENDING) this.recognition = null;
    const recognition = this.recognition;
    if (recognition === null || recognition === undefined || this.recordedInside()) return;
    const request = recognition.request ?? readRequest(recognition.body, recognition.format);
    if (request === undefined) return;
    const pending = this.body.finish();
    const read = pending instanceof Promise ? await pending : pending;
    const answer = this.answer(request, read);
    if (answer === null) return;
    if (this.recordedInside()) return; // (checked again: decoding a compressed body took a while)
    this.record(request, answer, aborted, endedAt);
  }

  /** Recorded once: an adapter inside the route (AI SDK, LangChain) recorded this turn already. */
  private recordedInside(): boolean {
    return this.sources.some((source) => source !== 'express');
  }

  /** The answer from the response; `null` when the response shows this was not a chat turn after all. */
  private answer(request: RecognisedRequest, read: ReadBody): Answer | null {
    const status = this.res.statusCode;
    let answer: Answer | undefined;
    if (read.assembler !== undefined) {
      answer = read.assembler.finish();
      const first = read.assembler.firstTokenAt;
      if (first !== undefined) answer.ttft = first - this.startedAtMs;
    } else {
      const type = this.contentType();
      let value: unknown;
      let has = false;
      if (read.json !== undefined) {
        value = read.json.value;
        has = true;
      } else if (read.bytes !== undefined && read.bytes.length > 0 && !read.undecodable) {
        const text = read.bytes.toString('utf8');
        if (type === undefined || isJsonContentType(type)) {
          value = read.truncated ? undefined : parseJson(text);
          has = value !== undefined;
          if (!has && type === undefined) {
            value = text;
            has = true;
          }
        } else {
          value = text;
          has = true;
        }
      }
      const extractResponse = this.config.options.extract?.response;
      if (extractResponse !== undefined && has) {
        try {
          const extracted = extractResponse(value, this.responseInfo());
          if (extracted !== undefined && extracted !== null) {
            answer = fromExtractedResponse(extracted, this.config.maxBodyBytes);
          }
        } catch (error) {
          this.config.report(error);
        }
      }
      if (answer === undefined && has) {
        // A Responses-looking request (`input`) answered by another OpenAI object (an embedding list,
        // a moderation) was not a chat turn.
        if (
          request.format === 'openai-responses' &&
          status < 400 &&
          isRecord(value) &&
          typeof value.object === 'string' &&
          value.object !== 'response'
        ) {
          return null;
        }
        answer = readJsonAnswer(value);
        // The AI SDK text stream protocol (and any plain-text answer to a recognised chat request).
        if (
          answer === undefined &&
          typeof value === 'string' &&
          status < 400 &&
          type?.startsWith('text/plain')
        ) {
          answer = { messages: value === '' ? [] : [{ role: 'assistant', content: value }] };
        }
      }
      answer ??= { messages: [] };
      // The message of a JSON or plain-text error body; never an HTML page (Express's error handler
      // renders the stack trace into one in development).
      if (status >= 400 && (type === undefined || isJsonContentType(type) || type === 'text/plain')) {
        answer.httpError = errorMessageOf(value);
      }
    }
    if (read.truncated) answer.truncated = true;
    return answer;
  }

  private record(request: RecognisedRequest, answer: Answer, aborted: boolean, endedAt: number): void {
    const { options, chains } = this.config;
    const report = this.config.report;
    const user =
      this.optionUser ??
      toUser(optionValue(options.user, this.req, report)) ??
      this.outer?.user ??
      request.user ??
      toUser(headerValue(this.req, options.headers?.userId));

    // Thread: the option, the ambient context, the body, a header; else derived from the conversation.
    let threadId =
      this.optionThreadId ??
      optionValue(options.threadId, this.req, report) ??
      this.outer?.threadId ??
      request.threadId;
    let firstPosition = 0;
    let scopeSuffix: string | undefined;
    const serverState = request.previousResponseId !== undefined || request.conversationId !== undefined;
    if (serverState) {
      // Responses API with server-side state: only new items were sent; continue the known chain.
      const known =
        (request.previousResponseId !== undefined
          ? chains.get(`resp:${request.previousResponseId}`)
          : undefined) ??
        (request.conversationId !== undefined ? chains.get(`conv:${request.conversationId}`) : undefined);
      if (known !== undefined) {
        threadId ??= known.threadId;
        firstPosition = known.nextPosition;
      } else {
        threadId ??= request.conversationId ?? request.previousResponseId;
        // Positions are unknown (another process, a restart): scope the ids to this response so they can
        // never collide with messages of earlier turns of the thread.
        scopeSuffix = answer.responseId ?? randomUUID();
      }
    }
    threadId ??=
      headerValue(this.req, options.headers?.threadId) ??
      deriveThreadId(user?.id, request.messages) ??
      `thread_${randomUUID()}`;

    const messages = [...request.messages, ...answer.messages];
    if (request.format === 'openai-responses') {
      const entry = { threadId, nextPosition: firstPosition + messages.length };
      if (answer.responseId !== undefined) chains.set(`resp:${answer.responseId}`, entry);
      if (request.conversationId !== undefined) chains.set(`conv:${request.conversationId}`, entry);
    }

    const httpStatus = this.res.statusCode;
    let status: TurnStatus = 'ok';
    let error: { name: string; message: string } | undefined;
    if (aborted || answer.aborted) status = 'aborted';
    else if (httpStatus >= 400) {
      status = 'error';
      error = {
        name: 'HTTPError',
        message: answer.httpError !== undefined ? `${httpStatus}: ${answer.httpError}` : `HTTP ${httpStatus}`,
      };
    } else if (answer.error !== undefined) {
      status = 'error';
      error = answer.error;
    }

    const metadata: Record<string, JsonValue> = {
      ...this.outer?.metadata,
      ...(this.optionMetadata ?? optionValue(options.metadata, this.req, report)),
      ...request.metadata,
      ...answer.metadata,
      chatFormat: request.format,
      httpStatus,
      httpPath: pathOf(this.req),
    };
    if (answer.truncated) metadata.captureTruncated = true;

    const turn = buildTurn({
      threadId,
      idScope: scopeSuffix === undefined ? threadId : `${threadId}\u001f${scopeSuffix}`,
      firstPosition,
      user,
      messages,
      model: answer.model ?? request.model,
      usage: answer.usage,
      startedAt: this.startedAt,
      endedAt,
      timeToFirstTokenMs: answer.ttft === undefined ? undefined : Math.max(0, Math.round(answer.ttft)),
      status,
      error,
      metadata,
      captureContent: this.config.captureContent,
    });
    if (options.turnMessages !== undefined) turn.turnMessages = options.turnMessages;
    try {
      options.trail.record(turn);
    } catch (recordError) {
      report(recordError);
    }
  }
}

/**
 * The body as it is when the response starts, kept for conversion when it ends: its message list is
 * copied (a pointer copy), because routes do append the answer to `req.body.messages` meanwhile.
 */
function snapshot(body: unknown): unknown {
  if (!isRecord(body)) return body;
  const copy: Record<string, unknown> = { ...body };
  if (Array.isArray(body.messages)) copy.messages = body.messages.slice();
  if (Array.isArray(body.input)) copy.input = body.input.slice();
  return copy;
}

/** The path without the query string (which may carry secrets). */
function pathOf(req: IncomingMessage): string {
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The message of an error body: OpenAI `{ error: { message } }`, `{ error }`, `{ message }`, or text. */
function errorMessageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() === '' ? undefined : body.slice(0, 500);
  if (!isRecord(body)) return undefined;
  if (isRecord(body.error)) return stringOf(body.error.message) ?? stringOf(body.error.type);
  return stringOf(body.error) ?? stringOf(body.message) ?? stringOf(body.detail);
}
