import {
  getChatTrailContext,
  type JsonValue,
  type TurnMessagesMode,
  type TurnRecorder,
  type TurnUser,
} from '@chattrail/core';
import { beginCapture } from '@chattrail/core/adapter';
import { type ResolvedIdentity, resolveIdentity } from '../identity/resolve-identity';
import type {
  CallOptionsLike,
  GenerateResultLike,
  LanguageModelLike,
  StreamResultLike,
} from '../spec/language-model-spec';
import { StreamCapture } from '../stream/stream-capture';
import { tapStream } from '../stream/tap-stream';
import { ModelCall, type ModelCallHost, newId } from './model-call';

/** The `providerOptions` key the middleware reads per-call identity from (and removes). */
export const PROVIDER_OPTIONS_KEY = 'chattrail';

export interface ChatTrailMiddlewareOptions {
  /** Where turns go: a trail from `createChatTrail()`, or any `{ record(turn) }`. */
  trail: TurnRecorder;
  /** Thread id for calls that name none (per call or through `withChatTrail`). */
  threadId?: string;
  /** User for calls that name none. */
  user?: TurnUser;
  /** Metadata on every turn; per-call and context metadata are merged over it key by key. */
  metadata?: Record<string, JsonValue>;
  /**
   * What the calls' messages are, for calls and contexts that do not say: `'new'` when the app keeps the
   * history and sends only the new messages. Default: the trail's `turnMessages`.
   */
  turnMessages?: TurnMessagesMode;
  /**
   * `false` records structure, usage, timings and errors but no text: message contents become
   * `[content not captured]`, tool arguments and outputs `null`, reasoning is dropped. Default `true`.
   */
  captureContent?: boolean;
  /**
   * Called with instrumentation failures (a bug of ours or a throwing recorder), which never reach the
   * app. Default: a debug log line (see `debug`). The trail reports its own delivery errors itself.
   */
  onError?: (error: unknown) => void;
  /** Debug notes (generated thread ids, swallowed errors): `true` logs to console.debug. Default: `CHATTRAIL_DEBUG`. */
  debug?: boolean | ((message: string) => void);
}

/**
 * The middleware object. Its shape satisfies `LanguageModelV2Middleware` (ai 5), `LanguageModelV3Middleware`
 * (ai 6) and ai 7's `LanguageModelMiddleware` at once; the generics let each version's own types flow
 * through `wrapGenerate`/`wrapStream` unchanged.
 */
export interface ChatTrailMiddleware {
  /** Required by ai 6's type; ai 7 accepts any string; nothing checks it at run time. */
  readonly specificationVersion: 'v3';
  /** ai 5's optional marker. */
  readonly middlewareVersion: 'v2';
  transformParams: <PARAMS extends CallOptionsLike>(options: {
    type: 'generate' | 'stream';
    params: PARAMS;
    model: LanguageModelLike;
  }) => Promise<PARAMS>;
  wrapGenerate: <RESULT, PARAMS extends CallOptionsLike>(options: {
    doGenerate: () => PromiseLike<RESULT>;
    doStream: () => PromiseLike<unknown>;
    params: PARAMS;
    model: LanguageModelLike;
  }) => Promise<RESULT>;
  wrapStream: <RESULT extends StreamResultLike, PARAMS extends CallOptionsLike>(options: {
    doGenerate: () => PromiseLike<unknown>;
    doStream: () => PromiseLike<RESULT>;
    params: PARAMS;
    model: LanguageModelLike;
  }) => Promise<RESULT>;
}

const KNOWN_VERSIONS = new Set(['v2', 'v3', 'v4']);
const LOG_PREFIX = '[chattrail/ai-sdk]';

/**
 * A `wrapLanguageModel` middleware that records every model call as a Turn: one turn per step, with the
 * prompt the step was given and what it produced, tokens, timings, status and errors.
 *
 * ```ts
 * const model = wrapLanguageModel({ model: openai('gpt-4o'), middleware: chatTrailMiddleware({ trail }) });
 * streamText({ model, messages, providerOptions: { chattrail: { threadId, userId } } });
 * ```
 *
 * The same object works on ai 5, 6 and 7: it reads the wrapped model's `specificationVersion` per call
 * and never imports `ai`. It never throws into the app: host errors pass through unchanged, its own
 * failures go to `onError`, and a model of an unknown spec version is passed through with one warning.
 */
export function chatTrailMiddleware(options: ChatTrailMiddlewareOptions): ChatTrailMiddleware {
  const { trail } = options ?? ({} as Partial<ChatTrailMiddlewareOptions>);
  if (typeof trail?.record !== 'function') {
    // A setup mistake, said once at wrap time; the model still works, nothing is recorded.
    console.warn(
      `${LOG_PREFIX} chatTrailMiddleware() was given no trail ({ record(turn) }); nothing will be recorded.`,
    );
  }
  const wrapIdentity = {
    threadId: options?.threadId,
    user: options?.user,
    metadata: options?.metadata,
    turnMessages: options?.turnMessages,
  };
  const debugLog = debugLogger(options?.debug);
  const onError = options?.onError;
  // Identity read from providerOptions by transformParams, keyed by the params object it returns (the
  // very object wrapGenerate/wrapStream then receive): the key itself is gone from those params.
  const callOptionsByParams = new WeakMap<object, unknown>();
  let warnedVersions: Set<string> | undefined;
  let notedGeneratedThread = false;

  const host: ModelCallHost = {
    captureContent: options?.captureContent !== false,
    record(turn) {
      try {
        trail?.record(turn);
      } catch (error) {
        host.report(error);
      }
    },
    beginCapture: () => beginCapture(trail),
    report(error) {
      try {
        if (onError !== undefined) onError(error);
        else debugLog?.(`instrumentation error (swallowed): ${String((error as Error)?.stack ?? error)}`);
      } catch {
        // A throwing error handler must not reach the app either.
      }
    },
  };

  function supported(model: LanguageModelLike | undefined): boolean {
    const version = model?.specificationVersion;
    if (typeof version === 'string' && KNOWN_VERSIONS.has(version)) return true;
    const key = String(version);
    if (!warnedVersions?.has(key)) {
      warnedVersions ??= new Set();
      warnedVersions.add(key);
      try {
        console.warn(
          `${LOG_PREFIX} model ${model?.provider ?? '?'}/${model?.modelId ?? '?'} implements LanguageModel specification ${JSON.stringify(version)}, which this version of @chattrail/ai-sdk does not know (it supports v2, v3 and v4: ai 5, 6 and 7). Its calls pass through unchanged and are not recorded; upgrade @chattrail/ai-sdk.`,
        );
      } catch {
        // console may be unavailable; passing through is what matters.
      }
    }
    return false;
  }

  function startCall(params: CallOptionsLike, model: LanguageModelLike): ModelCall | undefined {
    try {
      const callOptions = callOptionsByParams.has(params)
        ? callOptionsByParams.get(params)
        : (params.providerOptions?.[PROVIDER_OPTIONS_KEY] ?? undefined);
      const identity = resolveIdentity(callOptions, getChatTrailContext(), wrapIdentity);
      if (identity.threadId === undefined) {
        identity.threadId = newId('thread_');
        if (!notedGeneratedThread) {
          notedGeneratedThread = true;
          debugLog?.(
            `a call named no thread (providerOptions.${PROVIDER_OPTIONS_KEY}.threadId, withChatTrail or the threadId option), so it was recorded under a generated id (${identity.threadId}); the steps and turns of one conversation only group into one thread when they name it. Noted once.`,
          );
        }
      }
      return new ModelCall(host, model, params, identity as ResolvedIdentity & { threadId: string });
    } catch (error) {
      host.report(error);
      return undefined;
    }
  }

  async function wrapGenerate<RESULT, PARAMS extends CallOptionsLike>({
    doGenerate,
    params,
    model,
  }: {
    doGenerate: () => PromiseLike<RESULT>;
    params: PARAMS;
    model: LanguageModelLike;
  }): Promise<RESULT> {
    if (!supported(model)) return doGenerate();
    const call = startCall(params, model);
    let result: RESULT;
    try {
      result = await doGenerate();
    } catch (error) {
      call?.end('error', error);
      throw error;
    }
    call?.endWithResult(result as GenerateResultLike);
    return result;
  }

  async function wrapStream<RESULT extends StreamResultLike, PARAMS extends CallOptionsLike>({
    doStream,
    params,
    model,
  }: {
    doStream: () => PromiseLike<RESULT>;
    params: PARAMS;
    model: LanguageModelLike;
  }): Promise<RESULT> {
    if (!supported(model)) return doStream();
    const call = startCall(params, model);
    let result: RESULT;
    try {
      result = await doStream();
    } catch (error) {
      call?.end('error', error);
      throw error;
    }
    if (call === undefined) return result;
    try {
      call.capture = new StreamCapture();
      const stream = tapStream(result.stream, call);
      call.watchAbort();
      return { ...result, stream };
    } catch (error) {
      host.report(error);
      call.forget();
      return result;
    }
  }

  const middleware: ChatTrailMiddleware = {
    specificationVersion: 'v3',
    middlewareVersion: 'v2',

    async transformParams({ params }) {
      const providerOptions = params?.providerOptions;
      if (
        providerOptions === undefined ||
        providerOptions === null ||
        typeof providerOptions !== 'object' ||
        !(PROVIDER_OPTIONS_KEY in providerOptions)
      ) {
        return params;
      }
      // A copy: the caller's params and providerOptions objects are left as they were.
      const { [PROVIDER_OPTIONS_KEY]: callOptions, ...rest } = providerOptions;
      const stripped = { ...params, providerOptions: rest };
      callOptionsByParams.set(stripped, callOptions);
      return stripped;
    },

    wrapGenerate,
    wrapStream,
  };
  return middleware;
}

function debugLogger(debug: ChatTrailMiddlewareOptions['debug']): ((message: string) => void) | undefined {
  if (typeof debug === 'function') return debug;
  const enabled = debug ?? envFlag('CHATTRAIL_DEBUG');
  if (!enabled) return undefined;
  return (message) => console.debug(`${LOG_PREFIX} ${message}`);
}

function envFlag(name: string): boolean {
  try {
    const value = typeof process === 'undefined' ? undefined : process.env?.[name];
    return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
  } catch {
    return false;
  }
}
