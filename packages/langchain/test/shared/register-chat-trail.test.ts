import { AIMessage } from '@langchain/core/messages';
import { RunnableLambda } from '@langchain/core/runnables';
import { describe, expect, it } from 'vitest';
import { ChatTrailCallbackHandler, registerChatTrail } from '../../src/index';
import { coreLine, recordingTrail } from '../support/recording-trail';
import { ScriptedChatModel } from '../support/scripted-chat-models';

describe(`registerChatTrail (@langchain/core ${coreLine})`, () => {
  it('records runs that pass no callbacks, until unregistered', async () => {
    const trail = recordingTrail();
    const model = new ScriptedChatModel([new AIMessage('one'), new AIMessage('two'), new AIMessage('three')]);
    const chain = RunnableLambda.from(async (input: string, config) => model.invoke(input, config));

    const unregister = registerChatTrail(trail, { metadata: { app: 'global' } });
    await chain.invoke('first', { metadata: { thread_id: 'global-thread' } });
    await model.invoke('second', { metadata: { thread_id: 'global-thread' } });
    expect(unregister.handler).toBeInstanceOf(ChatTrailCallbackHandler);
    expect(unregister.handler.pendingRuns).toBe(0);
    unregister();
    await model.invoke('third', { metadata: { thread_id: 'global-thread' } });

    expect(trail.turns.map((t) => [t.threadId, t.messages[0].content, t.metadata?.app])).toEqual([
      ['global-thread', 'first', 'global'],
      ['global-thread', 'second', 'global'],
    ]);
  });

  it('lets a handler passed in callbacks take precedence over the registered one', async () => {
    const global = recordingTrail();
    const local = recordingTrail();
    const unregister = registerChatTrail(global);
    try {
      const model = new ScriptedChatModel([new AIMessage('hi')]);
      await model.invoke('x', {
        callbacks: [new ChatTrailCallbackHandler({ trail: local, threadId: 'local' })],
      });
    } finally {
      unregister();
    }
    expect(local.turns.map((t) => t.threadId)).toEqual(['local']);
    expect(global.turns).toHaveLength(0);
  });

  it('registers the configure hook once however often it is called', async () => {
    const first = recordingTrail();
    const second = recordingTrail();
    const unregisterFirst = registerChatTrail(first);
    const unregisterSecond = registerChatTrail(second);
    try {
      await new ScriptedChatModel([new AIMessage('hi')]).invoke('x');
    } finally {
      unregisterSecond();
      unregisterFirst();
    }
    // The latest registration is the one in the context; each run gets one handler.
    expect(first.turns).toHaveLength(0);
    expect(second.turns).toHaveLength(1);
  });
});
