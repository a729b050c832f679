import type { TurnMessage } from '../spec/turn';

// cyrb53 mixing, both 32-bit lanes kept: synchronous, so `record()` need not await; not cryptographic.
const SEPARATOR = 0x1f;

// The hash's two lanes: module state keeps the hot loop free of property accesses (never re-entered).
let h1 = 0;
let h2 = 0;

function start(text: string): void {
  h1 = 0xdeadbeef;
  h2 = 0x41c6ce57;
  absorb(text);
}

function absorb(text: string): void {
  let a = h1;
  let b = h2;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 2654435761);
    b = Math.imul(b ^ code, 1597334677);
  }
  // Keeps ("ab","c") and ("a","bc") apart.
  h1 = Math.imul(a ^ SEPARATOR ^ text.length, 2654435761);
  h2 = Math.imul(b ^ SEPARATOR, 1597334677);
}

// Looked up: toString(16) and padStart cost more than hashing a short message.
const HEX: string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hex32(value: number): string {
  return HEX[value >>> 24]! + HEX[(value >>> 16) & 0xff]! + HEX[(value >>> 8) & 0xff]! + HEX[value & 0xff]!;
}

function digest(): string {
  const a = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  const b = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
  return hex32(b >>> 0) + hex32(a >>> 0);
}

/** `msg_` and 16 hex digits, the same for the same (threadId, position, role, sent content) anywhere. */
export function messageId(threadId: string, position: number, role: string, content: string): string {
  if (threadId === lastThreadId) {
    h1 = lastH1;
    h2 = lastH2;
  } else {
    start(threadId);
    lastThreadId = threadId;
    lastH1 = h1;
    lastH2 = h2;
  }
  absorb(String(position));
  absorb(role);
  absorb(content);
  return `msg_${digest()}`;
}

// The state after the last thread id, so a 5 MB id is hashed once per turn, not once per message.
let lastThreadId: string | undefined;
let lastH1 = 0;
let lastH2 = 0;

/** The hash of {@link messageId} over `text` alone, as 16 hex digits; stands for a text too long to keep. */
export function textHash(text: string): string {
  start(text);
  return digest();
}

/** {@link messageId} of a message, its tool-call and tool-result ids hashed too (their text may be empty). */
export function turnMessageId(
  threadId: string,
  position: number,
  message: Pick<TurnMessage, 'role' | 'content' | 'toolCalls' | 'toolResult'>,
): string {
  const { toolCalls, toolResult } = message;
  let content = message.content;
  if (toolCalls?.length) content += `\u001ftool_calls:${toolCalls.map((call) => call.id).join(',')}`;
  if (toolResult !== undefined) content += `\u001ftool_result:${toolResult.toolCallId}`;
  return messageId(threadId, position, message.role, content);
}
