import type { RequestOptions } from '../http/http-options';
import { isAmbiguousError } from '../http/is-ambiguous-error';
import { LruMap } from '../internal/lru-map';
import { messageOf } from '../internal/message-of';
import type { MieltoClient } from '../mielto/mielto-client';
import type { DestinationSendContext } from '../spec/chat-trail-destination';
import type { Turn } from '../spec/turn';
import { leadingSystemCount } from '../thread/leading-system-count';
import { turnOutputStart } from '../thread/turn-output-start';
import type { ConversationStore } from './conversation-store';
import type { ThreadGroup } from './group-by-thread';

export interface ConversationRef {
  conversationId: string;
  /** False when the conversation existed before (found in the store or by lookup). */
  created: boolean;
}

/** Per batch: thread id → its existing conversation as the look-ahead found it (undefined: none yet). */
export type LookAhead = Map<string, Promise<ConversationRef | undefined>>;

export interface ConversationResolverConfig {
  name: string;
  client: MieltoClient;
  store: ConversationStore;
  agentId: string;
  lookupPages: number;
  requestOptions(context: DestinationSendContext): RequestOptions;
}

/**
 * A thread's Mielto conversation: stored, else looked up by `meta_data.thread_id`, else created (once per
 * thread); a creation whose answer was lost is followed by a lookup, never by a second creation.
 */
export class MieltoConversationResolver {
  readonly #creating = new Map<string, Promise<ConversationRef>>();
  /** Created ambiguously, not found since: looked up even with `lookupPages: 0`; if found, ours and empty. */
  readonly #unconfirmedCreates = new LruMap<string, true>(10_000);

  constructor(readonly config: ConversationResolverConfig) {}

  /** The existing conversation of a thread (undefined: none), looked for once per batch; never creates. */
  found(group: ThreadGroup, ahead: LookAhead, context: DestinationSendContext) {
    let finding = ahead.get(group.threadId);
    if (finding === undefined) {
      const turn = group.turns[0]!;
      finding =
        this.#creating.get(group.threadId) ??
        this.#findExisting(turn, context, group.starts[0] === 0 && isFirstTurn(turn));
      ahead.set(group.threadId, finding);
    }
    return finding;
  }

  /** Once per thread; asks the store again first (an app's own concurrent send() may have stored one). */
  createOnce(turn: Turn, context: DestinationSendContext): Promise<ConversationRef> {
    const inFlight = this.#creating.get(turn.threadId);
    if (inFlight !== undefined) return inFlight;
    const creating = (async (): Promise<ConversationRef> => {
      const stored = await this.storeGet(turn.threadId, context);
      return stored === undefined
        ? this.createConversation(turn, context)
        : { conversationId: stored, created: false };
    })().finally(() => this.#creating.delete(turn.threadId));
    this.#creating.set(turn.threadId, creating);
    return creating;
  }

  /** Stored, else looked up (then stored); `first` (see `isFirstTurn`): nothing to look up. */
  async #findExisting(turn: Turn, context: DestinationSendContext, first: boolean) {
    const { threadId } = turn;
    const stored = await this.storeGet(threadId, context);
    if (stored !== undefined) return { conversationId: stored, created: false };
    const found = await this.#findConversation(turn, context, first);
    if (found === undefined) return undefined;
    context.debug(`${this.config.name}: found conversation ${found} of thread ${threadId}`);
    await this.#tryStore('set', context, (store) => store.set(threadId, found));
    // Ours, created by an attempt whose answer was lost: nothing of the thread was written to it yet.
    const created = this.#unconfirmedCreates.delete(threadId);
    return { conversationId: found, created };
  }

  /** Creates the thread's conversation and stores its id. */
  async createConversation(turn: Turn, context: DestinationSendContext): Promise<ConversationRef> {
    const { threadId } = turn;
    context.onRequest();
    let conversationId: string;
    try {
      const conversation = await this.config.client.conversations.create(
        {
          ...(turn.user?.id === undefined ? {} : { user_id: turn.user.id }),
          title: conversationTitle(turn),
          meta_data: {
            thread_id: threadId,
            source: 'chattrail',
            adapter: turn.source,
            agent_id: this.config.agentId,
          },
        },
        { ...this.config.requestOptions(context), retryAmbiguous: false },
      );
      conversationId = conversation.id;
      context.debug(`${this.config.name}: created conversation ${conversationId} for thread ${threadId}`);
    } catch (error) {
      if (!isAmbiguousError(error)) throw error;
      // The conversation may exist: find it rather than create a second one, now or on the retry.
      context.onAmbiguous();
      this.#unconfirmedCreates.set(threadId, true);
      context.debug(
        `${this.config.name}: creating the conversation of thread ${threadId} may have succeeded (${messageOf(error)}); looking it up`,
      );
      const found = await this.#findConversation(turn, context).catch(() => undefined);
      if (found === undefined) throw error;
      conversationId = found;
      context.debug(`${this.config.name}: found conversation ${found} of thread ${threadId}`);
    }
    this.#unconfirmedCreates.delete(threadId);
    await this.#tryStore('set', context, (store) => store.set(threadId, conversationId));
    return { conversationId, created: true };
  }

  async #findConversation(turn: Turn, context: DestinationSendContext, first = false) {
    // A thread whose creation may have succeeded unseen is looked up even when lookups are off.
    const { lookupPages: pagesAsked } = this.config;
    const unconfirmed = this.#unconfirmedCreates.peek(turn.threadId) !== undefined;
    const lookupPages = unconfirmed ? Math.max(1, pagesAsked) : first ? 0 : pagesAsked;
    if (lookupPages === 0) return undefined;
    const params = turn.user?.id === undefined ? { limit: 1000 } : { limit: 1000, user_id: turn.user.id };
    context.onRequest();
    let page = await this.config.client.conversations.list(params, this.config.requestOptions(context));
    for (let pages = 1; ; pages++) {
      for (const conversation of page.data) {
        if (conversation.meta_data?.thread_id === turn.threadId) return conversation.id;
      }
      if (pages >= lookupPages || !page.hasNextPage()) return undefined;
      context.onRequest();
      page = await page.getNextPage();
    }
  }

  async storeGet(threadId: string, context: DestinationSendContext): Promise<string | undefined> {
    const value = await this.#tryStore('get', context, (store) => store.get(threadId));
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  storeDelete(threadId: string, context: DestinationSendContext): Promise<unknown> {
    return this.#tryStore('delete', context, (store) => store.delete?.(threadId));
  }

  /** A store that throws is worked around: a miss (`get`), or nothing stored. */
  async #tryStore<T>(op: string, context: DestinationSendContext, call: (store: ConversationStore) => T) {
    try {
      return await call(this.config.store);
    } catch (error) {
      const then = op === 'get' ? 'treated as a miss' : 'ignored';
      context.debug(`${this.config.name}: conversationStore.${op} failed (${messageOf(error)}); ${then}`);
      return undefined;
    }
  }
}

const TITLE_MAX_CHARS = 80;

/** The first user message on one line, cut at ~80 characters (whole code points); else the thread id. */
function conversationTitle(turn: Turn): string {
  const firstUser = turn.messages.find(
    (message) =>
      message.role === 'user' && typeof message.content === 'string' && message.content.trim() !== '',
  );
  if (firstUser === undefined) return turn.threadId;
  const line = firstUser.content.replace(/\s+/g, ' ').trim();
  const chars = Array.from(line.length > TITLE_MAX_CHARS * 2 ? line.slice(0, TITLE_MAX_CHARS * 2) : line);
  return chars.length <= TITLE_MAX_CHARS
    ? chars.join('')
    : `${chars.slice(0, TITLE_MAX_CHARS - 1).join('')}…`;
}

/**
 * Whether a turn is provably its thread's first: recorded as the whole history (`turnMessages: 'history'`,
 * which a replayed turn no longer says) and that history is one user message after system messages only.
 */
export function isFirstTurn(turn: Turn): boolean {
  const output = turnOutputStart(turn.messages);
  return turn.turnMessages === 'history' && output > 0 && leadingSystemCount(turn.messages) === output - 1;
}
