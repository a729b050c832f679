import { describe, expect, it } from 'vitest';
import type { TurnMessage } from '../spec/turn';
import type { RecordedHistory } from './recorded-history';
import { ThreadLog } from './thread-log';

const message = (id: string): TurnMessage => ({ id, role: 'user', content: id });
const history = (messages: TurnMessage[], positions?: number[]): RecordedHistory => ({
  messages,
  reuse: messages.map(() => 0),
  positions,
});
const bytesOf = (size: number) => () => size;

describe('ThreadLog', () => {
  it("finds a turn's new messages: those the thread did not hold at their positions", () => {
    const log = new ThreadLog(10, 10_000);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(message) as [
      TurnMessage,
      TurnMessage,
      TurnMessage,
      TurnMessage,
    ];
    const first = log.update('t', undefined, history([a, b]), bytesOf(10))!;
    expect([first.index, first.start]).toEqual([0, 0]);
    // A resent history (fresh copies with the same ids count as held).
    const second = log.update('t', log.get('t'), history([{ ...a }, b, c, d]), bytesOf(10))!;
    expect([second.index, second.start]).toEqual([2, 2]);
    // Extended in place: the first turn's delta reads the same array.
    expect(second.log).toBe(first.log);
    expect(second.log.map((m) => m?.id)).toEqual(['a', 'b', 'c', 'd']);
    // A window of the thread (positions from the alignment): only the last message is new.
    const e = message('e');
    const third = log.update('t', log.get('t'), history([a, d, e], [0, 3, 4]), bytesOf(10))!;
    expect([third.index, third.start]).toEqual([2, 4]);
    expect(third.log.map((m) => m?.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    // An edit rewrites the thread in a new array: what queued turns read stays as it was.
    const edited = log.update('t', log.get('t'), history([a, message('b2')]), bytesOf(10))!;
    expect([edited.index, edited.start]).toEqual([1, 1]);
    expect(edited.log.map((m) => m?.id)).toEqual(['a', 'b2']);
    expect(third.log.map((m) => m?.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('lets a thread go when its positions would leave a gap', () => {
    const log = new ThreadLog(10, 10_000);
    log.update('t', undefined, history([message('a')]), bytesOf(10));
    const far = history([message('a'), message('z')], [0, 9]);
    expect(log.update('t', log.get('t'), far, bytesOf(10))).toBeUndefined();
    expect(log.get('t')).toBeUndefined();
  });

  it('stays within its bounds: threads, bytes in all, and bytes per thread', () => {
    const log = new ThreadLog(2, 100, 50);
    log.update('a', undefined, history([message('a')]), bytesOf(40));
    log.update('b', undefined, history([message('b')]), bytesOf(40));
    log.update('c', undefined, history([message('c')]), bytesOf(40));
    expect(log.get('a')).toBeUndefined();
    expect(log.size).toBe(2);
    expect(log.bytes).toBe(80);
    // A thread that outgrows its bound is forgotten, not kept stale.
    expect(
      log.update('b', log.get('b'), history([message('b'), message('b2')]), bytesOf(20)),
    ).toBeUndefined();
    expect(log.get('b')).toBeUndefined();
    expect(log.bytes).toBe(40);
  });
});
