/**
 * The slice of the AI SDK's LanguageModel specification (V2 in ai 5, V3 in ai 6, V4 in ai 7) that the
 * middleware reads, written as our own structural types.
 *
 * Why not `import type … from '@ai-sdk/provider'`: the published .d.ts would then name a package the
 * app may not resolve (it is a dependency of `ai`, not of the app), or resolve in the wrong major. These
 * shapes are the intersection of the three versions, every field optional or `unknown` where they differ,
 * so values of any of them are assignable here and the middleware object is assignable to each version's
 * middleware type (see `ChatTrailMiddleware`).
 */

/** `'v2'` (ai 5), `'v3'` (ai 6), `'v4'` (ai 7); anything else is passed through untouched. */
export type SpecificationVersion = 'v2' | 'v3' | 'v4';

/** What every spec version's language model has in common, as far as the middleware reads it. */
export interface LanguageModelLike {
  readonly specificationVersion: string;
  readonly provider: string;
  readonly modelId: string;
}

/** Provider options: `{ [provider]: { ... } }`; ours live under `chattrail`. */
export type ProviderOptionsLike = Record<string, unknown>;

/** The call options (`params`) of doGenerate/doStream, as far as the middleware reads them. */
export interface CallOptionsLike {
  readonly prompt?: readonly unknown[];
  readonly providerOptions?: ProviderOptionsLike;
  readonly abortSignal?: AbortSignal;
  readonly responseFormat?: unknown;
}

/** A doStream result: a stream of parts plus request/response data the middleware leaves alone. */
export interface StreamResultLike {
  readonly stream: ReadableStream<unknown>;
}

/** A doGenerate result, as far as the middleware reads it. */
export interface GenerateResultLike {
  readonly content?: readonly unknown[];
  readonly finishReason?: unknown;
  readonly usage?: unknown;
  readonly response?: { readonly id?: string; readonly modelId?: string };
}
