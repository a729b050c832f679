import type { TurnMessage } from './turn';

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

interface HashState {
  h1: number;
  h2: number;
}

function absorb(state: HashState, text: string): void {
  let { h1, h2 } = state;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  // The separator (and the length folded into it) keeps ("ab","c") and ("a","bc") apart.
  h1 = Math.imul(h1 ^ SEPARATOR ^ text.length, 2654435761);
  h2 = Math.imul(h2 ^ SEPARATOR, 1597334677);
  state.h1 = h1;
  state.h2 = h2;
}

function digest(state: HashState): string {
  let { h1, h2 } = state;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}

function hashParts(parts: readonly string[]): string {
  const state: HashState = { h1: 0xdeadbeef, h2: 0x41c6ce57 };
  for (const part of parts) absorb(state, part);
  return digest(state);
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
  return `msg_${hashParts([threadId, String(position), role, content])}`;
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
