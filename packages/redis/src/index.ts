// `@chattrail/redis`: the state several instances of a chat app share, so that a conversation whose turns
// land on different instances is one conversation at each backend.
export type { RedisClientLike } from './redis-commands';
export { type RedisStore, type RedisStoreOptions, type RedisStoreTarget, redisStore } from './redis-store';
