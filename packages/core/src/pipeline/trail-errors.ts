import { ChatTrailDeliveryError, type ChatTrailError } from '../errors';
import { messageOf } from '../internal/message-of';
import { quietly } from '../internal/quietly';

/** Distinct failures kept for flush reports, and distinct keys remembered for "report once". */
const MAX_REMEMBERED = 100;

/** A trail's recent failures (for flush reports) and which `onError` has heard of already; both bounded. */
export class TrailErrors {
  readonly #reported = new Set<string>();
  readonly #recent: { at: number; message: string }[] = [];

  constructor(private readonly onError: (error: ChatTrailError) => void) {}

  /** True the first time `key` is seen. */
  once(key: string): boolean {
    if (this.#reported.has(key) || this.#reported.size >= MAX_REMEMBERED) return false;
    this.#reported.add(key);
    return true;
  }

  remember(message: string): void {
    this.#recent.push({ at: Date.now(), message });
    if (this.#recent.length > MAX_REMEMBERED) this.#recent.splice(0, this.#recent.length - MAX_REMEMBERED);
  }

  /** The distinct messages remembered since `at` (`Date.now()`). */
  since(at: number): string[] {
    return [...new Set(this.#recent.filter((e) => e.at >= at).map((e) => e.message))];
  }

  emit(error: ChatTrailError): void {
    quietly(() => this.onError(error)); // an observer must not change what the trail does
  }

  /** Remembers the error, and hands it to `onError` the first time `key` is seen. */
  reportOnce(key: string, error: ChatTrailError): void {
    this.remember(error.message);
    if (this.once(key)) this.emit(error);
  }

  reportInternal(where: string, error: unknown): void {
    const message = `internal error in ${where}(): ${messageOf(error)}`;
    const report = new ChatTrailDeliveryError(message, { reason: 'internal_error', count: 1, cause: error });
    this.reportOnce(`internal_error:${where}:${messageOf(error)}`, report);
  }
}
