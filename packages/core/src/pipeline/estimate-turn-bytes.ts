import { jsonByteLength } from '../normalize/json-byte-length';
import type { Turn, TurnMessage } from '../spec/turn';

// What a message and a turn cost beyond their texts, calibrated against V8's heap (bench/outage-memory.mjs):
// object headers and fields, string headers, the turn's dates, user, model and usage objects.
const MESSAGE_OVERHEAD = 96;
const TURN_OVERHEAD = 512;

/**
 * About how many bytes a normalised turn holds, for the queues' `maxQueueBytes` bound. Called for every
 * recorded turn, so it reads string lengths instead of scanning characters: texts count their UTF-16
 * length (what a V8 one-byte string occupies; a UTF-8 byte count would only differ for non-Latin text,
 * by at most 3×, and texts are already capped by `maxMessageBytes`). Structured values (tool arguments
 * and outputs, metadata) are measured exactly with `jsonByteLength`; they are bounded too.
 */
export function estimateTurnBytes(turn: Turn): number {
  let bytes = turnHeadBytes(turn);
  const { messages } = turn;
  for (let i = 0; i < messages.length; i++) bytes += estimateMessageBytes(messages[i]!);
  return bytes;
}

/** {@link estimateTurnBytes}, and how much of it a queue already holds for the thread's previous turn. */
export interface QueuedTurnBytes {
  bytes: number;
  /**
   * The part held by messages that are the very objects at the same index of the previous turn (the
   * history cache lent this turn its copies), less their slots in this turn's array: a queue holding both
   * turns holds those messages once.
   */
  shared: number;
  /** The part of `bytes` that is the messages (what to pass as `previousMessageBytes` for the next turn). */
  messageBytes: number;
}

/**
 * {@link estimateTurnBytes} of a turn whose thread's previous turn had `previous` as its messages, which
 * came to `previousMessageBytes` (its `messageBytes`) when known.
 *
 * When this turn starts with all of `previous` (the very objects, at their indexes: a resent history the
 * cache lent its copies), only its new messages are measured: the rest is `previousMessageBytes`. Measuring
 * every message read each one's texts again, scattered over the heap: about a tenth of what `record()` of a
 * resent 100-message history cost, over 200 threads taking turns.
 */
export function estimateQueuedTurnBytes(
  turn: Turn,
  previous: readonly TurnMessage[],
  previousMessageBytes?: number,
): QueuedTurnBytes {
  const head = turnHeadBytes(turn);
  const { messages } = turn;
  let kept = 0;
  const known = Math.min(messages.length, previous.length);
  while (kept < known && messages[kept] === previous[kept]) kept++;
  if (previousMessageBytes !== undefined && kept === previous.length) {
    let messageBytes = previousMessageBytes;
    for (let i = kept; i < messages.length; i++) messageBytes += estimateMessageBytes(messages[i]!);
    return { bytes: head + messageBytes, shared: previousMessageBytes - kept * SLOT_BYTES, messageBytes };
  }
  let messageBytes = 0;
  let shared = 0;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    const size = estimateMessageBytes(message);
    messageBytes += size;
    if (message === previous[i]) shared += size - SLOT_BYTES;
  }
  return { bytes: head + messageBytes, shared, messageBytes };
}

/**
 * What a turn's earlier messages (those of the thread's previous turn its window moved past, which it carries
 * for the destinations) hold: `bytes` in all, and the part that is those very objects (`shared`): the
 * previous turn holds them too while it is queued.
 */
export function estimateEarlierBytes(
  messages: readonly TurnMessage[],
): Omit<QueuedTurnBytes, 'messageBytes'> {
  let shared = 0;
  for (let i = 0; i < messages.length; i++) shared += estimateMessageBytes(messages[i]!) - SLOT_BYTES;
  // Each has a slot in the messages array and a number in the positions array.
  return { bytes: shared + 2 * SLOT_BYTES * messages.length, shared };
}

/** A message's slot in a turn's array: all that a message shared with another turn adds to this one. */
const SLOT_BYTES = 8;

function turnHeadBytes(turn: Turn): number {
  let bytes = TURN_OVERHEAD + lengthOf(turn.threadId) + lengthOf(turn.id);
  if (turn.metadata !== undefined) bytes += jsonByteLength(turn.metadata);
  if (turn.error !== undefined) bytes += lengthOf(turn.error?.message);
  return bytes;
}

/** What one message of a turn holds (its slot in the turn's array included). */
function estimateMessageBytes(message: TurnMessage): number {
  let bytes = MESSAGE_OVERHEAD + lengthOf(message.id) + lengthOf(message.content);
  if (message.toolCalls !== undefined) bytes += jsonByteLength(message.toolCalls);
  if (message.toolResult !== undefined) bytes += jsonByteLength(message.toolResult);
  if (message.metadata !== undefined) bytes += jsonByteLength(message.metadata);
  return bytes;
}

/** A redact function may leave a non-string behind; it still has to be counted, not crash the count. */
function lengthOf(value: unknown): number {
  return typeof value === 'string' ? value.length : jsonByteLength(value);
}
