// @chattrail/ai-sdk: one wrapLanguageModel middleware that records every AI SDK model call (ai 5, 6, 7).
export type { ChatTrailCallOptions } from './identity/resolve-identity';
export {
  type ChatTrailMiddleware,
  type ChatTrailMiddlewareOptions,
  chatTrailMiddleware,
  PROVIDER_OPTIONS_KEY,
} from './middleware/chat-trail-middleware';
export type {
  CallOptionsLike,
  LanguageModelLike,
  SpecificationVersion,
  StreamResultLike,
} from './spec/language-model-spec';
export { CONTENT_NOT_CAPTURED } from './turn/turn-messages-builder';
export { normalizeFinishReason, normalizeUsage } from './usage/normalize-usage';
