import { describe, expect, it } from 'vitest';
import type { TurnMessage } from '../spec/turn';
import { looksLikeNewMessages } from './looks-like-new-messages';
import type { RecordedHistory } from './recorded-history';

/** A recorded history whose message ids are their texts (what matters here is which ids recur). */
function recorded(...texts: string[]): RecordedHistory {
  const messages = texts.map(
    (text): TurnMessage => ({
      id: text,
      role: text.startsWith('sys') ? 'system' : text.startsWith('u') ? 'user' : 'assistant',
      content: text,
    }),
  );
  return { messages, reuse: messages.map(() => 0) };
}

describe('looksLikeNewMessages', () => {
  it('is false for a resent history, a trimmed window and a regenerated answer', () => {
    expect(looksLikeNewMessages(recorded('sys', 'u1', 'a1'), recorded('sys', 'u1', 'a1', 'u2', 'a2'))).toBe(
      false,
    );
    expect(
      looksLikeNewMessages(recorded('sys', 'u2', 'a2', 'u3', 'a3'), recorded('sys', 'u3', 'a3', 'u4', 'a4')),
    ).toBe(false);
    expect(looksLikeNewMessages(recorded('u1', 'a1'), recorded('u1', 'a1-again'))).toBe(false);
  });

  it('is true for a turn that carries none of the previous one after the system prompt', () => {
    expect(looksLikeNewMessages(recorded('sys', 'u1', 'a1'), recorded('sys', 'u2', 'a2'))).toBe(true);
    expect(looksLikeNewMessages(recorded('u1', 'a1'), recorded('u2', 'a2'))).toBe(true);
  });

  it('is false when either turn has nothing after the system prompt or the turn starts with an answer', () => {
    expect(looksLikeNewMessages(recorded('sys'), recorded('sys', 'u1', 'a1'))).toBe(false);
    expect(looksLikeNewMessages(recorded('sys', 'u1', 'a1'), recorded('sys'))).toBe(false);
    expect(looksLikeNewMessages(recorded('u1', 'a1'), recorded('a2'))).toBe(false);
  });
});
