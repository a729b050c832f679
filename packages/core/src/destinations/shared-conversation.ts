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
 * and stores its id; the others wait for that id, at most about the trail's timeout. Undefined when the
 * wait ran out (the thread's turns are retried). Without an answer from the store the conversation is
 * created as without one (single-flight in this process).
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
  for (let wait = POLL_MS; ; wait = Math.min(wait * 2, POLL_MAX_MS)) {
    const locked = await store.lock(threadId, LOCK_MS);
    if (locked === undefined) return resolver.createOnce(turn, context);
    if (locked) {
      try {
        const stored = await storedValue(store, threadId);
        if (stored !== undefined) return { conversationId: stored, created: false };
        const ref = await resolver.createConversation(turn, context);
        await store.setValue(threadId, ref.conversationId);
        return ref;
      } finally {
        await store.unlock(threadId);
      }
    }
    if (Date.now() >= deadline || context.signal.aborted) return undefined;
    await new Promise((resolve) => setTimeout(resolve, wait));
    const stored = await storedValue(store, threadId);
    if (stored !== undefined) {
      context.debug(
        `${resolver.name}: thread ${threadId}: conversation ${stored} created by another instance`,
      );
      return { conversationId: stored, created: false };
    }
  }
}

async function storedValue(store: DestinationStore, threadId: string): Promise<string | undefined> {
  return (await store.sync([{ threadId, entries: [] }]))?.threads[0]?.value;
}
