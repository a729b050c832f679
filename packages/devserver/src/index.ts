export type { DevServerStats } from './admin/dev-server-stats.js';
export type { RequestLogEntry } from './admin/request-log.js';
export type { ViewerMessage, ViewerThread } from './admin/viewer-threads.js';
export { type DevServerEnvOptions, devServerEnv, devServerUrl } from './dev-server-env.js';
export type { DevServerOptions } from './dev-server-options.js';
export type { ActiveFault, FaultRule } from './faults/fault-rule.js';
export { type DevServer, startDevServer } from './start-dev-server.js';
export type { MelodiMessage, MelodiUser } from './store/melodi-store.js';
export type { MieltoConversation, MieltoMessage } from './store/mielto-store.js';
