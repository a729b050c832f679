import type { MieltoClient } from '../mielto/mielto-client';
import type { ClientDestinationOptions } from './client-destination-options';
import type { ConversationStore } from './conversation-store';

/** Options of {@link mielto}. */
export interface MieltoDestinationOptions extends ClientDestinationOptions<MieltoClient> {
  /** Default: `MIELTO_API_KEY`. Ignored when `client` is given. */
  apiKey?: string;
  /** Default: `MIELTO_BASE_URL`, else `https://api.mielto.com/api/v1`. Ignored when `client` is given. */
  baseUrl?: string;
  /** Sent as `X-Workspace-Id`; only for keys with several workspaces. Ignored when `client` is given. */
  workspaceId?: string;
  /** `sender_id` of assistant, tool and system messages. Default `'assistant'`. */
  agentId?: string;
  /** Whether Mielto extracts memories from the messages (`enable_memories`). Default false. */
  enableMemories?: boolean;
  /** Where thread → conversation ids are kept. Default: an in-memory LRU of 10,000 threads. */
  conversationStore?: ConversationStore;
  /** Messages per `POST /messages`; a thread with more new messages is sent in ordered chunks. Default 100. */
  maxMessagesPerRequest?: number;
  /**
   * Pages of 1,000 conversations (the user's, else the workspace's, newest first) searched by
   * `meta_data.thread_id` before creating one for a thread this process has not seen. 0: off. Default 3.
   */
  lookupPages?: number;
  /** Threads whose sent-message cursor is kept (LRU). Default 10,000. */
  maxTrackedThreads?: number;
  /** Message ids kept across all cursors (~40 bytes each), oldest threads first out. Default 250,000. */
  maxTrackedMessages?: number;
  /**
   * Threads written in parallel within one batch. Default 8. New threads (up to three round trips: look up,
   * create, append) get as many slots again and are looked up ahead, so they do not hold up known ones: at
   * most three times `concurrency` requests in flight. A conversation is created right before its first
   * append, so a batch cut short leaves no empty one behind.
   */
  concurrency?: number;
  /**
   * A `POST /messages` whose outcome is unknown (Mielto takes no idempotency key; counted in
   * `stats().ambiguous`): `'at-most-once'` (default) takes it as stored, so it may be lost; `'at-least-once'`
   * resends it, so it may be stored twice (de-duplicate by `meta_data.chattrail_message_id`).
   * A conversation is never created twice: after a lost answer the thread is looked up first.
   */
  delivery?: 'at-most-once' | 'at-least-once';
  /** Name in stats, logs and errors. Default `'mielto'`. */
  name?: string;
}
