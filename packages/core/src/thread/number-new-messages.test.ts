import { describe, expect, it } from 'vitest';
import { turnMessageId } from '../normalize/message-id';
import type { TurnMessage } from '../spec/turn';
import { numberNewMessages } from './align-history';
import type { RecordedHistory } from './recorded-history';

type Raw = { role: string; content: string; id?: string };

/** The copies normalizeTurn hands over: ids derived from the index unless the raw message has one. */
function copies(threadId: string, raw: readonly Raw[]): TurnMessage[] {
  return raw.map(({ id, ...rest }, index) => {
    const body = rest as TurnMessage;
    return { ...body, id: id ?? turnMessageId(threadId, index, body) };
  });
}

function numbered(turnId: string, raw: readonly Raw[], previous?: RecordedHistory) {
  const messages = copies('th', raw);
  const result = numberNewMessages('th', turnId, raw, messages, previous);
  return { messages, ids: messages.map((m) => m.id), result };
}

function history(messages: TurnMessage[], positions?: number[], failed?: boolean): RecordedHistory {
  return { messages, reuse: messages.map(() => 0), positions, failed };
}

const system = { role: 'system', content: 'Be brief.' };
const yes = { role: 'user', content: 'yes' };
const sure = { role: 'assistant', content: 'Sure!' };

describe('numberNewMessages', () => {
  it('derives ids from the turn after the system prompt, so a repeated text is a new message', () => {
    const first = numbered('turn-1', [system, yes, sure]);
    const second = numbered('turn-2', [system, yes, sure]);
    expect(first.ids[0]).toBe(turnMessageId('th', 0, system as TurnMessage));
    expect(second.ids[0]).toBe(first.ids[0]);
    expect(second.ids[1]).not.toBe(first.ids[1]);
    expect(second.ids[2]).not.toBe(first.ids[2]);
    expect(first.ids[1]).toBe(turnMessageId('th\u001fturn-1', 1, yes as TurnMessage));
    // The same turn recorded twice (in another process too) gets the same ids.
    expect(numbered('turn-1', [system, yes, sure]).ids).toEqual(first.ids);
    expect(first.result).toBeUndefined();
  });

  it("keeps the app's own ids and replaces ids an adapter derived from the index", () => {
    const derived = turnMessageId('th', 1, yes as TurnMessage);
    const { ids } = numbered('turn-1', [system, { ...yes, id: derived }, { ...sure, id: 'app-answer' }]);
    expect(ids[1]).not.toBe(derived);
    expect(ids[2]).toBe('app-answer');
  });

  it("continues the thread's positions", () => {
    const previous = numbered('turn-1', [system, yes, sure]).messages;
    const { result } = numbered(
      'turn-2',
      [system, { role: 'user', content: 'more' }, sure],
      history(previous),
    );
    expect(result!.positions).toEqual([0, 3, 4]);

    const third = numbered('turn-3', [system, yes], history(previous.slice(0, 1), [0]));
    expect(third.result).toBeUndefined(); // positions are the indexes
    const later = numbered('turn-9', [yes, sure], history(previous, [0, 7, 8]));
    expect(later.result!.positions).toEqual([9, 10]);
  });

  it("gives a retry of a failed turn that turn's ids for the same input", () => {
    const failed = numbered('turn-2', [system, yes], history(copies('th', [system]))).messages;
    const retry = numbered('turn-3', [system, yes, sure], history(failed, [0, 5], true));
    expect(retry.ids.slice(0, 2)).toEqual(failed.map((m) => m.id));
    expect(retry.result!.positions).toEqual([0, 5, 6]);

    // Not after a turn that succeeded (the user said it again), nor for another input.
    expect(numbered('turn-3', [system, yes, sure], history(failed, [0, 5])).ids[1]).not.toBe(failed[1]!.id);
    const other = numbered(
      'turn-3',
      [system, { role: 'user', content: 'no' }],
      history(failed, [0, 5], true),
    );
    expect(other.result!.positions).toEqual([0, 6]);
  });

  it('gives the next step of a tool loop the ids of the messages it carries from the step before', () => {
    const ask = { role: 'user', content: 'Weather in Paris?' };
    const call = { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'weather', args: {} }] };
    const result = { role: 'tool', content: '', toolResult: { toolCallId: 'c1', output: 'sunny' } };
    const stepOne = copies('th', [system, ask, call] as Raw[]);
    numberNewMessages('th', 'turn-1', [system, ask, call], stepOne, undefined);
    const raw = [system, ask, call, result, { role: 'assistant', content: 'Sunny.' }] as Raw[];
    const stepTwo = copies('th', raw);
    const numberedTwo = numberNewMessages('th', 'turn-2', raw, stepTwo, history(stepOne));
    expect(stepTwo.slice(0, 3).map((m) => m.id)).toEqual(stepOne.map((m) => m.id));
    expect(numberedTwo).toBeUndefined(); // positions are the indexes, nothing left behind

    // The next request, a new exchange after the finished loop, is new even where its texts repeat.
    const raw3 = [system, ask, call] as Raw[];
    const stepThree = copies('th', raw3);
    numberNewMessages('th', 'turn-3', raw3, stepThree, history(stepTwo));
    expect(stepThree[1]!.id).not.toBe(stepOne[1]!.id);
  });
});
