export { type DemoConversationResult, runDemoConversation } from './run-demo-conversation.ts';
export { type DevServerThread, type ExpressDemoResult, runExpressDemo } from './run-express-demo.ts';
export { type ExpressProxy, type ExpressProxyOptions, startExpressProxy } from './start-express-proxy.ts';
