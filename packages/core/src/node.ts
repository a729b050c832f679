// `@chattrail/core/node`: what only Node can run. Kept out of the main entry, which must load on Edge
// runtimes and in browsers.
export { type UndiciTransport, type UndiciTransportOptions, undiciTransport } from './node/undici-transport';
