import { ChatTrailError } from '../errors';
import type { LruMap } from '../internal/lru-map';
import { runWithConcurrency } from '../internal/run-with-concurrency';
import type { DeliveryOutcome, DestinationSendContext } from '../spec/chat-trail-destination';
import type { DestinationStore } from '../spec/chat-trail-store';
import { loggedHistoryEnd } from '../thread/logged-history-end';
import { classifyDeliveryError } from './classify-delivery-error';
import { type ThreadGroup, wholeTurns } from './group-by-thread';
import { mergeThreadMessages } from './merge-thread-messages';
import type { ConversationRef, MieltoConversationResolver } from './mielto-conversation-resolver';
import type { ThreadCursor } from './mielto-destination';

/** A creation's lock: one POST ends well within it; a crashed holder's expires. */
const LOCK_MS = 30_000;
const POLL_MS = 25;
const POLL_MAX_MS = 250;

/** What a batch took from the shared store, for settling it once sent. */
export interface SharedBatch {
  /** Per thread: the conversation the batch writes to, and the message ids it claimed in the store. */
  threads: Map<string, { conversationId?: string; claimed: string[] }>;
  /** Threads settled before sending: their conversation could not be had. */
  outcomes: Map<string, DeliveryOutcome>;
}

/** One round trip claims the ids the batch would write, and a cursor per thread; undefined: no answer. */
export async function primeFromStore(
  groups: readonly ThreadGroup[],
  store: DestinationStore,
  cursors: LruMap<string, ThreadCursor>,
  resolver: MieltoConversationResolver,
  concurrency: number,
  context: DestinationSendContext,
): Promise<SharedBatch | undefined> {
  const candidates = groups.map((group) => {
    const local = cursors.peek(group.threadId);
    const skip = local === undefined ? undefined : (m: { id: string }) => local.sent.has(m.id);
    return mergeThreadMessages(group.turns, skip, group.starts);
  });
  const answer = await store.sync(
    groups.map((group, i) => ({
      threadId: group.threadId,
      entries: candidates[i]!.map((entry) => ({ id: entry.message.id })),
    })),
  );
  if (answer === undefined) {
    // Other instances may have written these threads since: earlier turns' messages are assumed logged.
    for (const group of groups) {
      const cursor = cursors.peek(group.threadId);
      for (const { messages } of cursor === undefined ? [] : group.turns) {
        for (let m = 0; m < loggedHistoryEnd(messages); m++) cursor!.sent.add(messages[m]!.id);
      }
    }
    return undefined;
  }
  const batch: SharedBatch = { threads: new Map(), outcomes: new Map() };
  await runWithConcurrency(groups, concurrency, async (group, i) => {
    const { threadId } = group;
    const state = answer.threads[i]!;
    const held: string[] = [];
    const claimed: string[] = [];
    for (const [j, entry] of candidates[i]!.entries())
      (state.added[j] ? claimed : held).push(entry.message.id);
    const thread: { conversationId?: string; claimed: string[] } = { claimed };
    batch.threads.set(threadId, thread);
    let cursor = cursors.get(threadId);
    // The store lost the thread while it has a conversation: repaired below.
    let lost = state.value === undefined && cursor !== undefined;
    try {
      if (cursor === undefined) {
        let conversationId = state.value;
        // A store that starts empty may lack a thread that follows earlier turns: look for its conversation.
        const hasHistory = group.starts[0]! > 0 || loggedHistoryEnd(group.turns[0]!.messages) > 0;
        if (conversationId === undefined && answer.fresh && hasHistory) {
          const found = await resolver.found(group, new Map(), context);
          if (found !== undefined) {
            conversationId = found.conversationId;
            lost = true;
          }
        }
        if (conversationId === undefined) {
          const ref = await sharedConversation(group, store, resolver, context);
          if (ref === undefined) {
            batch.outcomes.set(threadId, {
              status: 'retry',
              error: new ChatTrailError(
                `${resolver.config.name}: another instance is creating the conversation of thread ${threadId}`,
              ),
            });
            return;
          }
          conversationId = ref.conversationId;
        }
        cursor = { conversationId, sent: new Set(), whole: false };
        cursors.set(threadId, cursor);
      } else if (state.value !== undefined) cursor.conversationId = state.value;
      for (const id of held) cursor.sent.add(id);
      if (lost) await repairLostThread(group, cursor, store);
      thread.conversationId = cursor.conversationId;
    } catch (error) {
      batch.outcomes.set(threadId, classifyDeliveryError(error));
    }
  });
  return batch;
}

/** After the batch: gives back the claims of unwritten messages, and stores a conversation that replaced one. */
export async function settleShared(
  batch: SharedBatch,
  store: DestinationStore,
  cursors: LruMap<string, ThreadCursor>,
): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (const [threadId, thread] of batch.threads) {
    const cursor = cursors.peek(threadId);
    const unsent =
      cursor === undefined ? thread.claimed : thread.claimed.filter((id) => !cursor.sent.has(id));
    if (unsent.length > 0) pending.push(store.remove(threadId, unsent));
    const { conversationId } = thread;
    if (cursor !== undefined && conversationId !== undefined && cursor.conversationId !== conversationId)
      pending.push(store.setValue(threadId, cursor.conversationId));
  }
  await Promise.all(pending);
}

/** The store lost a thread whose conversation exists: it learns it again, with its logged history. */
async function repairLostThread(group: ThreadGroup, cursor: ThreadCursor, store: DestinationStore) {
  const turns = wholeTurns(group);
  const messages = turns[turns.length - 1]!.messages;
  const logged = messages.slice(0, loggedHistoryEnd(messages));
  for (const message of logged) cursor.sent.add(message.id);
  await store.setValue(group.threadId, cursor.conversationId);
  await store.sync([{ threadId: group.threadId, entries: logged.map((message) => ({ id: message.id })) }]);
}

/** Created once across instances, by the lock's taker; the others wait `timeoutMs` + 1 s, else undefined. */
async function sharedConversation(
  group: ThreadGroup,
  store: DestinationStore,
  resolver: MieltoConversationResolver,
  context: DestinationSendContext,
): Promise<ConversationRef | undefined> {
  const { threadId } = group;
  const turn = group.turns[0]!;
  const deadline = Date.now() + context.timeoutMs + 1_000;
  for (let wait = POLL_MS, first = true; ; wait = Math.min(wait * 2, POLL_MAX_MS), first = false) {
    const locked = await store.lock(threadId, LOCK_MS);
    if (locked === undefined && first) return resolver.createOnce(turn, context);
    if (locked === true) {
      let unstored = false;
      try {
        const value = await storedValue(store, threadId);
        if (value === null) return undefined;
        if (value !== undefined) return { conversationId: value, created: false };
        const ref = await resolver.createConversation(turn, context);
        unstored = !(await storeValue(store, threadId, ref.conversationId, deadline));
        return ref;
      } finally {
        // Created, not stored: the lock stays until it expires, so the others wait instead of creating.
        if (!unstored) await store.unlock(threadId);
      }
    }
    if (Date.now() >= deadline || context.signal.aborted) return undefined;
    await sleep(wait);
    const stored = await storedValue(store, threadId);
    if (typeof stored === 'string') {
      context.debug(
        `${resolver.config.name}: thread ${threadId}: conversation ${stored} created by another instance`,
      );
      return { conversationId: stored, created: false };
    }
  }
}

/** Stores the new conversation's id, trying again until `deadline` while the store does not answer. */
async function storeValue(store: DestinationStore, threadId: string, value: string, deadline: number) {
  for (let wait = POLL_MS; ; wait = Math.min(wait * 2, POLL_MAX_MS)) {
    if (await store.setValue(threadId, value)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(wait);
  }
}

/** The thread's stored conversation; null when the store did not answer. */
async function storedValue(store: DestinationStore, threadId: string): Promise<string | undefined | null> {
  const answer = await store.sync([{ threadId, entries: [] }]);
  return answer === undefined ? null : answer.threads[0]?.value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
