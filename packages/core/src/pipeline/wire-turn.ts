import type { Turn, TurnMessage, TurnUsage } from '../spec/turn';

/** A turn's fields that its thread's turns share: the worker keeps them per thread, so they cross once. */
export type WireHead = Pick<Turn, 'threadId' | 'user' | 'model' | 'source' | 'status' | 'turnMessages'>;

/** A message as it crosses: `[id, role, content]` when that is all it has, else itself. */
export type WireMessage = readonly [id: string, role: string, content: string] | TurnMessage;

/**
 * A turn item as it crosses to the worker, by position: its JSON is under half the size of the item's and
 * parses in a third of the time (BENCHMARKS.md, "The event loop beside the worker"). `head` 0: the thread's
 * last; `prefix`: thread messages the worker's copy lacks before `start` (see `WireItem`).
 */
export type WireTurn = readonly [
  seq: number,
  lanes: number,
  bytes: number,
  mirror: number,
  have: number,
  own: number,
  start: number,
  head: WireHead | 0,
  id: string,
  startedAt: string,
  endedAt: string,
  usage: readonly (number | null)[] | TurnUsage | 0,
  messages: readonly WireMessage[],
  prefix: readonly WireMessage[] | 0,
  rest: Pick<Turn, 'timeToFirstTokenMs' | 'error' | 'metadata'> | 0,
];

export function isWireTurn(wire: object): wire is WireTurn {
  return Array.isArray(wire);
}

/** Whether `turn` has the fields of `head` (the same objects: a thread's turns share them, see `turnHead`). */
export function sameHead(head: WireHead, turn: Turn): boolean {
  return (
    head.threadId === turn.threadId &&
    head.user === turn.user &&
    head.model === turn.model &&
    head.source === turn.source &&
    head.status === turn.status &&
    head.turnMessages === turn.turnMessages
  );
}

export function headOf({ threadId, user, model, source, status, turnMessages }: Turn): WireHead {
  const head: WireHead = { threadId, source, status };
  if (user !== undefined) head.user = user;
  if (model !== undefined) head.model = model;
  if (turnMessages !== undefined) head.turnMessages = turnMessages;
  return head;
}

/** Where the item goes and where its messages sit in the thread (see `WireTurn`). */
export interface WirePlace {
  seq: number;
  lanes: number;
  bytes: number;
  mirror: number;
  have: number;
  own: number;
  start: number;
}

/** `turn` as it crosses, with `head` (0: the thread's last) and the `prefix` the worker lacks. */
export function wireTurn(
  place: WirePlace,
  head: WireHead | 0,
  turn: Turn,
  prefix: readonly TurnMessage[] | undefined,
): WireTurn {
  const { usage, timeToFirstTokenMs, error, metadata } = turn;
  const rare = timeToFirstTokenMs !== undefined || error !== undefined || metadata !== undefined;
  return [
    place.seq,
    place.lanes,
    place.bytes,
    place.mirror,
    place.have,
    place.own,
    place.start,
    head,
    turn.id,
    turn.startedAt,
    turn.endedAt,
    usage === undefined ? 0 : plainUsage(usage) ? tokens(usage) : usage,
    turn.messages.map(wireMessage),
    prefix === undefined ? 0 : prefix.map(wireMessage),
    rare ? { timeToFirstTokenMs, error, metadata } : 0,
  ];
}

/** The turn `wire` carries, `head` its thread's (the wire's own, or the last one the thread sent). */
export function turnFromWire(wire: WireTurn, head: WireHead): Turn {
  const [, , , , , , , , id, startedAt, endedAt, usage, messages, , rest] = wire;
  const turn: Turn = {
    id,
    threadId: head.threadId,
    messages: messages.map(messageFromWire),
    startedAt,
    endedAt,
    status: head.status,
    source: head.source,
  };
  if (head.user !== undefined) turn.user = head.user;
  if (head.model !== undefined) turn.model = head.model;
  if (head.turnMessages !== undefined) turn.turnMessages = head.turnMessages;
  if (Array.isArray(usage)) turn.usage = usageFromWire(usage);
  else if (usage !== 0) turn.usage = usage as TurnUsage;
  if (rest === 0) return turn;
  if (rest.timeToFirstTokenMs !== undefined) turn.timeToFirstTokenMs = rest.timeToFirstTokenMs;
  if (rest.error !== undefined) turn.error = rest.error;
  if (rest.metadata !== undefined) turn.metadata = rest.metadata;
  return turn;
}

export function messageFromWire(message: WireMessage): TurnMessage {
  if (!Array.isArray(message)) return message as TurnMessage;
  const [id, role, content] = message as readonly [string, TurnMessage['role'], string];
  return { id, role, content };
}

function wireMessage(message: TurnMessage): WireMessage {
  let keys = 0;
  for (const _ in message) keys++;
  const { id, role, content } = message;
  return keys === 3 && typeof id === 'string' && typeof role === 'string' && typeof content === 'string'
    ? [id, role, content]
    : message;
}

const TOKENS = ['inputTokens', 'outputTokens', 'totalTokens'] as const;

/** In, out and total tokens only (numbers or absent). */
function plainUsage(usage: TurnUsage): boolean {
  for (const key in usage) {
    if (!(TOKENS as readonly string[]).includes(key)) return false;
    if (typeof usage[key as keyof TurnUsage] !== 'number') return false;
  }
  return true;
}

function tokens(usage: TurnUsage): (number | null)[] {
  return TOKENS.map((key) => usage[key] ?? null);
}

function usageFromWire(wire: readonly (number | null)[]): TurnUsage {
  const usage: TurnUsage = {};
  TOKENS.forEach((key, index) => {
    const value = wire[index];
    if (typeof value === 'number') usage[key] = value;
  });
  return usage;
}
