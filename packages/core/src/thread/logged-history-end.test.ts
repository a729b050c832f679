import { describe, expect, it } from 'vitest';
import type { TurnMessage } from '../spec/turn';
import { loggedHistoryEnd } from './logged-history-end';

const roles = (...list: TurnMessage['role'][]): TurnMessage[] =>
  list.map((role, i) => ({ id: `m${i}`, role, content: '' }));

describe('loggedHistoryEnd', () => {
  it('ends after the latest assistant message that precedes the last user message', () => {
    expect(loggedHistoryEnd(roles('user', 'assistant', 'user', 'assistant'))).toBe(2);
    expect(
      loggedHistoryEnd(
        roles('system', 'user', 'assistant', 'tool', 'assistant', 'user', 'assistant', 'tool'),
      ),
    ).toBe(5);
  });

  it('assumes nothing logged without an earlier answer', () => {
    expect(loggedHistoryEnd(roles('user', 'assistant'))).toBe(0);
    expect(loggedHistoryEnd(roles('system', 'user'))).toBe(0);
    expect(loggedHistoryEnd(roles('assistant', 'tool'))).toBe(0);
    expect(loggedHistoryEnd([])).toBe(0);
  });
});
