import { describe, expect, it } from 'vitest';
import { describeError, isAbort, isControlFlow } from './classify-error';

describe('error classification', () => {
  it('recognises LangGraph control flow by marker or name', () => {
    expect(isControlFlow({ is_bubble_up: true, name: 'Whatever' })).toBe(true);
    expect(isControlFlow(Object.assign(new Error('x'), { name: 'GraphInterrupt' }))).toBe(true);
    expect(isControlFlow(Object.assign(new Error('x'), { name: 'ParentCommand' }))).toBe(true);
    expect(isControlFlow(new Error('GraphInterrupt'))).toBe(false);
    expect(isControlFlow(undefined)).toBe(false);
  });

  it('recognises aborts', () => {
    expect(isAbort(new DOMException('This operation was aborted', 'AbortError'))).toBe(true);
    expect(isAbort(new Error('Aborted'))).toBe(true);
    expect(isAbort(new Error('boom'))).toBe(false);
  });

  it('describes anything thrown', () => {
    expect(describeError(new TypeError('bad'))).toEqual({ name: 'TypeError', message: 'bad' });
    expect(describeError('just text')).toEqual({ name: 'Error', message: 'just text' });
    expect(describeError({ message: 42 })).toEqual({ name: 'Error', message: '[object Object]' });
  });
});
