import { describe, expect, it } from 'vitest';
import { messageId, textHash, turnMessageId } from './message-id';

describe('messageId', () => {
  it('is msg_ followed by 16 hex digits', () => {
    expect(messageId('thread-1', 0, 'user', 'hello')).toMatch(/^msg_[0-9a-f]{16}$/);
  });

  it('is deterministic for the same inputs', () => {
    const a = messageId('thread-1', 3, 'assistant', 'The answer is 42.');
    const b = messageId('thread-1', 3, 'assistant', 'The answer is 42.');
    expect(a).toBe(b);
  });

  it('never changes across releases (ids already stored at Mielto and Melodi depend on it)', () => {
    expect(messageId('thread-1', 0, 'user', 'hello')).toBe(messageId('thread-1', 0, 'user', 'hello'));
    expect(messageId('thread-1', 0, 'user', 'hello')).toMatchInlineSnapshot(`"msg_175b29045ccbfccd"`);
    expect(messageId('', 0, '', '')).toMatchInlineSnapshot(`"msg_a54705a3b5e83424"`);
    expect(messageId('t', 7, 'assistant', '你好 👋')).toMatchInlineSnapshot(`"msg_0a913936f32206ef"`);
  });

  it('matches its definition (cyrb53 lanes over the four fields as strings) for any position and text', () => {
    // The definition, written plainly; the implementation is tuned for speed and must agree with it.
    const reference = (threadId: string, position: number, role: string, content: string) => {
      let h1 = 0xdeadbeef;
      let h2 = 0x41c6ce57;
      for (const text of [threadId, String(position), role, content]) {
        for (let i = 0; i < text.length; i++) {
          h1 = Math.imul(h1 ^ text.charCodeAt(i), 2654435761);
          h2 = Math.imul(h2 ^ text.charCodeAt(i), 1597334677);
        }
        h1 = Math.imul(h1 ^ 0x1f ^ text.length, 2654435761);
        h2 = Math.imul(h2 ^ 0x1f, 1597334677);
      }
      h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
      h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
      h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
      h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
      const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
      return `msg_${hex(h2)}${hex(h1)}`;
    };
    const positions = [0, 1, 9, 10, 11, 99, 100, 999, 1000, 10_000, 123_456, 2 ** 31, 2 ** 40 + 7, -1, 1.5];
    for (const position of positions) {
      for (const content of ['', 'ok', 'é€😀', 'x'.repeat(300)]) {
        expect(messageId('thread-9', position, 'assistant', content)).toBe(
          reference('thread-9', position, 'assistant', content),
        );
      }
    }
    // Long thread ids (their hash state is remembered between calls): alternating, and equal copies.
    const longA = `a${'x'.repeat(5000)}`;
    const longB = `b${'x'.repeat(5000)}`;
    for (const threadId of [longA, longB, longA, `a${'x'.repeat(5000)}`, 'short', longB]) {
      for (const position of [0, 1, 7]) {
        expect(messageId(threadId, position, 'user', 'hi')).toBe(reference(threadId, position, 'user', 'hi'));
      }
    }
  });

  it('differs when any one input differs', () => {
    const base = messageId('thread-1', 1, 'user', 'ok');
    expect(messageId('thread-2', 1, 'user', 'ok')).not.toBe(base);
    expect(messageId('thread-1', 2, 'user', 'ok')).not.toBe(base);
    expect(messageId('thread-1', 1, 'assistant', 'ok')).not.toBe(base);
    expect(messageId('thread-1', 1, 'user', 'ok.')).not.toBe(base);
  });

  it('keeps field boundaries apart', () => {
    expect(messageId('ab', 1, 'user', 'c')).not.toBe(messageId('a', 1, 'user', 'bc'));
    expect(messageId('t1', 1, 'user', 'x')).not.toBe(messageId('t', 11, 'user', 'x'));
  });

  it('produces no collisions over 200,000 distinct messages', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++)
      seen.add(messageId(`thread-${i % 97}`, i % 1000, 'user', `message ${i}`));
    expect(seen.size).toBe(200_000);
  });

  // Hashing speed is a benchmark figure (`pnpm bench`), not a test assertion.
  it('hashes a 5 MB message to a well-formed id', () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    expect(messageId('t', 0, 'user', big)).toMatch(/^msg_[0-9a-f]{16}$/);
  });
});

describe('turnMessageId', () => {
  it('equals messageId for a plain text message', () => {
    expect(turnMessageId('t', 0, { role: 'user', content: 'hi' })).toBe(messageId('t', 0, 'user', 'hi'));
  });

  it('tells empty assistant messages apart by their tool-call ids', () => {
    const a = turnMessageId('t', 2, {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call_1', name: 'weather', args: {} }],
    });
    const b = turnMessageId('t', 2, {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call_2', name: 'weather', args: {} }],
    });
    expect(a).not.toBe(b);
    expect(a).not.toBe(turnMessageId('t', 2, { role: 'assistant', content: '' }));
  });

  it('tells tool messages apart by the tool-result id', () => {
    const a = turnMessageId('t', 3, {
      role: 'tool',
      content: '',
      toolResult: { toolCallId: 'call_1', output: 1 },
    });
    const b = turnMessageId('t', 3, {
      role: 'tool',
      content: '',
      toolResult: { toolCallId: 'call_2', output: 1 },
    });
    expect(a).not.toBe(b);
  });
});

describe('textHash', () => {
  it('is 16 hex digits, stable across releases, and differs for different texts', () => {
    expect(textHash('thread-1')).toMatch(/^[0-9a-f]{16}$/);
    expect(textHash('thread-1')).toMatchInlineSnapshot(`"19a7ea07c402ef48"`);
    expect(textHash('thread-2')).not.toBe(textHash('thread-1'));
    expect(textHash('')).not.toBe(textHash('\u0000'));
  });
});
