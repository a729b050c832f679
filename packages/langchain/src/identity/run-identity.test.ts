import { describe, expect, it } from 'vitest';
import { appMetadata, threadIdFromMetadata, userFromMetadata } from './run-identity';

describe('run identity', () => {
  it('reads thread_id, then session_id, then conversation_id', () => {
    expect(threadIdFromMetadata({ thread_id: 't', session_id: 's', conversation_id: 'c' })).toBe('t');
    expect(threadIdFromMetadata({ session_id: 's', conversation_id: 'c' })).toBe('s');
    expect(threadIdFromMetadata({ conversation_id: 42 })).toBe('42');
    expect(threadIdFromMetadata({ thread_id: '' })).toBeUndefined();
    expect(userFromMetadata({ user_id: 'u' })).toEqual({ id: 'u' });
    expect(userFromMetadata({ user_id: { id: 'u' } })).toBeUndefined();
  });

  it('keeps the app metadata and drops framework keys and non-primitive values', () => {
    expect(
      appMetadata({
        plan: 'pro',
        retries: 2,
        beta: true,
        thread_id: 't',
        user_id: 'u',
        ls_provider: 'openai',
        langgraph_node: 'tools',
        checkpoint_ns: 'x',
        __pregel_task_id: 'y',
        versions: { '@langchain/core': '1.4.0' },
        nested: { a: 1 },
      }),
    ).toEqual({ plan: 'pro', retries: 2, beta: true });
    expect(appMetadata({ thread_id: 't' })).toBeUndefined();
  });
});
