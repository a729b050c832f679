// `@chattrail/core/adapter`: helpers for code that builds on the core — the adapter packages, custom
// destinations and importers. Apps need only the root entry. Everything here is a pure function or a
// constant, or (isRetryableError, isAmbiguousError) reads the root's error classes through the same shared
// chunk, so nothing here holds state of its own apart from the root.

export { beginCapture } from './adapter/begin-capture';
export { getChatTrailContextMode } from './context/chat-trail-context';
export {
  InMemoryConversationStore,
  type InMemoryConversationStoreOptions,
} from './destinations/conversation-store';
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
