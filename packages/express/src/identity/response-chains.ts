/** Where a thread stands: which thread a response id or conversation belongs to, and its length. */
export interface ChainEntry {
  threadId: string;
  /** Position of the next message in the thread. */
  nextPosition: number;
}

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
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: ChainEntry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
