// `@chattrail/core/adapter`: helpers for adapter packages, custom destinations and importers. Pure functions
// and constants; the error checks read the root's classes through a shared chunk, so no state of its own.

export { beginCapture } from './adapter/begin-capture';
export { getChatTrailContextMode } from './context/chat-trail-context';
export type { InMemoryConversationStoreOptions } from './destinations/conversation-store';
export { InMemoryConversationStore } from './destinations/conversation-store';
export { isAmbiguousError } from './http/is-ambiguous-error';
export { isRetryableError } from './http/retryable';
export { MELODI_DEFAULT_BASE_URL } from './melodi/melodi-client';
export { MIELTO_DEFAULT_BASE_URL } from './mielto/mielto-client';
export { boundId } from './normalize/bound-id';
export { contentPartPlaceholder } from './normalize/content-part-placeholder';
export { formatBytes } from './normalize/format-bytes';
export { jsonByteLength } from './normalize/json-byte-length';
export { messageId, textHash, turnMessageId } from './normalize/message-id';
export { type JsonSafeOptions, toJsonSafe } from './normalize/to-json-safe';
export { truncateUtf8, truncationMarker } from './normalize/truncate-utf8';
export { utf8ByteLength } from './normalize/utf8-byte-length';
export { VERSION } from './version';
