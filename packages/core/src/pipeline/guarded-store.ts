import { ChatTrailError } from '../errors';
import { messageOf } from '../internal/message-of';
import { unrefTimer } from '../internal/unref-timer';
import type { ChatTrailStore, DestinationStore } from '../spec/chat-trail-store';
import type { TrailErrors } from './trail-errors';

/** A store call unanswered by then counts as an outage, unless the store says otherwise (`timeoutMs`). */
const STORE_TIMEOUT_MS = 2_000;
/** After an outage the store is asked again this long later; until then batches use in-process state. */
const STORE_RETRY_MS = 1_000;
/** A failure this soon after the store came back is that outage flapping: a debug line, not an `onError`. */
const FLAP_MS = 30_000;

/** The trail's store for its destinations: calls time out, never reject; an outage is reported once. */
export class GuardedStore {
  readonly #timeoutMs: number;
  /** While the store is down, when to ask it again; 0 while it answers. */
  #retryAt = 0;
  #outages = 0;
  #backAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: ChatTrailStore,
    private readonly errors: TrailErrors,
    private readonly debug: (message: string) => void,
  ) {
    const { timeoutMs } = store;
    const valid = typeof timeoutMs === 'number' && timeoutMs > 0 && Number.isFinite(timeoutMs);
    this.#timeoutMs = valid ? timeoutMs : STORE_TIMEOUT_MS;
  }

  /** The store as the destination named `scope` sees it. */
  scoped(scope: string): DestinationStore {
    const store = this.store;
    const done = () => true;
    return {
      sync: (threads) => this.#call('sync', () => store.sync(scope, threads)),
      setValue: async (threadId, value) =>
        (await this.#call('setValue', () => store.setValue(scope, threadId, value).then(done))) === true,
      remove: async (threadId, ids) =>
        (await this.#call('remove', () => store.remove(scope, threadId, ids).then(done))) === true,
      lock: (threadId, ttlMs) => this.#call('lock', () => store.lock(scope, threadId, ttlMs)),
      unlock: async (threadId) => {
        await this.#call('unlock', () => store.unlock(scope, threadId));
      },
    };
  }

  async #call<T>(what: string, run: () => Promise<T>): Promise<T | undefined> {
    if (Date.now() < this.#retryAt) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // A call that answers after its timeout must not become an unhandled rejection: `reject` takes it.
      const answer = await new Promise<T>((resolve, reject) => {
        const error = () => reject(new Error(`no answer within ${this.#timeoutMs} ms`));
        timer = unrefTimer(setTimeout(error, this.#timeoutMs));
        Promise.resolve().then(run).then(resolve, reject);
      }).finally(() => clearTimeout(timer));
      if (this.#retryAt !== 0) {
        this.#retryAt = 0;
        this.#backAt = Date.now();
        this.debug('store: answering again; shared state in use');
      }
      return answer;
    } catch (error) {
      if (this.#retryAt === 0) {
        const message = `store: ${what} failed (${messageOf(error)}); delivering with this process's own state until the store answers again`;
        if (Date.now() - this.#backAt < FLAP_MS)
          this.debug(`${message} (the outage before ended under ${FLAP_MS} ms ago: not reported again)`);
        else
          this.errors.reportOnce(`store:${++this.#outages}`, new ChatTrailError(message, { cause: error }));
      }
      this.#retryAt = Date.now() + STORE_RETRY_MS;
      return undefined;
    }
  }
}
