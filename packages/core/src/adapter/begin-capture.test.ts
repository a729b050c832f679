import { describe, expect, it } from 'vitest';
import type { TurnRecorder } from '../spec/turn-recorder';
import { beginCapture } from './begin-capture';

describe('beginCapture (for adapters)', () => {
  it("calls the recorder's beginCapture, and its end function once however often it is called", () => {
    let begun = 0;
    let ended = 0;
    const recorder: TurnRecorder = {
      record() {},
      beginCapture() {
        begun++;
        return () => {
          ended++;
        };
      },
    };
    const end = beginCapture(recorder);
    expect([begun, ended]).toEqual([1, 0]);
    end();
    end();
    expect([begun, ended]).toEqual([1, 1]);
  });

  it('does without it: a recorder without beginCapture, one that throws or returns no function, none at all', () => {
    const throwing = {
      record() {},
      beginCapture(): () => void {
        throw new Error('custom recorder bug');
      },
    };
    const endThrows = {
      record() {},
      beginCapture: () => () => {
        throw new Error('custom recorder bug');
      },
    };
    const noFunction = { record() {}, beginCapture: () => 42 as unknown as () => void };
    for (const recorder of [{ record() {} }, throwing, endThrows, noFunction, undefined, null]) {
      expect(() => beginCapture(recorder)()).not.toThrow();
    }
  });
});
