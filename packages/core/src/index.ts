// The Turn model: the one value every adapter produces.

// Ambient identity for adapters.
export {
  type ChatTrailCapture,
  type ChatTrailContext,
  getChatTrailContext,
  getChatTrailContextMode,
  withChatTrail,
} from './context/chat-trail-context';
export type { ContextMode } from './context/context-store';
export {
  type ConversationStore,
  InMemoryConversationStore,
  type InMemoryConversationStoreOptions,
} from './destinations/conversation-store';
export { MelodiDestination, type MelodiDestinationOptions, melodi } from './destinations/melodi-destination';
export { MieltoDestination, type MieltoDestinationOptions, mielto } from './destinations/mielto-destination';
export { readEnv } from './env/read-env';
// HTTP: errors, retry policy and the options both clients share.
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  type APIErrorInit,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ChatTrailError,
  ConflictError,
  InternalServerError,
  InvalidResponseError,
  NotFoundError,
  PayloadTooLargeError,
  PaymentRequiredError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
  type ValidationErrorItem,
} from './errors';
export { type BackoffOptions, backoffDelayMs } from './http/backoff';
export type { HttpClientOptions, RequestOptions, RetryInfo } from './http/http-options';
export { isAmbiguousError } from './http/is-ambiguous-error';
export { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, MAX_RETRY_AFTER_MS } from './http/request-json';
export { parseRetryAfter } from './http/retry-after';
export { isRetryableError, isRetryableStatus } from './http/retryable';
// Melodi.
export { MELODI_DEFAULT_BASE_URL, MelodiClient, type MelodiClientOptions } from './melodi/melodi-client';
export { MelodiFeedback } from './melodi/melodi-feedback';
export type {
  MelodiExternalUser,
  MelodiFeedbackCreate,
  MelodiFeedbackResult,
  MelodiMessage,
  MelodiMessageType,
  MelodiThread,
  MelodiThreadUpsert,
  MelodiThreadUpsertParams,
  MelodiThreadUser,
  MelodiUserSegment,
} from './melodi/melodi-models';
export { MelodiThreads } from './melodi/melodi-threads';
// Mielto.
export {
  MIELTO_DEFAULT_BASE_URL,
  MieltoClient,
  type MieltoClientOptions,
  type MieltoOpenAICompatibleConfig,
} from './mielto/mielto-client';
export { MieltoConversations } from './mielto/mielto-conversations';
export { MieltoMessages } from './mielto/mielto-messages';
export type {
  Conversation,
  ConversationCreateParams,
  ConversationList,
  ConversationListParams,
  ConversationStatus,
  CreateMessages,
  HTTPValidationError,
  MessageCreateRequest,
  MessageRead,
  MieltoMessageRole,
} from './mielto/mielto-models';
export { MieltoPage, MieltoPagePromise } from './mielto/mielto-page';
// Normalisation: what record() applies before anything is queued.
export { contentPartPlaceholder } from './normalize/content-part-placeholder';
export { formatBytes } from './normalize/format-bytes';
export { jsonByteLength } from './normalize/json-byte-length';
export { messageId, turnMessageId } from './normalize/message-id';
export { type JsonSafeOptions, toJsonSafe } from './normalize/to-json-safe';
export { truncateUtf8, truncationMarker } from './normalize/truncate-utf8';
export { utf8ByteLength } from './normalize/utf8-byte-length';
export {
  ChatTrailConnectionError,
  type ChatTrailConnectionErrorInit,
} from './pipeline/chat-trail-connection-error';
export {
  ChatTrailDeliveryError,
  type ChatTrailDeliveryErrorInit,
} from './pipeline/chat-trail-delivery-error';
export { CHAT_TRAIL_DEFAULTS, type ChatTrailOptions } from './pipeline/chat-trail-options';
export { createChatTrail } from './pipeline/create-chat-trail';
export type { WaitUntil } from './pipeline/find-wait-until';
// Redaction: maskers and the redact function built from them.
export { maskApiKeys } from './redact/mask-api-keys';
export { maskCardNumbers, passesLuhn } from './redact/mask-card-numbers';
export { maskEmails } from './redact/mask-emails';
export { maskPhoneNumbers } from './redact/mask-phone-numbers';
export { defaultMaskers, redactText } from './redact/redact-text';
export type { TextMasker } from './redact/text-masker';
// The trail.
export type {
  ChatTrail,
  ChatTrailDrop,
  ChatTrailFeedback,
  ChatTrailStats,
  DestinationStats,
  DropCounts,
  DropReason,
  FeedbackStats,
  FlushOptions,
  FlushReport,
} from './spec/chat-trail';
// Destinations: the spec every backend implements, and the two built in.
export type {
  ChatTrailDestination,
  DeliveryItem,
  DeliveryOutcome,
  DestinationSendContext,
  EarlierMessages,
} from './spec/chat-trail-destination';
export type {
  JsonObject,
  JsonValue,
  Turn,
  TurnMessage,
  TurnMessageRole,
  TurnMessagesMode,
  TurnModel,
  TurnSource,
  TurnStatus,
  TurnToolCall,
  TurnToolResult,
  TurnUsage,
  TurnUser,
} from './spec/turn';
export type { TurnRecorder } from './spec/turn-recorder';
export { VERSION } from './version';
