/** Where a thread stands: which thread a response id or conversation belongs to, and its length. */
export interface ChainEntry {
  threadId: string;
  /** Position of the next message in the thread. */
  nextPosition: number;
}

/**
 * Conversation ids come from the client's body: a longer key or thread id is not remembered (its chain is
 * then taken up as after a restart). 10,000 entries of a 90 KB id would hold 900 MB; the trail hashes such
 * a thread id to a short one anyway.
 */
const MAX_REMEMBERED_CHARS = 1024;

/**
 * Follows OpenAI Responses API chains. With `previous_response_id` or `conversation` a client sends only
 * the new input items, so the thread and the message positions are remembered per response id and
 * conversation id (bounded, least recently used first out). Per process: after a restart a chain is
 * picked up as a new segment of the same thread id (see the README).
 */
export class ResponseChains {
  private readonly entries = new Map<string, ChainEntry>();
  constructor(private readonly capacity = 10_000) {}

  get(key: string): ChainEntry | undefined {
    if (key.length > MAX_REMEMBERED_CHARS) return undefined;
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: ChainEntry): void {
    if (key.length > MAX_REMEMBERED_CHARS || entry.threadId.length > MAX_REMEMBERED_CHARS) return;
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
