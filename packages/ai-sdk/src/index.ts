// @chattrail/ai-sdk: one wrapLanguageModel middleware that records every AI SDK model call (ai 5, 6, 7).
export type { ChatTrailCallOptions } from './identity/resolve-identity';
export {
  type ChatTrailMiddleware,
  type ChatTrailMiddlewareOptions,
  chatTrailMiddleware,
  PROVIDER_OPTIONS_KEY,
} from './middleware/chat-trail-middleware';
export { CONTENT_NOT_CAPTURED } from './turn/turn-messages-builder';
