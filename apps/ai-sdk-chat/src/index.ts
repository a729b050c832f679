export { type ChatTurnResult, readUIMessageStream, sendChatTurn, type UIMessageLike } from './chat-client.ts';
export { chatPageHtml } from './chat-page.ts';
export { type ChatApp, type ChatAppOptions, type ChatAppTrail, startChatApp } from './start-chat-app.ts';
export { getWeather } from './weather-tool.ts';
