export {
  ChatTrailCallbackHandler,
  type ChatTrailCallbackHandlerOptions,
} from './handler/chat-trail-callback-handler';
export {
  type ChatTrailRegistration,
  type RegisterChatTrailOptions,
  registerChatTrail,
} from './register/register-chat-trail';
