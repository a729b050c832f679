export { chatTrail } from './chat-trail';
export {
  type ChatRequest,
  type ChatTrailMiddleware,
  type ChatTrailOptions,
  DEFAULT_MAX_BODY_BYTES,
  type FromRequest,
} from './chat-trail-options';
export type {
  ChatTrailExtract,
  ExtractedRequest,
  ExtractedResponse,
  MessageInput,
  ResponseInfo,
} from './extract';
export type { SseEvent } from './sse/sse-parser';
