export interface RequestLogEntry {
  seq: number;
  at: string;
  method: string;
  path: string;
  backend: 'mielto' | 'melodi' | 'devserver';
  status: number;
  durationMs: number;
  requestBytes: number;
  /** Which credential style was used, never the credential itself. */
  auth: 'bearer' | 'x-api-key' | 'api-key' | 'none';
  workspaceId?: string;
  userId?: string;
  fault?: string;
  note?: string;
  /** The first 2 KB of the request body, to see what a client really sent. */
  bodyPreview?: string;
}

/** A fixed-size ring of recent requests: constant memory however long the server runs. */
export class RequestLog {
  private readonly entries: RequestLogEntry[] = [];
  private next = 0;
  private seq = 0;

  constructor(private readonly capacity: number) {}

  add(entry: Omit<RequestLogEntry, 'seq'>): void {
    if (this.capacity <= 0) return;
    const full = { ...entry, seq: ++this.seq };
    if (this.entries.length < this.capacity) this.entries.push(full);
    else this.entries[this.next] = full;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Newest first. */
  recent(limit = this.capacity): RequestLogEntry[] {
    const ordered =
      this.entries.length < this.capacity
        ? [...this.entries]
        : [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
    return ordered.reverse().slice(0, limit);
  }

  clear(): void {
    this.entries.length = 0;
    this.next = 0;
  }
}
