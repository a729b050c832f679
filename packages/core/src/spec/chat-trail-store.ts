/**
 * What an app's instances share so that a conversation is one at each backend (`@chattrail/redis`). Per
 * `scope` (a destination) and thread: an optional value (the Mielto conversation id) and entries in order,
 * each an id and an optional body (a message's JSON), expiring after the TTL unless touched. Types only.
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
  /** How long a call may take before the store counts as down for a second. Default 2,000 ms. */
  readonly timeoutMs?: number;
}

/** One thread of a {@link ChatTrailStore.sync}. */
export interface StoreThreadSync {
  threadId: string;
  /** Entries to add unless the thread has their id, in order. */
  entries: readonly StoreEntry[];
  /** Answer the bodies the thread held before this call from this index on (see `StoreThreadState.tail`). */
  from?: number;
  /** The id at `from - 1` as this instance read it; a store holding another there answers from 0. */
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
  /** True while the store may lack threads (it began empty within a TTL): unknown ones are looked up. */
  fresh: boolean;
  threads: StoreThreadState[];
}

/** The store as a destination sees it: scoped, never rejecting; `undefined`/`false`: use in-process state. */
export interface DestinationStore {
  sync(threads: readonly StoreThreadSync[]): Promise<StoreSyncAnswer | undefined>;
  setValue(threadId: string, value: string): Promise<boolean>;
  remove(threadId: string, ids?: readonly string[]): Promise<boolean>;
  /** `undefined`: the store could not answer (take it as no lock service). */
  lock(threadId: string, ttlMs: number): Promise<boolean | undefined>;
  unlock(threadId: string): Promise<void>;
}
