import { jsonByteLength } from '../normalize/json-byte-length';
import type { Turn, TurnMessage } from '../spec/turn';

// What a message and a turn cost beyond their texts, calibrated against V8's heap
// (bench/queued-turn-memory.mjs): a message's object, log slot and string headers; a queued turn's one
// object (see `TurnDelta`), its slots in the lanes and in a batch in flight, and its id's string header.
const MESSAGE_OVERHEAD = 96;
const TURN_OVERHEAD = 256;

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

/**
 * What `messages[from..]` hold, each with `extra` bytes more (a queued turn's earlier messages have a slot in
 * a second array too): a turn delta's new messages, or what a thread's log gains.
 */
export function estimateMessagesBytes(messages: readonly TurnMessage[], from: number, extra = 0): number {
  let bytes = 0;
  for (let i = from; i < messages.length; i++) bytes += estimateMessageBytes(messages[i]!) + extra;
  return bytes;
}

/** What a turn holds besides its messages. */
export function estimateTurnHeadBytes(turn: Turn): number {
  return turnHeadBytes(turn);
}

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
