import { describe, expect, it } from 'vitest';
import { Deque } from './deque';

describe('Deque', () => {
  it('pushes and pops at both ends across growth and wrap-around', () => {
    const deque = new Deque<number>();
    const model: number[] = [];
    let next = 0;
    for (let round = 0; round < 2000; round++) {
      const op = (round * 7919) % 5;
      if (op <= 1) {
        deque.pushBack(next);
        model.push(next++);
      } else if (op === 2) {
        deque.pushFront(next);
        model.unshift(next++);
      } else {
        expect(deque.popFront()).toBe(model.shift());
      }
      expect(deque.length).toBe(model.length);
      expect(deque.peekFront()).toBe(model[0]);
    }
    expect(deque.toArray()).toEqual(model);
    while (model.length > 0) expect(deque.popFront()).toBe(model.shift());
    expect(deque.popFront()).toBeUndefined();
  });

  it('clears', () => {
    const deque = new Deque<string>();
    deque.pushBack('a');
    deque.clear();
    expect(deque.length).toBe(0);
    expect(deque.popFront()).toBeUndefined();
  });
});
