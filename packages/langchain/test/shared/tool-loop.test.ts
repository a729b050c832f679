import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { RunnableLambda } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChatTrailCallbackHandler } from '../../src/index';
import { coreLine, recordingTrail } from '../support/recording-trail';
import { ScriptedChatModel } from '../support/scripted-chat-models';

const getWeather = tool(async ({ city }: { city: string }) => JSON.stringify({ city, sky: 'sunny' }), {
  name: 'get_weather',
  description: 'Current weather for a city',
  schema: z.object({ city: z.string() }),
});
const brokenTool = tool(
  async (): Promise<string> => {
    throw new Error('station offline');
  },
  { name: 'get_pollen', description: 'Pollen count', schema: z.object({ city: z.string() }) },
);
const tools: Record<string, { invoke: typeof getWeather.invoke }> = {
  get_weather: getWeather,
  get_pollen: brokenTool as unknown as typeof getWeather,
};

const callTool = (id: string, name: string, city: string) =>
  new AIMessage({ content: '', tool_calls: [{ id, name, args: { city }, type: 'tool_call' }] });

/**
 * A hand-written agent loop with the primitives of both @langchain/core lines: model → tools → model,
 * a failing tool turned into an error ToolMessage as LangGraph's ToolNode does.
 */
function agentLoop(model: ScriptedChatModel, options: { stopAfterTools?: boolean } = {}) {
  return RunnableLambda.from(async (input: { messages: BaseMessage[] }, config) => {
    const messages = [...input.messages];
    for (let step = 0; step < 4; step++) {
      const answer = await model.invoke(messages, config);
      messages.push(answer);
      if (!answer.tool_calls?.length) break;
      for (const call of answer.tool_calls) {
        try {
          messages.push(await tools[call.name].invoke({ ...call, type: 'tool_call' }, config));
        } catch (error) {
          messages.push(
            new ToolMessage({
              content: `Error: ${(error as Error).message}\n Please fix your mistakes.`,
              tool_call_id: call.id!,
              name: call.name,
              status: 'error',
            }),
          );
        }
      }
      if (options.stopAfterTools) break;
    }
    return { messages };
  });
}

describe(`tool runs inside one invocation (@langchain/core ${coreLine})`, () => {
  it('turns model calls and tool runs into consecutive turns of one thread without duplicates', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    const model = new ScriptedChatModel([
      callTool('call_w', 'get_weather', 'Paris'),
      new AIMessage('It is sunny in Paris.'),
    ]);

    await agentLoop(model).invoke(
      { messages: [new HumanMessage('Weather in Paris?')] },
      { callbacks: [handler], metadata: { thread_id: 'loop-thread' } },
    );

    expect(trail.turns).toHaveLength(2);
    const [first, second] = trail.turns;
    expect(first.threadId).toBe('loop-thread');
    expect(second.threadId).toBe('loop-thread');
    // The second turn continues the first: same ids for the shared prefix, the tool result in between.
    expect(second.messages.slice(0, first.messages.length)).toEqual(first.messages);
    expect(second.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(second.messages[2]).toMatchObject({
      content: '{"city":"Paris","sky":"sunny"}',
      toolResult: { toolCallId: 'call_w', name: 'get_weather', output: { city: 'Paris', sky: 'sunny' } },
    });
    expect(handler.pendingRuns).toBe(0);
  });

  it('records tool results the model never saw as a last turn of the invocation', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    const model = new ScriptedChatModel([callTool('call_w2', 'get_weather', 'Rome')]);

    await agentLoop(model, { stopAfterTools: true }).invoke(
      { messages: [new HumanMessage('Weather in Rome?')] },
      { callbacks: [handler], metadata: { thread_id: 'tools-last' } },
    );

    expect(trail.turns).toHaveLength(2);
    const [modelTurn, toolTurn] = trail.turns;
    expect(toolTurn.id).not.toBe(modelTurn.id);
    expect(toolTurn.threadId).toBe('tools-last');
    expect(toolTurn.messages.slice(0, 2)).toEqual(modelTurn.messages);
    expect(toolTurn.messages[2]).toMatchObject({
      role: 'tool',
      toolResult: { toolCallId: 'call_w2', output: { city: 'Rome', sky: 'sunny' } },
    });
    expect(handler.pendingRuns).toBe(0);
  });

  it('records a throwing tool through the error result the next model call sees', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    const model = new ScriptedChatModel([
      callTool('call_p', 'get_pollen', 'Oslo'),
      new AIMessage('The pollen station is offline.'),
    ]);

    await agentLoop(model).invoke(
      { messages: [new HumanMessage('Pollen in Oslo?')] },
      { callbacks: [handler], metadata: { thread_id: 'tool-error' } },
    );

    expect(trail.turns).toHaveLength(2);
    const tool = trail.turns[1].messages[2];
    expect(tool).toMatchObject({ role: 'tool', toolResult: { toolCallId: 'call_p', isError: true } });
    expect(tool.content).toContain('station offline');
    expect(trail.turns.every((t) => t.status === 'ok')).toBe(true);
    expect(handler.pendingRuns).toBe(0);
  });

  it('treats a LangGraph interrupt as control flow, not as an error', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    const model = new ScriptedChatModel([callTool('call_i', 'get_weather', 'Lima')]);
    class GraphInterrupt extends Error {
      name = 'GraphInterrupt';
      get is_bubble_up() {
        return true;
      }
    }
    const interrupted = RunnableLambda.from(async (input: { messages: BaseMessage[] }, config) => {
      const answer = await model.invoke(input.messages, config);
      await getWeather.invoke({ ...answer.tool_calls![0], type: 'tool_call' }, config);
      throw new GraphInterrupt('waiting for a human');
    });

    await expect(
      interrupted.invoke(
        { messages: [new HumanMessage('Weather in Lima?')] },
        { callbacks: [handler], metadata: { thread_id: 'interrupt' } },
      ),
    ).rejects.toThrow('waiting for a human');

    expect(trail.turns.map((t) => t.status)).toEqual(['ok', 'ok']);
    expect(trail.turns.some((t) => t.error !== undefined)).toBe(false);
    expect(handler.pendingRuns).toBe(0);
  });

  it('releases every run after 1,000 invocations, failed ones included', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    const queue = Array.from({ length: 1000 }, (_, i) =>
      i % 10 === 9
        ? new Error(`failure ${i}`)
        : i % 2 === 0
          ? callTool(`c${i}`, 'get_weather', 'Paris')
          : new AIMessage('done'),
    );
    const model = new ScriptedChatModel(queue);
    const loop = agentLoop(model, { stopAfterTools: true });
    let failures = 0;
    for (let i = 0; i < 1000; i++) {
      await loop
        .invoke(
          { messages: [new HumanMessage(`q${i}`)] },
          { callbacks: [handler], metadata: { thread_id: `t${i}` } },
        )
        .catch(() => failures++);
      if (i === 499) expect(handler.pendingRuns).toBe(0);
    }
    expect(failures).toBe(100);
    expect(handler.pendingRuns).toBe(0);
    expect(trail.turns.filter((t) => t.status === 'error')).toHaveLength(100);
  });

  it('bounds the runs it keeps when ends never arrive', () => {
    const handler = new ChatTrailCallbackHandler({ trail: recordingTrail(), maxOpenRuns: 100 });
    for (let i = 0; i < 1000; i++) handler.handleChainStart({} as never, {}, `run-${i}`);
    expect(handler.pendingRuns).toBe(100);
    handler.handleChainEnd({}, 'run-999');
    expect(handler.pendingRuns).toBe(99);
  });
});
