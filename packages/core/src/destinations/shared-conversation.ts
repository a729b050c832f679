import type { DestinationSendContext } from '../spec/chat-trail-destination';
import type { DestinationStore } from '../spec/chat-trail-store';
import type { ThreadGroup } from './group-by-thread';
import type { ConversationRef, MieltoConversationResolver } from './mielto-conversation-resolver';

/** How long a creation may hold a thread's lock: one POST ends well within it; a crashed holder's expires. */
const LOCK_MS = 30_000;
const POLL_MS = 25;
const POLL_MAX_MS = 250;

/**
 * The conversation of a thread the shared store has no conversation for, created once across instances:
 * the instance that takes the thread's lock (`SET NX PX`) asks the store again, creates the conversation
 * and stores its id; the others wait for that id, until the trail's `timeoutMs` plus 1 s. Undefined when
 * the wait ran out, or the store stopped answering half-way (the thread's turns are retried): once the
 * lock was seen held, a store that does not answer is no reason to create a second conversation. Without
 * an answer to the first `lock` the conversation is created as without a store (single-flight in this
 * process).
 */
export async function sharedConversation(
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
        const answer = await store.sync([{ threadId, entries: [] }]);
        if (answer === undefined) return undefined;
        const value = answer.threads[0]?.value;
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
    if (stored !== undefined) {
      context.debug(
        `${resolver.name}: thread ${threadId}: conversation ${stored} created by another instance`,
      );
      return { conversationId: stored, created: false };
    }
  }
}

/** Stores the new conversation's id, trying again until `deadline` while the store does not answer. */
async function storeValue(
  store: DestinationStore,
  threadId: string,
  value: string,
  deadline: number,
): Promise<boolean> {
  for (let wait = POLL_MS; ; wait = Math.min(wait * 2, POLL_MAX_MS)) {
    if (await store.setValue(threadId, value)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(wait);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function storedValue(store: DestinationStore, threadId: string): Promise<string | undefined> {
  return (await store.sync([{ threadId, entries: [] }]))?.threads[0]?.value;
}
