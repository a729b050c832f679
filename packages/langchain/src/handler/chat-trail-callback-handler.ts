import {
  getChatTrailContext,
  type JsonValue,
  type Turn,
  type TurnMessage,
  type TurnMessagesMode,
  type TurnModel,
  type TurnRecorder,
  type TurnStatus,
  type TurnUsage,
  type TurnUser,
} from '@chattrail/core';
import { beginCapture } from '@chattrail/core/adapter';
import {
  BaseCallbackHandler,
  type HandleLLMNewTokenCallbackFields,
  type NewTokenIndices,
} from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { BaseMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import type { ChainValues } from '@langchain/core/utils/types';
import { describeError, isAbort, isControlFlow } from '../errors/classify-error';
import { appMetadata, threadIdFromMetadata, userFromMetadata } from '../identity/run-identity';
import {
  CONTENT_NOT_CAPTURED,
  type MessageBody,
  type MessageLike,
  roleOf,
  toMessageBody,
  withId,
} from '../messages/to-turn-message';
import { readModel } from '../model/read-model';
import { readUsage } from '../usage/read-usage';

/** Options of {@link ChatTrailCallbackHandler}. */
export interface ChatTrailCallbackHandlerOptions {
  /** Where turns go: a trail from `createChatTrail`, or any `{ record(turn) }`. */
  trail: TurnRecorder;
  /**
   * The thread every turn of this handler belongs to. Wins over run metadata (`thread_id`, `session_id`,
   * `conversation_id`), the `withChatTrail` context and the generated per-invocation id, in that order.
   */
  threadId?: string;
  /** The user every turn is for (a string is the user id). Wins over run metadata `user_id` and the context. */
  user?: TurnUser | string;
  /** Added to every turn's metadata, over the context's metadata and the app's run metadata. */
  metadata?: Record<string, JsonValue>;
  /**
   * `false` keeps message text, tool arguments and tool outputs out of the turns: the structure (roles,
   * tool names, call ids), usage, timing and errors are still recorded. Default `true`.
   */
  captureContent?: boolean;
  /**
   * `'new'` when the app keeps the history itself and invokes the model with only the system prompt and
   * the new messages: a repeated text is then a new message, not one already sent. Default: the trail's
   * `turnMessages` (or the `withChatTrail` context's).
   */
  turnMessages?: TurnMessagesMode;
  /**
   * Runs whose end never arrives (a stream the app abandoned) are forgotten, oldest first, beyond this
   * many open runs, so the handler's memory stays bounded in a long-running process. Default 10,000.
   */
  maxOpenRuns?: number;
  /**
   * Called with the handler's own failures (a bug of ours, a throwing `trail.record`, callback arguments
   * whose getters throw), which never reach LangChain or the app. Default: one `console.warn` line.
   */
  onError?: (error: unknown) => void;
}

const CHAIN = 0;
const MODEL = 1;
const TOOL = 2;

/** What one top-level invocation (the root run) shares between its model calls and tool runs. */
interface RootRun {
  readonly kind: typeof CHAIN;
  readonly id: string;
  /** From the root run's metadata, else the `withChatTrail` context at the start of the run. */
  readonly threadId: string | undefined;
  readonly user: TurnUser | undefined;
  readonly contextMetadata: Record<string, JsonValue> | undefined;
  /** The last turn recorded for this invocation, so tool results no model call saw can follow it. */
  last: Turn | undefined;
  /** Tool results (by tool-call id) that no later model call in this invocation has seen yet. */
  pendingToolResults: Map<string, MessageBody> | undefined;
  firstToolStartedAt: number | undefined;
}

interface ModelRun {
  readonly kind: typeof MODEL;
  readonly root: RootRun;
  readonly startedAt: number;
  firstTokenAt: number | undefined;
  /** The chat model's input, kept by reference and converted only when the call ends. */
  readonly messages: readonly MessageLike[] | undefined;
  /** A plain LLM's prompt. */
  readonly prompt: string | undefined;
  readonly metadata: Record<string, unknown> | undefined;
  readonly extraParams: Record<string, unknown> | undefined;
}

interface ToolRun {
  readonly kind: typeof TOOL;
  readonly root: RootRun;
  readonly toolCallId: string | undefined;
  readonly name: string | undefined;
}

/** A message already converted for a thread and position, and what it was converted from. */
interface ConvertedMessage {
  readonly threadId: string;
  readonly position: number;
  readonly content: unknown;
  readonly toolCalls: unknown;
  readonly message: TurnMessage;
}

/** Chain runs are stored as their root itself: one map entry, no allocation per chain event. */
type OpenRun = RootRun | ModelRun | ToolRun;

const rootOf = (run: OpenRun): RootRun => (run.kind === CHAIN ? run : run.root);

/**
 * A LangChain.js / LangGraph callback handler that records every chat model call as a {@link Turn}:
 * the conversation as the model saw it, what it answered (text and tool calls), token usage, latency,
 * time to first token and errors. Tool executions inside the same invocation become tool-result
 * messages. Message ids are stable (thread, position, content), so an agent that resends its whole
 * history on every call, and an app that resends it on every request, never duplicates a message.
 *
 * It is synchronous and does no I/O: it builds the turn and hands it to `trail.record()`, which queues
 * it for delivery. LangChain awaits it inline (`awaitHandlers`) rather than on its process-wide background
 * queue: there, a slow handler of someone else's would delay our callbacks and they would run outside the
 * caller's async context, so the `withChatTrail` identity could belong to another request.
 *
 * @example
 * const handler = new ChatTrailCallbackHandler({ trail });
 * await agent.invoke({ messages }, { callbacks: [handler], configurable: { thread_id: 'thread-42' } });
 */
export class ChatTrailCallbackHandler extends BaseCallbackHandler {
  name = 'chattrail_callback_handler';

  private readonly trail: TurnRecorder;
  private readonly threadId: string | undefined;
  private readonly user: TurnUser | undefined;
  private readonly metadata: Record<string, JsonValue> | undefined;
  private readonly captureContent: boolean;
  private readonly turnMessages: TurnMessagesMode | undefined;
  private readonly maxOpenRuns: number;
  private readonly runs = new Map<string, OpenRun>();
  /**
   * Conversions by message object. Histories are resent as the same objects (every step of an agent
   * invocation, apps that keep the history in memory), so each message is converted and hashed once,
   * not once per model call. Weak: entries go with the messages.
   */
  private readonly converted = new WeakMap<object, ConvertedMessage>();
  private readonly onError: ((error: unknown) => void) | undefined;
  /**
   * The runs that will record a turn (model calls, and invocations, which may record their last tool
   * results), registered with the trail until they end so that `flush()` waits for them. Only when the
   * trail can wait (a custom recorder may not).
   */
  private readonly captures: Map<string, () => void> | undefined;
  private disabled = false;
  private warned = false;

  constructor(options: ChatTrailCallbackHandlerOptions) {
    // Not `raiseError`: a logging handler must never fail the app's run.
    super({ _awaitHandler: true, ignoreRetriever: true, ignoreCustomEvent: true });
    if (options === null || typeof options !== 'object' || typeof options.trail?.record !== 'function') {
      throw new TypeError('ChatTrailCallbackHandler needs { trail } with a record(turn) method');
    }
    this.trail = options.trail;
    if (typeof options.trail.beginCapture === 'function') this.captures = new Map();
    this.threadId = options.threadId || undefined;
    this.user = typeof options.user === 'string' ? { id: options.user } : options.user;
    this.metadata = options.metadata;
    this.captureContent = options.captureContent ?? true;
    this.turnMessages = options.turnMessages;
    const maxOpenRuns = options.maxOpenRuns ?? 10_000;
    // A setup mistake throws here, at construction, naming the value; nothing is clamped.
    if (!Number.isInteger(maxOpenRuns) || maxOpenRuns < 1) {
      throw new TypeError(
        `ChatTrailCallbackHandler: maxOpenRuns must be a positive integer, got ${describeValue(maxOpenRuns)}`,
      );
    }
    this.maxOpenRuns = maxOpenRuns;
    this.onError = typeof options.onError === 'function' ? options.onError : undefined;
  }

  /** How many runs are open (started, not yet ended). Back to 0 once every invocation has finished. */
  get pendingRuns(): number {
    return this.runs.size;
  }

  /**
   * Stops recording and forgets open runs. Used by `registerChatTrail`'s unregister function, since
   * async contexts created while the handler was registered may still hold it.
   */
  disable(): void {
    this.disabled = true;
    this.runs.clear();
    if (this.captures === undefined) return;
    for (const end of this.captures.values()) end();
    this.captures.clear();
  }

  /** The handler holds the state of open runs, so a copy must be the handler itself. */
  copy(): this {
    return this;
  }

  // ---- chains: only to know which invocation a model call or tool run belongs to ------------------

  // The runtime argument order (parentRunId 4th, metadata 6th) is the one of every @langchain/core
  // version; the .d.ts of 1.1.10+ misdeclares it, but the positional types line up.
  handleChainStart(
    _chain: Serialized,
    _inputs: ChainValues,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    if (this.disabled) return;
    try {
      const parent = parentRunId === undefined ? undefined : this.runs.get(parentRunId);
      this.track(runId, parent === undefined ? this.newRoot(runId, metadata) : rootOf(parent));
    } catch (error) {
      this.internalError(error);
    }
  }

  handleChainEnd(_outputs: ChainValues, runId: string): void {
    this.endRun(runId, undefined);
  }

  handleChainError(error: unknown, runId: string): void {
    this.endRun(runId, error ?? new Error('chain failed'));
  }

  // ---- models ---------------------------------------------------------------------------------------

  handleChatModelStart(
    _llm: Serialized,
    messages: BaseMessage[][],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    if (this.disabled) return;
    try {
      // LangChain calls this once per prompt, so there is exactly one conversation.
      const input = (messages?.[0] ?? []) as readonly MessageLike[];
      const root = this.rootFor(runId, parentRunId, metadata);
      if (root.pendingToolResults !== undefined) markSeenToolResults(root.pendingToolResults, input);
      this.track(runId, {
        kind: MODEL,
        root,
        startedAt: Date.now(),
        firstTokenAt: undefined,
        messages: input,
        prompt: undefined,
        metadata,
        extraParams,
      });
    } catch (error) {
      this.internalError(error);
    }
  }

  handleLLMStart(
    _llm: Serialized,
    prompts: string[],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    if (this.disabled) return;
    try {
      this.track(runId, {
        kind: MODEL,
        root: this.rootFor(runId, parentRunId, metadata),
        startedAt: Date.now(),
        firstTokenAt: undefined,
        messages: undefined,
        prompt: typeof prompts?.[0] === 'string' ? prompts[0] : '',
        metadata,
        extraParams,
      });
    } catch (error) {
      this.internalError(error);
    }
  }

  /** Used only for the time to first token: content and usage come from the aggregated final message. */
  handleLLMNewToken(
    token: string,
    _idx: NewTokenIndices,
    runId: string,
    _parentRunId?: string,
    _tags?: string[],
    fields?: HandleLLMNewTokenCallbackFields,
  ): void {
    if (this.disabled) return;
    try {
      const run = this.runs.get(runId);
      if (run === undefined || run.kind !== MODEL || run.firstTokenAt !== undefined) return;
      // OpenAI opens every stream with an empty role-only chunk; the first token is the first content.
      if (token !== '' || hasToolCallChunk(fields)) run.firstTokenAt = Date.now();
    } catch (error) {
      this.internalError(error);
    }
  }

  handleLLMEnd(output: LLMResult, runId: string): void {
    if (this.disabled) return;
    try {
      const run = this.take(runId, MODEL);
      if (run === undefined) return;
      const generation = output?.generations?.[0]?.[0] as
        | {
            text?: unknown;
            message?: MessageLike & { usage_metadata?: unknown; response_metadata?: unknown };
          }
        | undefined;
      const message = generation?.message;
      const text = typeof generation?.text === 'string' ? generation.text : '';
      this.recordModelTurn(runId, run, {
        // Chat models answer with a message; plain LLMs with text only.
        answer:
          message !== undefined && message !== null && typeof message === 'object'
            ? { message }
            : {
                body: {
                  role: 'assistant',
                  content: this.captureContent || text === '' ? text : CONTENT_NOT_CAPTURED,
                },
              },
        usage: readUsage(message?.usage_metadata, output?.llmOutput),
        model: readModel(run.extraParams, run.metadata, message?.response_metadata),
        status: 'ok',
      });
      if (run.root.id === runId) this.finishRoot(run.root, undefined);
    } catch (error) {
      this.internalError(error);
    } finally {
      this.endCapture(runId);
    }
  }

  handleLLMError(error: unknown, runId: string): void {
    if (this.disabled) return;
    try {
      const run = this.take(runId, MODEL);
      if (run === undefined) return;
      this.recordModelTurn(runId, run, {
        model: readModel(run.extraParams, run.metadata, undefined),
        status: isAbort(error) ? 'aborted' : 'error',
        error: describeError(error),
      });
      if (run.root.id === runId) this.finishRoot(run.root, error);
    } catch (internal) {
      this.internalError(internal);
    } finally {
      this.endCapture(runId);
    }
  }

  // ---- tools ------------------------------------------------------------------------------------------

  handleToolStart(
    tool: Serialized,
    _input: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
    toolCallId?: string,
  ): void {
    if (this.disabled) return;
    try {
      const root = this.rootFor(runId, parentRunId, metadata);
      root.firstToolStartedAt ??= Date.now();
      this.track(runId, {
        kind: TOOL,
        root,
        // `toolCallId` arrives from @langchain/core ~1.1.30; before, the ToolMessage output carries it.
        toolCallId: typeof toolCallId === 'string' && toolCallId !== '' ? toolCallId : undefined,
        name: runName ?? serializedName(tool),
      });
    } catch (error) {
      this.internalError(error);
    }
  }

  handleToolEnd(output: unknown, runId: string): void {
    if (this.disabled) return;
    try {
      const run = this.take(runId, TOOL);
      if (run === undefined) return;
      const result = toolMessageOf(output, run.toolCallId);
      if (result !== undefined) {
        const body = toMessageBody(result, this.captureContent);
        if (body.toolResult !== undefined) {
          if (body.toolResult.name === undefined && run.name !== undefined) body.toolResult.name = run.name;
          this.addToolResult(run.root, body);
        }
      }
      if (run.root.id === runId) this.finishRoot(run.root, undefined);
    } catch (error) {
      this.internalError(error);
    } finally {
      this.endCapture(runId);
    }
  }

  handleToolError(error: unknown, runId: string): void {
    if (this.disabled) return;
    try {
      const run = this.take(runId, TOOL);
      if (run === undefined) return;
      // An interrupt inside a tool is not a result: the tool runs again when the graph resumes.
      if (!isControlFlow(error)) {
        const toolCallId = run.toolCallId ?? guessToolCallId(run.root, run.name);
        if (toolCallId !== undefined) {
          const { message } = describeError(error);
          this.addToolResult(run.root, {
            role: 'tool',
            content: this.captureContent ? `Error: ${message}` : CONTENT_NOT_CAPTURED,
            toolResult: {
              toolCallId,
              ...(run.name !== undefined ? { name: run.name } : {}),
              output: this.captureContent ? message : null,
              isError: true,
            },
          });
        }
      }
      if (run.root.id === runId) this.finishRoot(run.root, error);
    } catch (internal) {
      this.internalError(internal);
    } finally {
      this.endCapture(runId);
    }
  }

  // ---- run bookkeeping --------------------------------------------------------------------------------

  private newRoot(runId: string, metadata: Record<string, unknown> | undefined): RootRun {
    const context = getChatTrailContext();
    return {
      kind: CHAIN,
      id: runId,
      threadId: threadIdFromMetadata(metadata) ?? context?.threadId,
      user: userFromMetadata(metadata) ?? context?.user,
      contextMetadata: context?.metadata,
      last: undefined,
      pendingToolResults: undefined,
      firstToolStartedAt: undefined,
    };
  }

  /** The invocation a run belongs to: its parent's, or a new one when it has no parent we saw start. */
  private rootFor(
    runId: string,
    parentRunId: string | undefined,
    metadata: Record<string, unknown> | undefined,
  ) {
    const parent = parentRunId === undefined ? undefined : this.runs.get(parentRunId);
    return parent === undefined ? this.newRoot(runId, metadata) : rootOf(parent);
  }

  private track(runId: string, run: OpenRun): void {
    this.runs.set(runId, run);
    const captures = this.captures;
    if (captures !== undefined && (run.kind === MODEL || rootOf(run).id === runId) && !captures.has(runId))
      captures.set(runId, beginCapture(this.trail));
    if (this.runs.size > this.maxOpenRuns) {
      // Map iteration is insertion order: the oldest open run is the likeliest to be abandoned.
      const oldest = this.runs.keys().next().value;
      if (oldest !== undefined) {
        this.runs.delete(oldest);
        this.endCapture(oldest);
      }
    }
  }

  /** The run has recorded what it had to record, or never will. */
  private endCapture(runId: string): void {
    const end = this.captures?.get(runId);
    if (end === undefined) return;
    this.captures!.delete(runId);
    end();
  }

  private take(runId: string, kind: typeof MODEL): ModelRun | undefined;
  private take(runId: string, kind: typeof TOOL): ToolRun | undefined;
  private take(runId: string, kind: typeof MODEL | typeof TOOL): ModelRun | ToolRun | undefined {
    const run = this.runs.get(runId);
    if (run === undefined || run.kind !== kind) return undefined;
    this.runs.delete(runId);
    return run;
  }

  private endRun(runId: string, error: unknown): void {
    if (this.disabled) return;
    try {
      const run = this.runs.get(runId);
      if (run === undefined) return;
      this.runs.delete(runId);
      if (run.kind === CHAIN && run.id === runId) this.finishRoot(run, error);
    } catch (internal) {
      this.internalError(internal);
    } finally {
      this.endCapture(runId);
    }
  }

  private addToolResult(root: RootRun, body: MessageBody): void {
    root.pendingToolResults ??= new Map();
    root.pendingToolResults.set(body.toolResult!.toolCallId, body);
  }

  /**
   * The invocation is over. Tool results that no model call saw (the agent stopped after the tools, a
   * tool failed the run, `returnDirect`) are recorded as one more turn that continues the last one.
   */
  private finishRoot(root: RootRun, error: unknown): void {
    const pending = root.pendingToolResults;
    const last = root.last;
    root.pendingToolResults = undefined;
    root.last = undefined;
    if (pending === undefined || pending.size === 0 || last === undefined) return;
    const results = orderByToolCalls(pending, last.messages);
    if (results.length === 0) return;
    const messages = last.messages.slice();
    for (const body of results) messages.push(withId(last.threadId, messages.length, body));
    const failed = error !== undefined && !isControlFlow(error);
    const turn: Turn = {
      id: `${root.id}:tools`,
      threadId: last.threadId,
      messages,
      startedAt: new Date(root.firstToolStartedAt ?? Date.now()).toISOString(),
      endedAt: new Date().toISOString(),
      status: failed ? (isAbort(error) ? 'aborted' : 'error') : 'ok',
      source: 'langchain',
    };
    if (last.user !== undefined) turn.user = last.user;
    if (last.metadata !== undefined) turn.metadata = { ...last.metadata };
    if (failed) turn.error = describeError(error);
    if (this.turnMessages !== undefined) turn.turnMessages = this.turnMessages;
    this.trail.record(turn);
  }

  private recordModelTurn(
    runId: string,
    run: ModelRun,
    outcome: {
      answer?: { message: MessageLike } | { body: MessageBody };
      usage?: TurnUsage;
      model?: TurnModel;
      status: TurnStatus;
      error?: { name: string; message: string };
    },
  ): void {
    const root = run.root;
    const threadId = this.threadId ?? threadIdFromMetadata(run.metadata) ?? root.threadId ?? root.id;
    const messages: TurnMessage[] = [];
    if (run.messages !== undefined) {
      for (const message of run.messages) {
        if (message === null || typeof message !== 'object') continue;
        messages.push(this.toTurnMessage(threadId, messages.length, message));
      }
    } else if (run.prompt !== undefined) {
      const content = this.captureContent || run.prompt === '' ? run.prompt : CONTENT_NOT_CAPTURED;
      messages.push(withId(threadId, 0, { role: 'user', content }));
    }
    const answer = outcome.answer;
    if (answer !== undefined) {
      messages.push(
        'message' in answer
          ? this.toTurnMessage(threadId, messages.length, answer.message)
          : withId(threadId, messages.length, answer.body),
      );
    }

    const endedAt = Date.now();
    const turn: Turn = {
      id: runId,
      threadId,
      messages,
      startedAt: new Date(run.startedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      status: outcome.status,
      source: 'langchain',
    };
    const user = this.user ?? userFromMetadata(run.metadata) ?? root.user;
    if (user !== undefined) turn.user = user;
    if (outcome.model !== undefined) turn.model = outcome.model;
    if (outcome.usage !== undefined) turn.usage = outcome.usage;
    if (run.firstTokenAt !== undefined)
      turn.timeToFirstTokenMs = Math.max(0, run.firstTokenAt - run.startedAt);
    if (outcome.error !== undefined) turn.error = outcome.error;
    const metadata = this.turnMetadata(root, run.metadata);
    if (metadata !== undefined) turn.metadata = metadata;
    if (this.turnMessages !== undefined) turn.turnMessages = this.turnMessages;
    this.trail.record(turn);
    root.last = turn;
  }

  private toTurnMessage(threadId: string, position: number, source: MessageLike): TurnMessage {
    const cached = this.converted.get(source);
    if (
      cached !== undefined &&
      cached.threadId === threadId &&
      cached.position === position &&
      // A message whose content or tool calls were replaced since is converted again.
      cached.content === source.content &&
      cached.toolCalls === source.tool_calls
    ) {
      return cached.message;
    }
    const message = withId(threadId, position, toMessageBody(source, this.captureContent));
    this.converted.set(source, {
      threadId,
      position,
      content: source.content,
      toolCalls: source.tool_calls,
      message,
    });
    return message;
  }

  /** Context metadata, then the app's run metadata, then the handler's own: the more explicit wins. */
  private turnMetadata(root: RootRun, runMetadata: Record<string, unknown> | undefined) {
    const fromRun = appMetadata(runMetadata);
    if (root.contextMetadata === undefined && fromRun === undefined && this.metadata === undefined) {
      return undefined;
    }
    return { ...root.contextMetadata, ...fromRun, ...this.metadata };
  }

  private internalError(error: unknown): void {
    // Never rethrown: LangChain would log it for every event, and the app's run must not notice us.
    try {
      if (this.onError !== undefined) {
        this.onError(error);
        return;
      }
      if (this.warned) return;
      this.warned = true;
      console.warn(
        `[chattrail] the LangChain handler skipped an event after an internal error: ${describeError(error).message}`,
      );
    } catch {
      // A throwing onError (or console) must not reach LangChain either.
    }
  }
}

function hasToolCallChunk(fields: HandleLLMNewTokenCallbackFields | undefined): boolean {
  const chunks = (fields?.chunk as { message?: { tool_call_chunks?: unknown } } | undefined)?.message
    ?.tool_call_chunks;
  return Array.isArray(chunks) && chunks.length > 0;
}

function serializedName(tool: Serialized | undefined): string | undefined {
  const name = (tool as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/**
 * The ToolMessage a tool run produced: the output itself when the tool was called with a tool call, or
 * the matching message of a LangGraph `Command({ update: { messages } })`.
 */
function toolMessageOf(output: unknown, toolCallId: string | undefined): MessageLike | undefined {
  if (output === null || typeof output !== 'object') return undefined;
  const message = output as MessageLike;
  if (typeof message.tool_call_id === 'string' && roleOf(message) === 'tool') return message;
  const update = (output as { update?: { messages?: unknown } }).update;
  if (toolCallId !== undefined && Array.isArray(update?.messages)) {
    for (const candidate of update.messages as MessageLike[]) {
      if (candidate !== null && typeof candidate === 'object' && candidate.tool_call_id === toolCallId) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** Drops the results a model call's input already contains: that call's turn records them in place. */
function markSeenToolResults(pending: Map<string, MessageBody>, input: readonly MessageLike[]): void {
  for (let i = input.length - 1; i >= 0 && pending.size > 0; i--) {
    const id = input[i]?.tool_call_id;
    if (typeof id === 'string') pending.delete(id);
  }
}

/** Tool results in the order the model asked for them; results for calls it did not make come last. */
function orderByToolCalls(
  pending: Map<string, MessageBody>,
  messages: readonly TurnMessage[],
): MessageBody[] {
  const ordered: MessageBody[] = [];
  const calls = messages[messages.length - 1]?.toolCalls;
  if (calls !== undefined) {
    for (const call of calls) {
      const body = pending.get(call.id);
      if (body !== undefined) {
        ordered.push(body);
        pending.delete(call.id);
      }
    }
  }
  for (const body of pending.values()) ordered.push(body);
  return ordered;
}

/**
 * For @langchain/core versions that do not pass `toolCallId` to a failing tool: the id of the last
 * model answer's call to a tool of this name that has no result yet.
 */
function guessToolCallId(root: RootRun, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const messages = root.last?.messages;
  const calls = messages?.[messages.length - 1]?.toolCalls;
  if (calls === undefined) return undefined;
  for (const call of calls) {
    if (call.name === name && !root.pendingToolResults?.has(call.id)) return call.id;
  }
  return undefined;
}

/** A bad option's value as the error shows it: never an object's contents. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return value !== null && typeof value === 'object' ? 'an object' : String(value);
}
