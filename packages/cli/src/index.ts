// The library behind the `chattrail` command, for scripts that import from code.
export {
  MieltoImportDestination,
  type MieltoImportDestinationOptions,
} from './destinations/mielto-import-destination';
export { chatGPTConversationToTurn } from './formats/chatgpt-conversation-to-turn';
export { ImportInputError } from './formats/import-input-error';
export { type ConversationOrigin, derivedThreadId, openAIChatToTurn } from './formats/openai-chat-to-turn';
export { uiMessagesToTurn } from './formats/ui-messages-to-turn';
export type { CheckpointFile, InputCheckpoint } from './import/import-checkpoint';
export { BACKENDS, type Backend } from './import/import-destinations';
export { type ImportFailure, type ImportOptions, type ImportSummary, runImport } from './import/run-import';
export {
  type DetectedInput,
  detectInput,
  IMPORT_FORMATS,
  type ImportFormat,
  type InputContainer,
} from './input/detect-input';
export { JsonArraySplitter } from './input/json-array-splitter';
