import type { TurnMessage } from '../spec/turn';

/**
 * Stable message ids.
 *
 * Adapters resend the whole history every turn, so a message must get the same id every time it is seen:
 * the id is a pure function of (threadId, position, role, content). The same four inputs always yield the
 * same id, in every process and runtime, which is what lets a restarted server or a second replica avoid
 * sending a message twice. Two identical texts ("ok") at different positions get different ids.
 *
 * The hash is synchronous on purpose (`crypto.subtle.digest` is async and would force `record()` to
 * await): a 64-bit multiplicative hash over UTF-16 code units (the cyrb53 mixing, both 32-bit lanes kept).
 * It is not cryptographic; it only has to keep messages of one thread apart.
 */

const SEPARATOR = 0x1f; // ASCII unit separator: cannot be confused with ordinary text boundaries

// The two 32-bit lanes of the hash being computed. Module state rather than an object passed around: ids
// are computed for every message of every turn, and this keeps the loop free of property loads/stores.
// Safe because hashing is synchronous and never re-entered.
let h1 = 0;
let h2 = 0;

function absorb(text: string): void {
  let a = h1;
  let b = h2;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 2654435761);
    b = Math.imul(b ^ code, 1597334677);
  }
  // The separator (and the length folded into it) keeps ("ab","c") and ("a","bc") apart.
  h1 = Math.imul(a ^ SEPARATOR ^ text.length, 2654435761);
  h2 = Math.imul(b ^ SEPARATOR, 1597334677);
}

// Two hex digits per byte, looked up: Number#toString(16) and padStart cost more than the hashing of a
// short message.
const HEX: string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hex32(value: number): string {
  return HEX[value >>> 24]! + HEX[(value >>> 16) & 0xff]! + HEX[(value >>> 8) & 0xff]! + HEX[value & 0xff]!;
}

function digest(): string {
  let a = h1;
  let b = h2;
  a = Math.imul(a ^ (a >>> 16), 2246822507);
  a ^= Math.imul(b ^ (b >>> 13), 3266489909);
  b = Math.imul(b ^ (b >>> 16), 2246822507);
  b ^= Math.imul(a ^ (a >>> 13), 3266489909);
  return hex32(b >>> 0) + hex32(a >>> 0);
}

/**
 * Derives the stable id of a message: `msg_` followed by 16 hex digits.
 *
 * Deterministic and synchronous: the same (threadId, position, role, content) always yields the same id.
 * `position` is the message's index in the thread (adapters pass the index in the full history they
 * resend). Pass the *normalised* content (after placeholders and truncation) so the id does not depend on
 * bytes that are never sent.
 */
export function messageId(threadId: string, position: number, role: string, content: string): string {
  if (threadId.length > LONG_THREAD_ID) {
    absorbLongThreadId(threadId);
  } else {
    h1 = 0xdeadbeef;
    h2 = 0x41c6ce57;
    absorb(threadId);
  }
  absorb(String(position)); // small integers' strings are cached by the engine
  absorb(role);
  absorb(content);
  return `msg_${digest()}`;
}

// Thread ids longer than this have the hash state after them remembered (the last one only). Adapters derive
// the id of every message of a turn with the thread id, and a client may send a 5 MB one: hashed once per
// turn, not once per message. Ordinary ids are cheaper to hash again than to compare.
const LONG_THREAD_ID = 256;
let lastLongThreadId: string | undefined;
let lastH1 = 0;
let lastH2 = 0;

function absorbLongThreadId(threadId: string): void {
  // The same string object compares in O(1); an equal copy in one memory comparison, far cheaper than the hash.
  if (threadId !== lastLongThreadId) {
    h1 = 0xdeadbeef;
    h2 = 0x41c6ce57;
    absorb(threadId);
    lastLongThreadId = threadId;
    lastH1 = h1;
    lastH2 = h2;
  }
  h1 = lastH1;
  h2 = lastH2;
}

/**
 * A stable 64-bit hash of `text` as 16 hex digits, the same in every process and runtime (the hash of
 * {@link messageId}, over the text alone). Not cryptographic: it stands for a text too long to keep (see
 * `boundId`).
 */
export function textHash(text: string): string {
  h1 = 0xdeadbeef;
  h2 = 0x41c6ce57;
  absorb(text);
  return digest();
}

/**
 * Derives the stable id of a {@link TurnMessage}. Besides the text it hashes the tool-call ids and the
 * tool-result id, so an assistant message that only carries tool calls (empty text) and a tool message
 * that only carries an output are told apart from other empty messages at the same position.
 */
export function turnMessageId(
  threadId: string,
  position: number,
  message: Pick<TurnMessage, 'role' | 'content' | 'toolCalls' | 'toolResult'>,
): string {
  let content = message.content;
  if (message.toolCalls !== undefined && message.toolCalls.length > 0) {
    content += `\u001ftool_calls:${message.toolCalls.map((call) => call.id).join(',')}`;
  }
  if (message.toolResult !== undefined) {
    content += `\u001ftool_result:${message.toolResult.toolCallId}`;
  }
  return messageId(threadId, position, message.role, content);
}
