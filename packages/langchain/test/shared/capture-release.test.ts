// Every run the handler registers with the trail (so that flush() waits for it) is released on every way
// it can end: a model's end or error, an invocation's end or error (with its tool runs), an eviction past
// maxOpenRuns, and disable(). A leak would hold each later flush() up to its timeout once.
import type { Turn, TurnRecorder } from '@chattrail/core';
import { AIMessage, type BaseMessage, HumanMessage } from '@langchain/core/messages';
import { RunnableLambda } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChatTrailCallbackHandler } from '../../src/index';
import { coreLine } from '../support/recording-trail';
import { ScriptedChatModel } from '../support/scripted-chat-models';

/** A recorder that counts open captures, and how many were open when each turn was recorded. */
function countingRecorder() {
  const state = { begun: 0, open: 0, turns: [] as { turn: Turn; open: number }[] };
  const recorder: TurnRecorder = {
    record(turn) {
      state.turns.push({ turn, open: state.open });
    },
    beginCapture() {
      state.begun++;
      state.open++;
      return () => {
        state.open--;
      };
    },
  };
  return { recorder, state };
}

const lookup = tool(async ({ id }: { id: string }) => `order ${id} shipped`, {
  name: 'lookup',
  description: 'Order status',
  schema: z.object({ id: z.string() }),
});

describe(`the handler's captures (@langchain/core ${coreLine})`, () => {
  it('a model call: registered from its start, released after it recorded; on an error too', async () => {
    const { recorder, state } = countingRecorder();
    const handler = new ChatTrailCallbackHandler({ trail: recorder, threadId: 't' });
    const model = new ScriptedChatModel([new AIMessage('Hi!'), new Error('rate limited')]);
    await model.invoke([new HumanMessage('Hello')], { callbacks: [handler] });
    await expect(model.invoke([new HumanMessage('Again')], { callbacks: [handler] })).rejects.toThrow();
    expect(state.turns.map(({ turn, open }) => [turn.status, open])).toEqual([
      ['ok', 1],
      ['error', 1],
    ]);
    expect(state).toMatchObject({ begun: 2, open: 0 });
  });

  it('an invocation with tools, ended by a failing tool: every capture released', async () => {
    const { recorder, state } = countingRecorder();
    const handler = new ChatTrailCallbackHandler({ trail: recorder, threadId: 't' });
    const model = new ScriptedChatModel([
      new AIMessage({
        content: '',
        tool_calls: [{ id: 'c1', name: 'lookup', args: { id: 'A-1' }, type: 'tool_call' }],
      }),
    ]);
    const agent = RunnableLambda.from(async (messages: BaseMessage[], config) => {
      const answer = await model.invoke(messages, config);
      for (const call of answer.tool_calls ?? []) await lookup.invoke({ ...call, type: 'tool_call' }, config);
      throw new Error('the agent gave up');
    });
    await expect(agent.invoke([new HumanMessage('Where is A-1?')], { callbacks: [handler] })).rejects.toThrow(
      'the agent gave up',
    );
    // The model call, the invocation (it records the tool result no model call saw): both released.
    expect(state.turns.map(({ turn }) => turn.status)).toEqual(['ok', 'error']);
    expect(state.begun).toBe(2);
    expect(state.open).toBe(0);
    expect(handler.pendingRuns).toBe(0);
  });

  it('runs evicted past maxOpenRuns, and disable(), release theirs', async () => {
    const { recorder, state } = countingRecorder();
    const handler = new ChatTrailCallbackHandler({ trail: recorder, maxOpenRuns: 1 });
    handler.handleChatModelStart({} as never, [[new HumanMessage('one')]], 'run-1');
    handler.handleChatModelStart({} as never, [[new HumanMessage('two')]], 'run-2');
    expect(state).toMatchObject({ begun: 2, open: 1 });
    handler.disable();
    expect(state.open).toBe(0);
  });

  it('a recorder without beginCapture records as before', async () => {
    const turns: Turn[] = [];
    const handler = new ChatTrailCallbackHandler({ trail: { record: (turn) => turns.push(turn) } });
    await new ScriptedChatModel([new AIMessage('Hi!')]).invoke([new HumanMessage('Hello')], {
      callbacks: [handler],
    });
    expect(turns).toHaveLength(1);
  });
});
