import type { JsonValue, TurnUser } from '@chattrail/core';
import type { MessageInput } from '../extract';

/** The request shapes the middleware understands without help. */
export type ChatFormat = 'openai-chat' | 'openai-responses' | 'ai-sdk-ui' | 'custom';

/** A request recognised as a chat turn: the conversation and whatever identity its body carries. */
export interface RecognisedRequest {
  format: ChatFormat;
  messages: MessageInput[];
  threadId?: string;
  user?: TurnUser;
  model?: string;
  metadata?: Record<string, JsonValue>;
  /** Responses API server-side state: `input` then holds only the new items, not the history. */
  previousResponseId?: string;
  conversationId?: string;
}
