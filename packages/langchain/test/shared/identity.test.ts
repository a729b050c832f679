import { withChatTrail } from '@chattrail/core';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { AIMessage } from '@langchain/core/messages';
import { RunnableLambda } from '@langchain/core/runnables';
import { describe, expect, it } from 'vitest';
import { ChatTrailCallbackHandler } from '../../src/index';
import { coreLine, recordingTrail } from '../support/recording-trail';
import { ScriptedChatModel } from '../support/scripted-chat-models';

const answer = () => new ScriptedChatModel([new AIMessage('ok'), new AIMessage('ok again')]);

describe(`thread and user identity (@langchain/core ${coreLine})`, () => {
  it('prefers the constructor over run metadata over the withChatTrail context', async () => {
    const trail = recordingTrail();
    const context = {
      threadId: 'ctx-thread',
      user: { id: 'ctx-user' },
      metadata: { source: 'ctx', tier: 'ctx' },
    };
    const metadata = { thread_id: 'meta-thread', user_id: 'meta-user', tier: 'meta', team: 'support' };

    await withChatTrail(context, async () => {
      await answer().invoke('a', {
        callbacks: [new ChatTrailCallbackHandler({ trail, threadId: 'ctor-thread', user: 'ctor-user' })],
        metadata,
      });
      await answer().invoke('b', { callbacks: [new ChatTrailCallbackHandler({ trail })], metadata });
      await answer().invoke('c', { callbacks: [new ChatTrailCallbackHandler({ trail })] });
    });

    expect(trail.turns.map((t) => [t.threadId, t.user?.id])).toEqual([
      ['ctor-thread', 'ctor-user'],
      ['meta-thread', 'meta-user'],
      ['ctx-thread', 'ctx-user'],
    ]);
    // Metadata merges the same way: context, then the app's run metadata, then the handler's own.
    expect(trail.turns[1].metadata).toEqual({ source: 'ctx', tier: 'meta', team: 'support' });
    expect(trail.turns[2].metadata).toEqual({ source: 'ctx', tier: 'ctx' });
  });

  it('reads session_id and conversation_id when there is no thread_id', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    await answer().invoke('a', { callbacks: [handler], metadata: { session_id: 'session-7' } });
    await answer().invoke('b', { callbacks: [handler], metadata: { conversation_id: 'conversation-8' } });
    expect(trail.turns.map((t) => t.threadId)).toEqual(['session-7', 'conversation-8']);
  });

  it('keeps LangChain and LangGraph internals out of the turn metadata', async () => {
    const trail = recordingTrail();
    await answer().invoke('a', {
      callbacks: [new ChatTrailCallbackHandler({ trail, metadata: { app: 'bot' } })],
      metadata: {
        thread_id: 't',
        langgraph_node: 'agent',
        ls_provider: 'x',
        checkpoint_ns: 'n',
        nested: { a: 1 },
      },
    });
    expect(trail.turns[0].metadata).toEqual({ app: 'bot' });
  });

  it('generates one thread id per top-level invocation, shared by all its model calls', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    const model = new ScriptedChatModel([new AIMessage('one'), new AIMessage('two'), new AIMessage('three')]);
    const twoCalls = RunnableLambda.from(async (input: string, config) => {
      const first = await model.invoke(input, config);
      return model.invoke([first, input], config);
    });

    await twoCalls.invoke('hi', { callbacks: [handler] });
    await model.invoke('alone', { callbacks: [handler] });

    const [a, b, c] = trail.turns.map((t) => t.threadId);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('attributes concurrent invocations to their own threads, even behind a slow background handler', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    // Another team's handler on LangChain's global background queue, keeping it busy: callbacks queued
    // there run in whichever async context drains the queue, so a backgrounded handler would read the
    // wrong request's withChatTrail context. Ours is awaited inline and must not.
    class SlowTracer extends BaseCallbackHandler {
      name = 'slow_tracer';
      constructor() {
        super({ _awaitHandler: false });
      }
      async handleChatModelStart() {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }

    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        withChatTrail({ threadId: `ctx-${i}`, user: { id: `user-${i}` } }, async () => {
          await new Promise((resolve) => setTimeout(resolve, (i * 7) % 5));
          const model = new ScriptedChatModel([new AIMessage(`answer ${i}`)]);
          const metadata = i % 2 === 0 ? { thread_id: `meta-${i}` } : {};
          await model.invoke(`question ${i}`, { callbacks: [new SlowTracer(), handler], metadata });
        }),
      ),
    );

    expect(trail.turns).toHaveLength(24);
    for (const turn of trail.turns) {
      const i = Number(/question (\d+)/.exec(turn.messages[0].content)![1]);
      expect(turn.threadId).toBe(i % 2 === 0 ? `meta-${i}` : `ctx-${i}`);
      expect(turn.user).toEqual({ id: `user-${i}` });
      expect(turn.messages[1].content).toBe(`answer ${i}`);
    }
    expect(handler.pendingRuns).toBe(0);
  });
});
