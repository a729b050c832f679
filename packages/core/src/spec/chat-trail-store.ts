/**
 * The specification of a trail's shared store: what several instances of an app (behind a load balancer)
 * share so that the turns of one conversation, landing on different instances, make one conversation at
 * each backend. `@chattrail/redis` implements it; any database can (see that package's README). Types only.
 *
 * The store keeps, per `scope` (a destination's name) and thread: an optional value (the Mielto
 * conversation id), and entries in the order they were first added, each an id with an optional body (the
 * ids of the messages a backend holds; for Melodi the message JSON too). Every key expires after the
 * store's TTL unless touched. A destination calls `sync` once per batch: one round trip on the hot path.
 */
export interface ChatTrailStore {
  /** Per thread: adds the entries it lacks (by id, in order) and answers its state. One round trip. */
  sync(scope: string, threads: readonly StoreThreadSync[]): Promise<StoreSyncAnswer>;
  /** Sets the thread's value (after creating its conversation). */
  setValue(scope: string, threadId: string, value: string): Promise<void>;
  /** Takes entries back (they were not delivered after all); without `ids`, forgets the thread. */
  remove(scope: string, threadId: string, ids?: readonly string[]): Promise<void>;
  /** Takes the thread's lock for at most `ttlMs` (`SET NX PX`): true when this instance now holds it. */
  lock(scope: string, threadId: string, ttlMs: number): Promise<boolean>;
  /** Releases the thread's lock if this instance holds it. */
  unlock(scope: string, threadId: string): Promise<void>;
}

/** One thread of a {@link ChatTrailStore.sync}. */
export interface StoreThreadSync {
  threadId: string;
  /** Entries to add unless the thread has their id, in order. */
  entries: readonly StoreEntry[];
  /** Answer the bodies the thread held before this call from this index on (see `StoreThreadState.tail`). */
  from?: number;
  /**
   * With `from` > 0: the id of the entry at `from - 1` as this instance read it. A store that holds another
   * entry there (it lost the thread, and others stored again) answers from 0.
   */
  fromId?: string;
}

export interface StoreEntry {
  id: string;
  body?: string;
}

/** A thread's state as {@link ChatTrailStore.sync} answers it. */
export interface StoreThreadState {
  value?: string;
  /** Per entry given: true when it was added, false when the thread had its id already. */
  added: boolean[];
  /** With `from`: where `tail` starts: `from`, or 0 when the thread no longer holds `fromId` at `from - 1`. */
  start?: number;
  /** With `from`: the bodies of the entries the thread held before this call, from `start` on. */
  tail?: string[];
}

export interface StoreSyncAnswer {
  /**
   * True while the store may lack threads it was told about: it began empty less than a TTL ago (its first
   * use, or it lost its data). A thread it does not know is then looked up at the backend if its turn
   * carries history; otherwise it is new, and costs no lookup.
   */
  fresh: boolean;
  threads: StoreThreadState[];
}

/**
 * A trail's store as a destination sees it in `DestinationSendContext.store`: scoped to the destination,
 * bounded by a timeout, and never rejecting. `undefined` (or `false`) means the store could not answer:
 * the destination goes on with its in-process state, and the trail has reported the outage once.
 */
export interface DestinationStore {
  sync(threads: readonly StoreThreadSync[]): Promise<StoreSyncAnswer | undefined>;
  setValue(threadId: string, value: string): Promise<boolean>;
  remove(threadId: string, ids?: readonly string[]): Promise<boolean>;
  /** `undefined`: the store could not answer (take it as no lock service). */
  lock(threadId: string, ttlMs: number): Promise<boolean | undefined>;
  unlock(threadId: string): Promise<void>;
}
