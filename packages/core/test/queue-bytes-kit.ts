// What the byte-count tests of the delivery queues share: a seeded generator (a failing run replays) and
// the two bounds a lane's `queuedBytes` must stay between.

import { estimateTurnBytes } from '../src/pipeline/estimate-turn-bytes';
import type { DeliveryItem } from '../src/spec/chat-trail-destination';
import type { Turn, TurnMessage } from '../src/spec/turn';

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
 * What pending items hold: each turn's head and array slots, and each message object once (a queued turn
 * holds only its new messages: the thread's earlier ones are the trail's log's). The lower bound of a
 * lane's count.
 */
export function heldBytes(items: readonly DeliveryItem[]): number {
  const seen = new Set<TurnMessage>();
  let bytes = 0;
  for (const item of items) {
    if (item.type !== 'turn') continue;
    const { turn } = item;
    bytes += estimateTurnBytes({ ...turn, messages: [] }) + 8 * turn.messages.length;
    for (const message of turn.messages) {
      if (seen.has(message)) continue;
      seen.add(message);
      bytes += messageBytes(turn, message);
    }
  }
  return bytes;
}

/** Every pending turn counted whole: the upper bound of a lane's count. */
export function wholeBytes(items: readonly DeliveryItem[]): number {
  let bytes = 0;
  for (const item of items) {
    if (item.type !== 'turn') continue;
    bytes += estimateTurnBytes(item.turn);
  }
  return bytes;
}

/** What a lane may also count: each thread array its pending turns read before their own, whole, once. */
export function threadBytes(items: readonly DeliveryItem[]): number {
  const seen = new Set<readonly TurnMessage[]>();
  let bytes = 0;
  for (const item of items) {
    if (item.type !== 'turn' || !item.start || item.thread === undefined || seen.has(item.thread)) continue;
    seen.add(item.thread);
    // Rounded up once per array (the lane counts whole bytes).
    bytes += 1;
    for (const message of item.thread)
      if (message !== undefined) bytes += messageBytes(item.turn, message) + 8;
  }
  return bytes;
}
