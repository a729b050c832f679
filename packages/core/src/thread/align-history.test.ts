import { describe, expect, it } from 'vitest';
import { turnMessageId } from '../normalize/message-id';
import { type HistoryReuse, normalizeTurn } from '../pipeline/normalize-turn';
import type { Turn, TurnMessage } from '../spec/turn';
import type { RecordedHistory } from './recorded-history';

const OPTIONS = { maxMessageBytes: 1024, captureContent: true };

const turnOf = (messages: unknown[]): Turn =>
  ({
    id: 'turn',
    threadId: 'thread-1',
    messages,
    startedAt: '2025-01-01T00:00:00.000Z',
    endedAt: '2025-01-01T00:00:01.000Z',
    status: 'ok',
    source: 'ai-sdk',
  }) as Turn;

/** Records turns one after the other reusing the thread's last history, as the trail's thread log does. */
function recorder() {
  let previous: RecordedHistory | undefined;
  return (messages: unknown[]): TurnMessage[] => {
    const reuse: HistoryReuse = { previous };
    const turn = normalizeTurn(turnOf(messages), OPTIONS, undefined, reuse)!;
    previous = reuse.next;
    return turn.messages;
  };
}

/** The ids a full-history resend gives: what a windowed turn's messages must keep. */
const fullIds = (messages: unknown[]): string[] =>
  normalizeTurn(turnOf(messages), OPTIONS)!.messages.map((message) => message.id);

// A conversation with a pinned system prompt, plain turns, a tool call and its result, and a message
// that carries its own id. Fresh objects each time, as a server parsing request bodies has them.
function conversation(): Record<string, unknown>[] {
  const messages: Record<string, unknown>[] = [{ role: 'system', content: 'Be brief.' }];
  for (let t = 1; t <= 12; t++) {
    messages.push({ role: 'user', content: t % 5 === 0 ? 'ok' : `Question ${t}` });
    if (t === 4) {
      messages.push({
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call-4', name: 'lookup', args: { q: 4 } }],
      });
      messages.push({ role: 'tool', content: '', toolResult: { toolCallId: 'call-4', output: { hits: 1 } } });
    }
    messages.push(
      t === 7
        ? { id: 'answer-7', role: 'assistant', content: 'Seven.' }
        : { role: 'assistant', content: 'ok' },
    );
  }
  return messages;
}
const copies = (messages: Record<string, unknown>[]) => messages.map((message) => ({ ...message }));

describe('alignHistory (through normalizeTurn)', () => {
  it('gives the messages of a sliding window the ids a full-history resend gives them', () => {
    const all = conversation();
    const ids = fullIds(all);
    for (const size of [2, 3, 4, 7]) {
      const record = recorder();
      // Each turn: the system prompt plus the last `size` messages up to and including the answer.
      for (let end = 2; end <= all.length; end++) {
        const start = Math.max(1, end - size);
        const window = copies([all[0]!, ...all.slice(start, end)]);
        const got = record(window).map((message) => message.id);
        expect(got, `window ${size} ending at ${end}`).toEqual([ids[0], ...ids.slice(start, end)]);
      }
    }
  });

  it('follows a window without a pinned prefix, and one that drops many messages at once', () => {
    const all = conversation().slice(1);
    const ids = fullIds(all);
    const record = recorder();
    expect(record(copies(all.slice(0, 6))).map((m) => m.id)).toEqual(ids.slice(0, 6));
    expect(record(copies(all.slice(2, 9))).map((m) => m.id)).toEqual(ids.slice(2, 9));
    expect(record(copies(all.slice(7, 12))).map((m) => m.id)).toEqual(ids.slice(7, 12));
    // The window grows back (the app raised its limit): still the same ids.
    expect(record(copies(all.slice(7, 16))).map((m) => m.id)).toEqual(ids.slice(7, 16));
  });

  it('keeps the ids of a resent history, an edited turn and a regenerated answer as they were', () => {
    const record = recorder();
    const history = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'Tell me a joke' },
      { role: 'assistant', content: 'No.' },
    ];
    expect(record(copies(history)).map((m) => m.id)).toEqual(fullIds(history));
    const regenerated = [...history.slice(0, 3), { role: 'assistant', content: 'Why did the chicken...' }];
    expect(record(copies(regenerated)).map((m) => m.id)).toEqual(fullIds(regenerated));
    const edited = [history[0]!, history[1]!, { role: 'user', content: 'Tell me a story' }];
    expect(record(copies(edited)).map((m) => m.id)).toEqual(fullIds(edited));
    const restarted = [{ role: 'user', content: 'Something else' }];
    expect(record(copies(restarted)).map((m) => m.id)).toEqual(fullIds(restarted));
  });

  it('lines up a window that moved while the last answer was regenerated', () => {
    const all = conversation().slice(1, 11);
    const ids = fullIds(all);
    const record = recorder();
    record(copies(all.slice(0, 8)));
    const moved = copies(all.slice(3, 8));
    moved[4] = { role: 'assistant', content: 'A better answer' };
    const got = record(moved).map((m) => m.id);
    expect(got.slice(0, 4)).toEqual(ids.slice(3, 7));
    // The new answer takes the place of the old one, as a regenerated answer does without a window.
    expect(got[4]).toEqual(fullIds([...all.slice(0, 7), moved[4]])[7]);
  });

  it('treats a dropped message in the middle like a window: the others keep their ids', () => {
    const all = conversation().slice(1, 9);
    const ids = fullIds(all);
    const record = recorder();
    record(copies(all));
    const withoutThird = copies([...all.slice(0, 2), ...all.slice(3)]);
    expect(record(withoutThird).map((m) => m.id)).toEqual([...ids.slice(0, 2), ...ids.slice(3)]);
  });

  it('treats ids an adapter derived from the index like ids derived here, and keeps ids of its own', () => {
    const all = conversation().slice(1);
    const ids = fullIds(all);
    // What the adapters do: the id turnMessageId derives for the message's index in the turn.
    const withIndexIds = (messages: Record<string, unknown>[]) =>
      messages.map((message, index) => ({
        ...message,
        id: message.id ?? turnMessageId('thread-1', index, message as unknown as TurnMessage),
      }));
    const record = recorder();
    expect(record(withIndexIds(all.slice(0, 6))).map((m) => m.id)).toEqual(ids.slice(0, 6));
    expect(record(withIndexIds(all.slice(4, 12))).map((m) => m.id)).toEqual(ids.slice(4, 12));
    // 'answer-7' is the app's own id: it is kept wherever the message sits.
    const last = record(withIndexIds(all.slice(10, 20))).map((m) => m.id);
    expect(last).toEqual(ids.slice(10, 20));
    expect(last).toContain('answer-7');
  });

  it('gives a window that moved past messages their thread positions', () => {
    const all = conversation();
    const first: HistoryReuse = { previous: undefined };
    normalizeTurn(turnOf(copies(all.slice(0, 7))), OPTIONS, undefined, first);
    expect(first.next?.positions).toBeUndefined();
    // The system prompt stays; messages 1 to 3 are dropped, 4 to 6 kept, 7 and 8 new.
    const second: HistoryReuse = { previous: first.next };
    normalizeTurn(turnOf(copies([all[0]!, ...all.slice(4, 9)])), OPTIONS, undefined, second);
    expect(second.next?.positions).toEqual([0, 4, 5, 6, 7, 8]);
    // Resent as it is: nothing moved past.
    const third: HistoryReuse = { previous: second.next };
    normalizeTurn(turnOf(copies([all[0]!, ...all.slice(4, 9)])), OPTIONS, undefined, third);
    expect(third.next?.positions).toEqual([0, 4, 5, 6, 7, 8]);
  });

  it('never changes a copy the previous turn holds', () => {
    const record = recorder();
    const first = record([
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'b' },
      { role: 'assistant', content: 'ok' },
    ]);
    const before = first.map((message) => ({ ...message }));
    // Shifted by two: index 1 and 3 hold an equal "ok" that phase one may share, at the wrong position.
    const second = record([
      { role: 'user', content: 'b' },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'c' },
      { role: 'assistant', content: 'ok' },
    ]);
    expect(first).toEqual(before);
    expect(second[0]!.id).toBe(first[2]!.id);
    expect(second[1]!.id).toBe(first[3]!.id);
    expect(new Set([...first, ...second].map((m) => m.id)).size).toBe(6);
  });
});
