// The library behind the `chattrail` command, for scripts that import from code.
export {
  MieltoImportDestination,
  type MieltoImportDestinationOptions,
} from './destinations/mielto-import-destination';
export { ImportInputError } from './formats/import-input-error';
export { type ConversationOrigin, derivedThreadId, openAIChatToTurn } from './formats/openai-chat-to-turn';
export type { CheckpointFile, InputCheckpoint } from './import/import-checkpoint';
export { BACKENDS, type Backend } from './import/import-destinations';
export { type ImportFailure, type ImportOptions, type ImportSummary, runImport } from './import/run-import';
