import type {
  ChatTrailDestination,
  ChatTrailDrop,
  DeliveryItem,
  DeliveryOutcome,
  DestinationSendContext,
} from '@chattrail/core';

/** A conversation recorded into the trail, waiting for every destination to settle it. */
export interface TrackedConversation<At> {
  /** Where it came from, for the summary and the errors file. */
  readonly at: At;
  readonly messages: number;
  /** Why a destination gave it up; the first reason counts. */
  failure?: string;
  /** A destination found it already there. */
  skipped: boolean;
}

/** Conversations acknowledged together: the checkpoint moves past a chunk once all of it is settled. */
export class TrackedChunk<At> {
  readonly conversations: TrackedConversation<At>[] = [];
  /** Estimated bytes it holds in the trail's queues (its input text). */
  bytes = 0;
  /** How many conversations had been recorded into the trail when it was closed. */
  lastRecorded = 0;
  #unsettled = 0;
  #closed = false;
  #resolve: (() => void) | undefined;
  /** Resolves once the chunk is closed and every conversation in it is settled at every destination. */
  readonly settled: Promise<void> = new Promise((resolve) => {
    this.#resolve = resolve;
  });

  add(conversation: TrackedConversation<At>): void {
    this.conversations.push(conversation);
    this.#unsettled++;
  }

  /** Nothing more will be added. */
  close(): void {
    this.#closed = true;
    this.#check();
  }

  /** @internal */
  settleOne(): void {
    this.#unsettled--;
    this.#check();
  }

  get isSettled(): boolean {
    return this.#closed && this.#unsettled === 0;
  }

  /** Conversations of this chunk not settled yet (for a trail that lost them: see `DeliveryTracker.abandon`). */
  get unsettled(): number {
    return this.#unsettled;
  }

  #check(): void {
    if (this.#closed && this.#unsettled === 0) this.#resolve?.();
  }
}

interface Waiting<At> {
  conversation: TrackedConversation<At>;
  chunk: TrackedChunk<At>;
  /** Destinations that have not settled it yet. */
  remaining: Set<string>;
}

/**
 * Tells, per conversation, when every destination has settled it: sent (the wrapped destination answered
 * `sent`) or given up (the trail's `onDrop`). The trail's own `flush()` waits for everything queued, so
 * an importer that waited on it could not read ahead; with this, chunk N+1 is read and queued while chunk N
 * is still being delivered, and the checkpoint still moves past a chunk only when all of it is settled.
 *
 * Conversations are matched by turn id (as the trail normalises it). Two conversations with one id are
 * settled first in, first out.
 */
export class DeliveryTracker<At> {
  readonly #names: readonly string[];
  readonly #waiting = new Map<string, Waiting<At>[]>();
  readonly #isSkipped: (destination: string, item: DeliveryItem) => boolean;

  /**
   * @param isSkipped whether a destination's `sent` outcome means "already there" (see
   *   `MieltoImportDestination.takeSkipped`).
   */
  constructor(
    destinations: readonly string[],
    isSkipped: (destination: string, item: DeliveryItem) => boolean = () => false,
  ) {
    this.#names = destinations;
    this.#isSkipped = isSkipped;
  }

  /** Conversations recorded and not settled yet. */
  get size(): number {
    return this.#waiting.size;
  }

  /** Registers a conversation about to be recorded, under its normalised turn id. */
  track(key: string, conversation: TrackedConversation<At>, chunk: TrackedChunk<At>): void {
    chunk.add(conversation);
    const waiting: Waiting<At> = { conversation, chunk, remaining: new Set(this.#names) };
    const list = this.#waiting.get(key);
    if (list === undefined) this.#waiting.set(key, [waiting]);
    else list.push(waiting);
  }

  /** The destination, reporting each item it sent. */
  wrap(destination: ChatTrailDestination): ChatTrailDestination {
    const send = async (items: readonly DeliveryItem[], context: DestinationSendContext) => {
      const outcomes: DeliveryOutcome[] = await destination.send(items, context);
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        // Dropped ones come through onDrop (with the reason); retried ones come back later.
        if (item.type === 'turn' && outcomes[i]?.status === 'sent') {
          this.#settle(destination.name, item.turn.id, undefined, this.#isSkipped(destination.name, item));
        }
      }
      return outcomes;
    };
    return {
      name: destination.name,
      ...(destination.acceptsFeedback === undefined ? {} : { acceptsFeedback: destination.acceptsFeedback }),
      send,
    };
  }

  /** The trail's `onDrop`: each dropped turn is settled at that destination, failed with the reason. */
  dropped(drop: ChatTrailDrop): void {
    const reason = `${drop.destination}: ${drop.reason}${drop.error instanceof Error ? ` (${drop.error.message})` : ''}`;
    for (const turn of drop.turns) this.#settle(drop.destination, turn.id, reason, false);
  }

  /**
   * Fails what is still waiting in `chunk` at some destination: the trail drained without settling it
   * (it never reached a queue). Frees it from the tracker.
   */
  abandon(chunk: TrackedChunk<At>, reason: string): void {
    for (const [key, list] of this.#waiting) {
      const kept = list.filter((waiting) => {
        if (waiting.chunk !== chunk) return true;
        waiting.conversation.failure ??= reason;
        chunk.settleOne();
        return false;
      });
      if (kept.length === 0) this.#waiting.delete(key);
      else this.#waiting.set(key, kept);
    }
  }

  #settle(destination: string, key: string, failure: string | undefined, skipped: boolean): void {
    const list = this.#waiting.get(key);
    if (list === undefined) return;
    const index = list.findIndex((waiting) => waiting.remaining.has(destination));
    if (index === -1) return;
    const waiting = list[index]!;
    waiting.remaining.delete(destination);
    if (failure !== undefined) waiting.conversation.failure ??= failure;
    if (skipped) waiting.conversation.skipped = true;
    if (waiting.remaining.size > 0) return;
    list.splice(index, 1);
    if (list.length === 0) this.#waiting.delete(key);
    waiting.chunk.settleOne();
  }
}
