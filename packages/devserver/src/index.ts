export type { DevServerStats } from './admin/dev-server-stats.js';
export type { MergedThread } from './admin/merged-threads.js';
export type { RequestLogEntry } from './admin/request-log.js';
export type { ViewerTurn } from './admin/thread-turns.js';
export type { ViewerTokens, ViewerTurnFacts, ViewerTurnStatus } from './admin/turn-facts.js';
export type {
  ViewerMessage,
  ViewerThread,
  ViewerToolCall,
  ViewerToolResult,
} from './admin/viewer-threads.js';
export { type DevServerEnvOptions, devServerEnv, devServerUrl } from './dev-server-env.js';
export type { DevServerOptions } from './dev-server-options.js';
export type { ActiveFault, FaultRule } from './faults/fault-rule.js';
export { type DevServer, startDevServer } from './start-dev-server.js';
export type { MelodiMessage, MelodiUser } from './store/melodi-store.js';
export type { MieltoConversation, MieltoMessage } from './store/mielto-store.js';
