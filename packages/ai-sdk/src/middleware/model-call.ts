import type { JsonValue, Turn, TurnStatus } from '@chattrail/core';
import type { ResolvedIdentity } from '../identity/resolve-identity';
import { addParts, addPromptMessages } from '../prompt/add-prompt-messages';
import type { CallOptionsLike, GenerateResultLike, LanguageModelLike } from '../spec/language-model-spec';
import type { StreamCapture } from '../stream/stream-capture';
import { TurnMessagesBuilder } from '../turn/turn-messages-builder';
import { normalizeFinishReason, normalizeUsage } from '../usage/normalize-usage';

/** What a model call needs from the middleware that started it. */
export interface ModelCallHost {
  readonly captureContent: boolean;
  /** Hands the finished turn to the trail; never throws. */
  record(turn: Turn): void;
  /** Tells the trail a call has started (`flush()` waits for it); returns what ends that. Never throws. */
  beginCapture(): () => void;
  /** Reports an instrumentation failure; never throws. */
  report(error: unknown): void;
}

/**
 * One doGenerate/doStream call: when it started, who it is for, and (for streams) what it produced so far.
 * It ends exactly once, whichever comes first of the result, a thrown error, an in-band error part, the
 * end of the stream, a cancel or an abort; that is when its turn is built and recorded.
 *
 * Nothing here runs before the model is called except reading the clock: the prompt is only mapped when
 * the call ends, so the first chunk is never delayed by the size of the history.
 */
export class ModelCall {
  readonly startedAt = Date.now();
  private readonly startedAtPerf = performance.now();
  /** Set for streams. */
  capture: StreamCapture | undefined;
  done = false;
  private detachAbort: (() => void) | undefined;
  /** Until the turn is recorded, `flush()` waits for it: a stream can end after the client has its answer. */
  private readonly endCapture: () => void;

  constructor(
    private readonly host: ModelCallHost,
    private readonly model: LanguageModelLike,
    private readonly params: CallOptionsLike,
    private readonly identity: ResolvedIdentity & { threadId: string },
  ) {
    this.endCapture = host.beginCapture();
  }

  /** The call will not be recorded after all (its stream could not be tapped). */
  forget(): void {
    this.done = true;
    this.endCapture();
  }

  /** Streams: also end the call when the caller's abort signal fires, even if the stream never closes. */
  watchAbort(): void {
    const signal = this.params.abortSignal;
    if (signal === undefined || signal === null || typeof signal.addEventListener !== 'function') return;
    // Through the error path, so a timeout's signal counts as an error and any other abort as `aborted`.
    if (signal.aborted) {
      this.end('error', signal.reason);
      return;
    }
    const onAbort = () => this.end('error', signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    this.detachAbort = () => signal.removeEventListener('abort', onAbort);
  }

  /** Streams: one part on its way to the caller. */
  observe(part: unknown): void {
    if (this.done) return;
    try {
      const inBand = this.capture!.observe(part);
      if (inBand !== undefined) this.end('error', inBand.error);
    } catch (error) {
      this.host.report(error);
    }
  }

  /** Ends the call after a generate result. */
  endWithResult(result: GenerateResultLike): void {
    if (this.done) return;
    this.done = true;
    try {
      const builder = this.promptBuilder();
      builder.begin('assistant');
      if (Array.isArray(result?.content)) addParts(builder, result.content);
      builder.end();
      const finishReason = normalizeFinishReason(result?.finishReason);
      this.emit(builder, statusOf(finishReason), undefined, {
        usage: result?.usage,
        finishReason,
        responseId: result?.response?.id,
        responseModelId: result?.response?.modelId,
      });
    } catch (error) {
      this.host.report(error);
    }
    this.endCapture();
  }

  /**
   * Ends the call: `ok` at the end of a stream, `error` for a thrown or in-band error, `aborted` for a
   * cancel or abort (an error counts as an abort when the caller's signal fired or it is an AbortError).
   * What a stream produced so far is kept in every case.
   */
  end(status: TurnStatus, error?: unknown): void {
    if (this.done) return;
    this.done = true;
    try {
      if (status === 'error' && isAbort(error, this.params.abortSignal)) status = 'aborted';
      const builder = this.promptBuilder();
      const capture = this.capture;
      let finishReason: string | undefined;
      if (capture !== undefined) {
        builder.begin('assistant');
        addParts(builder, capture.content);
        builder.end();
        finishReason = normalizeFinishReason(capture.finishReason);
        if (status === 'ok') status = statusOf(finishReason);
      }
      this.emit(builder, status, error, {
        usage: capture?.usage,
        finishReason,
        responseId: capture?.responseId,
        responseModelId: capture?.responseModelId,
      });
    } catch (failure) {
      this.host.report(failure);
    }
    this.endCapture();
  }

  private promptBuilder(): TurnMessagesBuilder {
    this.detachAbort?.();
    const builder = new TurnMessagesBuilder(this.identity.threadId, this.host.captureContent);
    addPromptMessages(builder, this.params.prompt);
    return builder;
  }

  private emit(
    builder: TurnMessagesBuilder,
    status: TurnStatus,
    error: unknown,
    result: { usage: unknown; finishReason?: string; responseId?: string; responseModelId?: string },
  ): void {
    const { threadId, user, metadata: userMetadata } = this.identity;
    const metadata: Record<string, JsonValue> = { streamed: this.capture !== undefined };
    if (result.finishReason !== undefined) metadata.finishReason = result.finishReason;
    if (typeof result.responseId === 'string') metadata.responseId = result.responseId;
    const format = (this.params.responseFormat as { type?: unknown } | undefined)?.type;
    if (format === 'json') metadata.responseFormat = 'json';
    if (userMetadata !== undefined) Object.assign(metadata, userMetadata);

    const turn: Turn = {
      id: newId('turn_'),
      threadId,
      messages: builder.messages,
      model: {
        provider: this.model.provider,
        id: typeof result.responseModelId === 'string' ? result.responseModelId : this.model.modelId,
      },
      startedAt: new Date(this.startedAt).toISOString(),
      endedAt: new Date().toISOString(),
      status,
      metadata,
      source: 'ai-sdk',
    };
    if (user !== undefined) turn.user = user;
    if (this.identity.turnMessages !== undefined) turn.turnMessages = this.identity.turnMessages;
    const usage = normalizeUsage(result.usage);
    if (usage !== undefined) turn.usage = usage;
    const firstOutputAt = this.capture?.firstOutputAt;
    if (firstOutputAt !== undefined) {
      turn.timeToFirstTokenMs = Math.round((firstOutputAt - this.startedAtPerf) * 1000) / 1000;
    }
    if (error !== undefined) turn.error = errorSummary(error);
    else if (status === 'error') {
      turn.error = { name: 'FinishReasonError', message: 'The model finished with reason "error".' };
    }
    this.host.record(turn);
  }
}

function statusOf(finishReason: string | undefined): TurnStatus {
  return finishReason === 'error' ? 'error' : 'ok';
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted === true) {
    // A timeout aborts the signal too, but it is a failure of the call, not a caller's decision.
    return (signal.reason as { name?: unknown } | undefined)?.name !== 'TimeoutError';
  }
  return (error as { name?: unknown } | null)?.name === 'AbortError';
}

/** `{ name, message }` of anything thrown, without trusting its getters. */
export function errorSummary(error: unknown): { name: string; message: string } {
  try {
    if (error instanceof Error || (error !== null && typeof error === 'object')) {
      const e = error as { name?: unknown; message?: unknown };
      return {
        name: typeof e.name === 'string' && e.name !== '' ? e.name : 'Error',
        message: typeof e.message === 'string' ? e.message : String(error),
      };
    }
    return { name: 'Error', message: String(error) };
  } catch {
    return { name: 'Error', message: '[unreadable error]' };
  }
}

export function newId(prefix: string): string {
  const crypto = globalThis.crypto;
  if (crypto !== undefined && typeof crypto.randomUUID === 'function') return prefix + crypto.randomUUID();
  return prefix + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
}
