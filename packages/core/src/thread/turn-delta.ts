import { flatString } from '../normalize/flat-string';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import type { Turn, TurnMessage, TurnUsage } from '../spec/turn';

/** What a thread's turns usually have in common: one object for all of them while it stays the same. */
export type TurnHead = Pick<Turn, 'threadId' | 'user' | 'model' | 'source' | 'status' | 'turnMessages'>;

/** What few turns have; `messages` when they are not a run of the thread's log. */
type TurnExtras = Pick<Turn, 'usage' | 'timeToFirstTokenMs' | 'error' | 'metadata'> & {
  readonly messages: TurnMessage[] | undefined;
  readonly at: number;
  readonly count: number;
};

// Where a turn's messages are in its thread's log and how many, as one small integer `at * SPAN + count`
// (a turn beyond either bound keeps its messages apart). A turn with extras holds them there instead.
type Span = number | TurnExtras;
const SPAN = 2 ** 14;
const MAX_AT = 2 ** 16;

/** A queued turn item in one small object: messages a run of the thread's log, `turn` built on each read. */
export class TurnDelta {
  readonly #head: TurnHead;
  readonly #id: string;
  readonly #log: readonly TurnMessage[];
  readonly #span: Span;
  readonly #startedAt: string;
  readonly #endedAt: string;
  readonly #inputTokens: number | undefined;
  readonly #outputTokens: number | undefined;
  readonly #totalTokens: number | undefined;
  readonly #bytes: number;
  #holders = 0;
  /** Estimated bytes of its thread before its own messages (see `PinnedThreads`). */
  threadBytes = 0;

  /** The item of a turn whose messages `turn.messages[from..]` are found at `log[at..]`, else kept apart. */
  static of(
    turn: Turn,
    head: TurnHead,
    bytes: number,
    log: readonly TurnMessage[] = turn.messages,
    at = 0,
    from = 0,
  ): TurnDelta {
    const { messages, usage, timeToFirstTokenMs, error, metadata } = turn;
    const count = messages.length - from;
    let apart = at >= MAX_AT || count >= SPAN;
    for (let k = 0; k < count && !apart; k++) apart = log[at + k] !== messages[from + k];
    const plain = usage === undefined || plainUsage(usage);
    const rare = !plain || timeToFirstTokenMs !== undefined || error !== undefined || metadata !== undefined;
    if (!apart && !rare) return new TurnDelta(turn, head, bytes, log, at * SPAN + count);
    const extras: TurnExtras = {
      usage: plain ? undefined : usage,
      timeToFirstTokenMs,
      error,
      metadata,
      messages: apart ? messages.slice(from) : undefined,
      at,
      count,
    };
    return new TurnDelta(turn, head, bytes, log, extras);
  }

  private constructor(turn: Turn, head: TurnHead, bytes: number, log: readonly TurnMessage[], span: Span) {
    this.#head = head;
    this.#bytes = bytes;
    this.#id = turn.id;
    this.#log = log;
    this.#span = span;
    this.#startedAt = turn.startedAt;
    this.#endedAt = turn.endedAt;
    const { usage } = turn;
    if (usage !== undefined && plainUsage(usage)) {
      this.#inputTokens = usage.inputTokens;
      this.#outputTokens = usage.outputTokens;
      this.#totalTokens = usage.totalTokens;
    }
  }

  get type(): 'turn' {
    return 'turn';
  }

  get threadId(): string {
    return this.#head.threadId;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get turn(): Turn {
    const head = this.#head;
    const span = this.#span;
    const extras = typeof span === 'number' ? undefined : span;
    const at = TurnDelta.#at(this);
    const count = typeof span === 'number' ? span % SPAN : span.count;
    const turn: Turn = {
      id: this.#id,
      threadId: head.threadId,
      messages: extras?.messages ?? this.#log.slice(at, at + count),
      startedAt: this.#startedAt,
      endedAt: this.#endedAt,
      status: head.status,
      source: head.source,
    };
    if (head.user !== undefined) turn.user = head.user;
    if (head.model !== undefined) turn.model = head.model;
    if (head.turnMessages !== undefined) turn.turnMessages = head.turnMessages;
    const usage = extras?.usage ?? tokens(this.#inputTokens, this.#outputTokens, this.#totalTokens);
    if (usage !== undefined) turn.usage = usage;
    if (extras?.timeToFirstTokenMs !== undefined) turn.timeToFirstTokenMs = extras.timeToFirstTokenMs;
    if (extras?.error !== undefined) turn.error = extras.error;
    if (extras?.metadata !== undefined) turn.metadata = extras.metadata;
    return turn;
  }

  get thread(): readonly TurnMessage[] | undefined {
    return TurnDelta.#at(this) > 0 ? this.#log : undefined;
  }

  get start(): number | undefined {
    return TurnDelta.#at(this) || undefined;
  }

  /** True for the first destination to hold it (see `QueuedBytes`). */
  hold(): boolean {
    return this.#holders++ === 0;
  }

  /** True for the last to let it go. */
  release(): boolean {
    return --this.#holders === 0;
  }

  toJSON(): DeliveryItem {
    const { turn, thread, start } = this;
    return thread === undefined ? { type: 'turn', turn } : { type: 'turn', turn, thread, start: start! };
  }

  /** What `util.inspect` shows (its fields are private). */
  [Symbol.for('nodejs.util.inspect.custom')](): DeliveryItem {
    return this.toJSON();
  }

  // Static: a private instance method or accessor would give each instance one more field (its brand).
  static #at(delta: TurnDelta): number {
    const span = delta.#span;
    return typeof span === 'number' ? Math.floor(span / SPAN) : span.at;
  }
}

/** A turn item's thread id, without building its turn. */
export function turnThreadId(item: Extract<DeliveryItem, { type: 'turn' }>): string {
  return item instanceof TurnDelta ? item.threadId : item.turn.threadId;
}

/** The thread's head when the turn's fields are the same as its (the user and model compared by value). */
export function turnHead(last: TurnHead | undefined, turn: Turn): TurnHead {
  const { source, status, turnMessages } = turn;
  const user = sameFlat(last?.user, turn.user) ? last?.user : turn.user;
  const model = sameFlat(last?.model, turn.model) ? last?.model : turn.model;
  const same = last !== undefined && user === last.user && model === last.model && source === last.source;
  if (same && status === last.status && turnMessages === last.turnMessages) return last;
  return { threadId: last?.threadId ?? flatString(turn.threadId), user, model, source, status, turnMessages };
}

function tokens(input?: number, output?: number, total?: number): TurnUsage | undefined {
  if (input === undefined && output === undefined && total === undefined) return undefined;
  const usage: TurnUsage = {};
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  if (total !== undefined) usage.totalTokens = total;
  return usage;
}

/** In, out and total tokens only, at least one: kept as three numbers. */
function plainUsage(usage: TurnUsage): boolean {
  let keys = 0;
  for (const key in usage) {
    if (key !== 'inputTokens' && key !== 'outputTokens' && key !== 'totalTokens') return false;
    keys++;
  }
  return keys > 0;
}

/** Two objects of strings with the same keys and values (a user with segments never is). */
function sameFlat<T extends object>(a: T | undefined, b: T | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  let keys = 0;
  for (const key in b) {
    if (typeof b[key] === 'object' || a[key] !== b[key]) return false;
    keys++;
  }
  for (const _ in a) keys--;
  return keys === 0;
}
