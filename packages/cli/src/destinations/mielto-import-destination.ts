import {
  APIError,
  type ChatTrailDestination,
  type DeliveryItem,
  type DeliveryOutcome,
  type DestinationSendContext,
  type JsonObject,
  type MessageCreateRequest,
  MieltoClient,
  PayloadTooLargeError,
  type Transport,
  type Turn,
  type TurnMessage,
} from '@chattrail/core';
import { isRetryableError } from '@chattrail/core/adapter';
import { HashedIdSet } from '../import/hashed-id-set';

/** Options of {@link MieltoImportDestination}. */
export interface MieltoImportDestinationOptions {
  apiKey: string;
  baseUrl?: string;
  workspaceId?: string;
  /** Conversations created at once. Default 8. */
  concurrency?: number;
  /** Per-request timeout. Default 30,000 ms. */
  timeoutMs?: number;
  /** `sender_id` of the messages the user did not write. Default `'assistant'`. */
  agentId?: string;
  /** Told how many threads were found already at Mielto, once the lookup is done. */
  onExisting?: (threadIds: number) => void;
  fetch?: typeof fetch;
  /** Sends the requests instead of `fetch` (see `Transport` in `@chattrail/core`). */
  transport?: Transport;
}

/**
 * Mielto for imports. The core's `mielto()` writes a live thread as it grows: it creates the conversation,
 * then appends; and a new process that finds the conversation assumes its history up to the last answer
 * is logged. An import that is killed between those two requests, or after an append whose answer it
 * never saw, would then lose or repeat messages when it is run again, and Mielto has no way to read back
 * which messages a conversation holds.
 *
 * So each imported conversation is written in ONE request, `POST /conversations` with its messages: at
 * Mielto it is there in full or not at all. Before the first write the destination lists the workspace's
 * conversations once and remembers the thread ids (`meta_data.thread_id`) already there; those threads are
 * skipped. A write whose fate is unknown (a timeout, a connection error, a 5xx) is retried through the
 * trail only after the list has been read again. The client does not retry by itself for the same reason.
 */
export class MieltoImportDestination implements ChatTrailDestination {
  readonly name = 'mielto';
  readonly acceptsFeedback = false;
  readonly #client: MieltoClient;
  readonly #concurrency: number;
  readonly #agentId: string;
  readonly #onExisting: ((threadIds: number) => void) | undefined;
  /** Thread ids with a conversation at Mielto; undefined until listed. */
  #present: HashedIdSet | undefined;
  /** A write's fate is unknown: list again before writing anything more. */
  #uncertain = false;
  /** Threads skipped because they were already there, until {@link takeSkipped} asks about them. */
  readonly #skipped = new Set<string>();
  /** Threads being written right now. */
  readonly #writing = new Map<string, Promise<DeliveryOutcome>>();

  constructor(options: MieltoImportDestinationOptions) {
    this.#client = new MieltoClient({
      apiKey: options.apiKey,
      baseUrl: options.baseUrl,
      workspaceId: options.workspaceId,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxRetries: 0,
      fetch: options.fetch,
      transport: options.transport,
    });
    this.#concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
    this.#agentId = options.agentId ?? 'assistant';
    this.#onExisting = options.onExisting;
  }

  /**
   * Whether the thread's last `sent` outcome meant "already there, not written"; answered once per
   * skip (so that the set stays as small as the batches).
   */
  takeSkipped(threadId: string): boolean {
    return this.#skipped.delete(threadId);
  }

  async send(items: readonly DeliveryItem[], context: DestinationSendContext): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = items.map(() => ({ status: 'sent', messages: 0 }));
    let present: HashedIdSet;
    try {
      present = await this.#presentThreads(context);
    } catch (error) {
      return items.map(() => failure(error, 0));
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) {
        const index = next++;
        const item = items[index]!;
        if (item.type !== 'turn') {
          outcomes[index] = {
            status: 'dropped',
            reason: 'internal_error',
            error: new Error('Mielto takes no feedback'),
          };
          continue;
        }
        outcomes[index] = await this.#write(item.turn, present, context);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, items.length) }, worker));
    return outcomes;
  }

  async #write(turn: Turn, present: HashedIdSet, context: DestinationSendContext): Promise<DeliveryOutcome> {
    // Two conversations of one thread in a batch: the second waits for the first, then finds it there.
    for (let writing = this.#writing.get(turn.threadId); writing !== undefined; ) {
      await writing;
      writing = this.#writing.get(turn.threadId);
    }
    if (present.has(turn.threadId)) {
      this.#skipped.add(turn.threadId);
      return { status: 'sent', messages: 0 };
    }
    const writing = this.#create(turn, present, context);
    this.#writing.set(turn.threadId, writing);
    try {
      return await writing;
    } finally {
      this.#writing.delete(turn.threadId);
    }
  }

  async #create(turn: Turn, present: HashedIdSet, context: DestinationSendContext): Promise<DeliveryOutcome> {
    try {
      context.onRequest();
      await this.#client.conversations.create(
        {
          ...(turn.user?.id === undefined ? {} : { user_id: turn.user.id }),
          title: conversationTitle(turn),
          meta_data: {
            thread_id: turn.threadId,
            source: 'chattrail',
            adapter: 'import',
            agent_id: this.#agentId,
          },
          messages: turn.messages.map((message, position) => this.#toMieltoMessage(turn, message, position)),
        },
        { signal: context.signal, timeoutMs: context.timeoutMs },
      );
      present.add(turn.threadId);
      return { status: 'sent', messages: turn.messages.length };
    } catch (error) {
      // Refused (4xx but 429): nothing was stored. 429: nothing was stored, try again later. Anything else
      // may have been stored: find out before writing again.
      if (
        !(
          error instanceof APIError &&
          error.status !== undefined &&
          error.status < 500 &&
          error.status !== 408
        )
      ) {
        this.#uncertain = true;
      }
      return failure(error, 0);
    }
  }

  async #presentThreads(context: DestinationSendContext): Promise<HashedIdSet> {
    if (this.#present !== undefined && !this.#uncertain) return this.#present;
    // Listed again (after a write of unknown fate) into the same set: whatever is listed is there.
    const found = this.#present ?? new HashedIdSet();
    context.onRequest();
    let page = await this.#client.conversations.list({ limit: 1000 }, { signal: context.signal });
    for (;;) {
      for (const conversation of page.data) {
        const threadId = conversation.meta_data?.thread_id;
        if (typeof threadId === 'string') found.add(threadId);
      }
      if (!page.hasNextPage()) break;
      context.onRequest();
      page = await page.getNextPage();
    }
    if (this.#present === undefined) this.#onExisting?.(found.size);
    this.#present = found;
    this.#uncertain = false;
    return found;
  }

  #toMieltoMessage(turn: Turn, message: TurnMessage, position: number): MessageCreateRequest {
    const result = message.toolResult;
    const content =
      result !== undefined && result.output !== null && typeof result.output !== 'string'
        ? JSON.stringify(result.output)
        : message.content;
    const request: MessageCreateRequest = { content, role: message.role };
    const senderId = message.senderId ?? (message.role === 'user' ? turn.user?.id : this.#agentId);
    if (senderId !== undefined && senderId !== '') request.sender_id = senderId;
    if (message.createdAt !== undefined) request.created_at = message.createdAt;
    if (message.toolCalls !== undefined && message.toolCalls.length > 0) {
      request.tool_calls = message.toolCalls.map((call) => ({
        id: call.id,
        type: 'function',
        function: {
          name: call.name,
          arguments: typeof call.args === 'string' ? call.args : JSON.stringify(call.args),
        },
      }));
    }
    const meta: JsonObject = {
      chattrail_message_id: message.id,
      thread_id: turn.threadId,
      turn_id: turn.id,
      position,
    };
    if (result !== undefined) {
      meta.tool_call_id = result.toolCallId;
      if (result.name !== undefined) meta.tool_name = result.name;
    }
    if (message.role === 'assistant' && turn.model?.id !== undefined) meta.model = turn.model.id;
    if (message.metadata !== undefined) meta.metadata = message.metadata;
    request.meta_data = meta;
    return request;
  }
}

function failure(error: unknown, messages: number): DeliveryOutcome {
  if (isRetryableError(error)) {
    const retryAfterMs = error instanceof APIError ? error.retryAfterMs : undefined;
    return retryAfterMs === undefined ? { status: 'retry', error } : { status: 'retry', error, retryAfterMs };
  }
  if (error instanceof PayloadTooLargeError)
    return { status: 'dropped', reason: 'too_large', error, messages };
  return { status: 'dropped', reason: 'permanent_error', error, messages };
}

const TITLE_MAX_CHARS = 80;

/** The first user message on one line, cut at ~80 characters; else the thread id (as the core's `mielto()`). */
function conversationTitle(turn: Turn): string {
  const first = turn.messages.find((m) => m.role === 'user' && m.content.trim() !== '');
  if (first === undefined) return turn.threadId;
  const chars = Array.from(
    first.content
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, TITLE_MAX_CHARS * 2),
  );
  return chars.length <= TITLE_MAX_CHARS
    ? chars.join('')
    : `${chars.slice(0, TITLE_MAX_CHARS - 1).join('')}…`;
}
