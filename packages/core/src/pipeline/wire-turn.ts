import type { Turn, TurnMessage } from '../spec/turn';
import type { TurnHead } from '../thread/turn-delta';

/** A message as it crosses: `[id, role, content]` when that is all it has, else itself. */
export type WireMessage = readonly [id: string, role: string, content: string] | TurnMessage;

type Rare = Pick<Turn, 'usage' | 'timeToFirstTokenMs' | 'error' | 'metadata'>;
type Place = [
  seq: number,
  lanes: number,
  bytes: number,
  mirror: number,
  have: number,
  own: number,
  start: number,
];

/**
 * A turn item as it crosses to the worker, by position: half the JSON of the item object, parsed in a third
 * of the time. `head` (see `turnHead`) 0: the thread's last, kept by the worker; `prefix`: thread messages the worker lacks before `start`.
 */
export type WireTurn = [
  ...place: Place,
  head: TurnHead | 0,
  id: string,
  startedAt: string,
  endedAt: string,
  messages: readonly WireMessage[],
  prefix: readonly WireMessage[] | 0,
  rare: Rare | 0,
  threadBytes: number,
];

/** `turn` as it crosses after its `place`, with `head` (0: the thread's last) and the `prefix` the worker lacks. */
export function wireTurn(
  place: Place,
  head: TurnHead | 0,
  turn: Turn,
  prefix: readonly TurnMessage[] | undefined,
  threadBytes = 0,
): WireTurn {
  const { usage, timeToFirstTokenMs, error, metadata } = turn;
  const rare =
    usage !== undefined || timeToFirstTokenMs !== undefined || error !== undefined || metadata !== undefined;
  return [
    ...place,
    head,
    turn.id,
    turn.startedAt,
    turn.endedAt,
    turn.messages.map(wireMessage),
    prefix === undefined ? 0 : prefix.map(wireMessage),
    rare ? { usage, timeToFirstTokenMs, error, metadata } : 0,
    threadBytes,
  ];
}

/** The turn `wire` carries, `head` its thread's (the wire's own, or the last one the thread sent). */
export function turnFromWire(wire: WireTurn, head: TurnHead): Turn {
  const [, , , , , , , , id, startedAt, endedAt, messages, , rare] = wire;
  const { threadId, status, source } = head;
  const turn = { id, threadId, messages: messages.map(messageFromWire), startedAt, endedAt, status, source };
  // Both came as JSON: neither has a key for a field the turn lacks. The keys in the order `TurnDelta` gives.
  return Object.assign(turn, head, rare === 0 ? undefined : rare);
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
