/**
 * The bytes of request bodies the server holds at once, across all requests. Each request reserves what
 * it will buffer (its Content-Length up front, or chunk by chunk when it has none) and gives it back when
 * its handling ends, so the total never passes `limit` however many uploads arrive together.
 */
export class BodyBudget {
  private used = 0;
  private highWater = 0;
  private refusedCount = 0;

  constructor(readonly limit: number) {}

  /** Reserves `bytes`, or returns false (and counts a refusal) when that would pass the limit. */
  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.limit) {
      this.refusedCount++;
      return false;
    }
    this.used += bytes;
    if (this.used > this.highWater) this.highWater = this.used;
    return true;
  }

  release(bytes: number): void {
    this.used -= bytes;
  }

  /** Forgets the peak and the refusals (not what is in flight now: those requests still hold it). */
  resetCounters(): void {
    this.highWater = this.used;
    this.refusedCount = 0;
  }

  get inFlight(): number {
    return this.used;
  }

  get peak(): number {
    return this.highWater;
  }

  get refused(): number {
    return this.refusedCount;
  }
}
