// `@chattrail/core`: what an app and a destination author need — the trail, the two destinations, the
// context, redaction, the standalone clients and the errors they throw. At most 30 runtime values
// (src/public-api.test.ts); helpers the adapter packages share are in `@chattrail/core/adapter`.

export type { ChatTrailCapture, ChatTrailContext } from './context/chat-trail-context';
export { getChatTrailContext, withChatTrail } from './context/chat-trail-context';
export type { ContextMode } from './context/context-store';
export type { ConversationStore, InMemoryConversationStoreOptions } from './destinations/conversation-store';
export type { MelodiDestination, MelodiDestinationOptions } from './destinations/melodi-destination';
export { melodi } from './destinations/melodi-destination';
export type { MieltoDestination, MieltoDestinationOptions } from './destinations/mielto-destination';
export { mielto } from './destinations/mielto-destination';
// Errors: everything core throws or reports is a ChatTrailError.
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  type APIErrorInit,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ChatTrailConnectionError,
  type ChatTrailConnectionErrorInit,
  ChatTrailDeliveryError,
  type ChatTrailDeliveryErrorInit,
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
export type { HttpClientOptions, RequestOptions, RetryInfo } from './http/http-options';
export type { Transport, TransportRequest, TransportResponse } from './http/transport';
export type { MelodiClientOptions, MelodiFeedback, MelodiThreads } from './melodi/melodi-client';
export { MelodiClient } from './melodi/melodi-client';
export type * from './melodi/melodi-models';
export {
  MieltoClient,
  type MieltoClientOptions,
  type MieltoConversations,
  type MieltoMessages,
  type MieltoOpenAICompatibleConfig,
  type MieltoPage,
  type MieltoPagePromise,
} from './mielto/mielto-client';
export type * from './mielto/mielto-models';
export type { ChatTrailOptions } from './pipeline/chat-trail-options';
export { createChatTrail } from './pipeline/create-chat-trail';
export type { WaitUntil } from './pipeline/find-wait-until';
export { maskApiKeys } from './redact/mask-api-keys';
export { maskCardNumbers } from './redact/mask-card-numbers';
export { maskEmails } from './redact/mask-emails';
export { maskPhoneNumbers } from './redact/mask-phone-numbers';
export { redactText } from './redact/redact-text';
export type { TextMasker } from './redact/text-masker';
export type * from './spec/chat-trail';
export type * from './spec/chat-trail-destination';
export type * from './spec/chat-trail-store';
export type * from './spec/turn';
export type { TurnRecorder } from './spec/turn-recorder';
