// What the byte-count tests of the delivery queues share: a seeded generator (a failing run replays) and
// the two bounds a lane's `queuedBytes` must stay between.

import { estimateTurnBytes } from '../src/pipeline/estimate-turn-bytes';
import type { DeliveryItem } from '../src/spec/chat-trail-destination';
import type { Turn, TurnMessage } from '../src/spec/turn';
import type { QueuedEntry } from '../src/thread/thread-log';

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A message's estimated size less its slot in the turn's array. */
function messageBytes(turn: Turn, message: TurnMessage): number {
  return (
    estimateTurnBytes({ ...turn, messages: [message] }) - estimateTurnBytes({ ...turn, messages: [] }) - 8
  );
}

/**
 * What pending items hold: each turn's head and array slots, and each message object once (a turn's own
 * and its earlier messages). The lower bound of a lane's count.
 */
export function heldBytes(items: readonly QueuedEntry[]): number {
  const seen = new Set<TurnMessage>();
  let bytes = 0;
  for (const item of items) {
    if (item.type !== 'turn') continue;
    const { turn } = item;
    bytes += estimateTurnBytes({ ...turn, messages: [] }) + 8 * turn.messages.length;
    const earlier = earlierOf(item);
    const all = earlier ? [...turn.messages, ...earlier.messages] : turn.messages;
    for (const message of all) {
      if (seen.has(message)) continue;
      seen.add(message);
      bytes += messageBytes(turn, message);
    }
  }
  return bytes;
}

/**
 * Every pending turn counted whole, each earlier message with its two array slots (messages and positions)
 * and room to spare: the upper bound of a lane's count.
 */
export function wholeBytes(items: readonly QueuedEntry[]): number {
  let bytes = 0;
  for (const item of items) {
    if (item.type !== 'turn') continue;
    bytes += estimateTurnBytes(item.turn);
    for (const message of earlierOf(item)?.messages ?? []) bytes += messageBytes(item.turn, message) + 24;
  }
  return bytes;
}

/** A queued turn's earlier messages (a turn delta has none: the thread's log holds them). */
function earlierOf(item: QueuedEntry): Extract<DeliveryItem, { type: 'turn' }>['earlier'] {
  return 'earlier' in item ? item.earlier : undefined;
}
