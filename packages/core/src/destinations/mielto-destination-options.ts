import type { Transport } from '../http/transport';
import type { MieltoClient } from '../mielto/mielto-client';
import type { ConversationStore } from './conversation-store';

/** Options of {@link mielto}. */
export interface MieltoDestinationOptions {
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
  /**
   * A client to share (its own timeout applies unless given here; its retries do not: inside a trail each
   * request is sent once per attempt). Default: a new one.
   */
  client?: MieltoClient;
  /**
   * The `fetch` its client uses. Default: the global `fetch`, looked up per request. Ignored when `client`
   * is given.
   */
  fetch?: typeof fetch;
  /**
   * Sends its client's requests instead of `fetch` (not together with it). On Node, `undiciTransport()`
   * from `@chattrail/core/node` costs the trail less CPU per request. Ignored when `client` is given.
   */
  transport?: Transport;
  /** Per-attempt timeout. Default: the trail's `timeoutMs` (10 s). */
  timeoutMs?: number;
  /**
   * @deprecated Ignored: each request is sent once per attempt, and the trail retries a failed batch
   * (`maxAttempts`, with backoff). A value other than 0 warns once.
   */
  maxRetries?: number;
  /** Messages per `POST /messages`; a thread with more new messages is sent in ordered chunks. Default 100. */
  maxMessagesPerRequest?: number;
  /**
   * Pages of 1,000 conversations searched for one whose `meta_data.thread_id` is the thread, before a
   * conversation is created for a thread this process has not seen (the user's conversations when the
   * turn has a user, else the workspace's, newest first). 0 turns the lookup off. Default 3.
   */
  lookupPages?: number;
  /** Threads whose sent-message cursor is kept (LRU). Default 10,000. */
  maxTrackedThreads?: number;
  /**
   * Message ids kept across all cursors (~40 bytes each); beyond it the least recently written threads'
   * cursors are forgotten, as with `maxTrackedThreads`. Default 250,000.
   */
  maxTrackedMessages?: number;
  /**
   * Threads written in parallel within one batch. Default 8. A thread this process has no cursor for costs
   * up to three round trips (look up, create, append) where a known one costs one (and Melodi one PUT), so
   * such new threads get as many slots again of their own, and are looked up ahead of their slot
   * (conversation store, then the list lookup), up to as many more at once: a steady arrival of new threads
   * no longer holds up the known ones. A conversation is still created only by the thread's own slot,
   * right before its first append: a batch cut short leaves no empty conversation that a restarted process
   * would take for one whose history was logged. At most three times `concurrency` requests are in flight,
   * and only while a batch has new threads.
   */
  concurrency?: number;
  /**
   * What to do with a `POST /messages` whose outcome is unknown: sent, then the connection died, it timed
   * out, or the answer was lost (Mielto takes no idempotency key). Counted in `stats().ambiguous` either way.
   * - `'at-most-once'` (default): not sent again; its messages are taken as stored. No duplicates, but a
   *   message the server did not store after all is lost.
   * - `'at-least-once'`: sent again with the batch's retry. Nothing is lost, but a message may be stored
   *   twice; readers de-duplicate by `meta_data.chattrail_message_id`.
   *
   * Conversations are never created twice for one thread this way: after a creation whose answer was lost,
   * the thread is looked up (by `meta_data.thread_id`) before another is created, whatever `lookupPages`.
   */
  delivery?: 'at-most-once' | 'at-least-once';
  /** Name in stats, logs and errors. Default `'mielto'`. */
  name?: string;
}
