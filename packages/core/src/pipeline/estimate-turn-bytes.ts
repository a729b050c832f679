import { jsonByteLength } from '../normalize/json-byte-length';
import type { Turn, TurnMessage } from '../spec/turn';

// What a message and a turn cost beyond their texts, calibrated in bench/queued-turn-memory.mjs.
const MESSAGE_OVERHEAD = 96;
const TURN_OVERHEAD = 256;

/** About how many bytes a normalised turn holds, for `maxQueueBytes`: texts count their UTF-16 length. */
export function estimateTurnBytes(turn: Turn): number {
  return estimateTurnHeadBytes(turn) + estimateMessagesBytes(turn.messages, 0);
}

/** What `messages[from..]` hold, each with `extra` bytes more (a slot in a second array). */
export function estimateMessagesBytes(messages: readonly TurnMessage[], from: number, extra = 0): number {
  let bytes = 0;
  for (let i = from; i < messages.length; i++) {
    const message = messages[i]!;
    bytes += MESSAGE_OVERHEAD + extra + lengthOf(message.id) + lengthOf(message.content);
    if (message.toolCalls !== undefined) bytes += jsonByteLength(message.toolCalls);
    if (message.toolResult !== undefined) bytes += jsonByteLength(message.toolResult);
    if (message.metadata !== undefined) bytes += jsonByteLength(message.metadata);
  }
  return bytes;
}

export function estimateTurnHeadBytes(turn: Turn): number {
  let bytes = TURN_OVERHEAD + lengthOf(turn.threadId) + lengthOf(turn.id);
  if (turn.metadata !== undefined) bytes += jsonByteLength(turn.metadata);
  if (turn.error !== undefined) bytes += lengthOf(turn.error?.message);
  return bytes;
}

/** A redact function may leave a non-string behind; it is counted, not a crash. */
function lengthOf(value: unknown): number {
  return typeof value === 'string' ? value.length : jsonByteLength(value);
}
