import { AIMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { tool } from '@langchain/core/tools';
import { Command, interrupt, MemorySaver } from '@langchain/langgraph';
import { createAgent } from 'langchain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChatTrailCallbackHandler } from '../src/index';
import { recordingTrail } from './support/recording-trail';

const getWeather = tool(async ({ city }) => JSON.stringify({ city, temperature_c: 21 }), {
  name: 'get_weather',
  description: 'Current weather for a city',
  schema: z.object({ city: z.string() }),
});
const getPollen = tool(
  async (): Promise<string> => {
    throw new Error('pollen station offline');
  },
  { name: 'get_pollen', description: 'Pollen count for a city', schema: z.object({ city: z.string() }) },
);
const bookTable = tool(
  async ({ restaurant }) => {
    const approved = interrupt({ question: `Book ${restaurant}?` });
    return approved === 'yes' ? `Booked ${restaurant}` : 'Not booked';
  },
  { name: 'book_table', description: 'Books a table', schema: z.object({ restaurant: z.string() }) },
);

const usage = (input: number, output: number) => ({
  input_tokens: input,
  output_tokens: output,
  total_tokens: input + output,
});
const callTool = (id: string, name: string, args: Record<string, unknown>, tokens = usage(10, 5)) =>
  new AIMessage({ content: '', tool_calls: [{ id, name, args, type: 'tool_call' }], usage_metadata: tokens });

describe('createAgent (langchain 1.x, LangGraph)', () => {
  it('records a tool round trip from fakeModel as consecutive turns of the thread_id, with usage', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    const model = fakeModel()
      .respond(callTool('call_1', 'get_weather', { city: 'Paris' }))
      .respond(new AIMessage({ content: 'It is 21 °C in Paris.', usage_metadata: usage(40, 9) }));
    const agent = createAgent({ model, tools: [getWeather], systemPrompt: 'Be brief.' });

    const result = await agent.invoke(
      { messages: [{ role: 'user', content: 'Weather in Paris?' }] },
      { callbacks: [handler], configurable: { thread_id: 'agent-thread' }, metadata: { user_id: 'user-1' } },
    );

    expect(result.messages.at(-1)?.content).toBe('It is 21 °C in Paris.');
    expect(trail.turns).toHaveLength(2);
    const [first, second] = trail.turns;
    for (const turn of trail.turns) {
      expect(turn).toMatchObject({ threadId: 'agent-thread', user: { id: 'user-1' }, status: 'ok' });
    }
    expect(first.usage).toEqual({ inputTokens: 10, outputTokens: 5, totalTokens: 15 });
    expect(second.usage).toEqual({ inputTokens: 40, outputTokens: 9, totalTokens: 49 });
    expect(second.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant']);
    expect(second.messages.slice(0, 3)).toEqual(first.messages);
    expect(second.messages[3].toolResult).toEqual({
      toolCallId: 'call_1',
      name: 'get_weather',
      output: { city: 'Paris', temperature_c: 21 },
    });
    expect(handler.pendingRuns).toBe(0);
  });

  it('records a throwing tool as an error result and the run as ok (the agent recovers)', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    const model = fakeModel()
      .respond(callTool('call_p', 'get_pollen', { city: 'Oslo' }))
      .respond(new AIMessage('Sorry, the pollen service is down.'));
    const agent = createAgent({ model, tools: [getPollen] });

    await agent.invoke(
      { messages: [{ role: 'user', content: 'Pollen in Oslo?' }] },
      { callbacks: [handler], configurable: { thread_id: 'tool-error' } },
    );

    expect(trail.turns).toHaveLength(2);
    const toolMessage = trail.turns[1].messages.find((m) => m.role === 'tool');
    expect(toolMessage?.toolResult).toMatchObject({ toolCallId: 'call_p', isError: true });
    expect(toolMessage?.content).toContain('pollen station offline');
    expect(trail.turns.map((t) => t.status)).toEqual(['ok', 'ok']);
    expect(handler.pendingRuns).toBe(0);
  });

  it('records a model error as an error turn and releases the runs', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    const agent = createAgent({
      model: fakeModel().alwaysThrow(new Error('rate limited')),
      tools: [getWeather],
    });

    await expect(
      agent.invoke(
        { messages: [{ role: 'user', content: 'Hi' }] },
        { callbacks: [handler], configurable: { thread_id: 'model-error' } },
      ),
    ).rejects.toThrow('rate limited');

    expect(trail.turns).toHaveLength(1);
    expect(trail.turns[0]).toMatchObject({
      threadId: 'model-error',
      status: 'error',
      error: { message: 'rate limited' },
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(handler.pendingRuns).toBe(0);
  });

  it('treats interrupt() in a tool as control flow and continues the thread on resume', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    const model = fakeModel()
      .respond(callTool('call_b', 'book_table', { restaurant: 'Chez Nous' }))
      .respond(new AIMessage('Your table at Chez Nous is booked.'));
    const agent = createAgent({ model, tools: [bookTable], checkpointer: new MemorySaver() });
    const config = { callbacks: [handler], configurable: { thread_id: 'hitl' } };

    const paused = await agent.invoke({ messages: [{ role: 'user', content: 'Book Chez Nous' }] }, config);
    expect(paused.__interrupt__).toBeDefined();
    expect(trail.turns).toHaveLength(1);
    expect(trail.turns[0].status).toBe('ok');
    expect(handler.pendingRuns).toBe(0);

    await agent.invoke(new Command({ resume: 'yes' }), config);
    expect(trail.turns.map((t) => t.status)).toEqual(['ok', 'ok']);
    const resumed = trail.turns[1];
    expect(resumed.threadId).toBe('hitl');
    expect(resumed.messages.slice(0, 2)).toEqual(trail.turns[0].messages);
    expect(resumed.messages[2]).toMatchObject({ role: 'tool', content: 'Booked Chez Nous' });
    expect(resumed.messages[3]).toMatchObject({
      role: 'assistant',
      content: 'Your table at Chez Nous is booked.',
    });
    expect(handler.pendingRuns).toBe(0);
  });

  it('resends the history of a checkpointed thread with the same message ids every turn', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    const model = fakeModel()
      .respond(new AIMessage('Hello!'))
      .respond(new AIMessage('Fine, thanks.'))
      .respond(new AIMessage('Bye!'));
    const agent = createAgent({
      model,
      tools: [],
      checkpointer: new MemorySaver(),
      systemPrompt: 'Be nice.',
    });
    for (const text of ['Hi', 'How are you?', 'Goodbye']) {
      await agent.invoke(
        { messages: [{ role: 'user', content: text }] },
        { callbacks: [handler], configurable: { thread_id: 'checkpointed' } },
      );
    }
    const [a, b, c] = trail.turns;
    expect(c.messages.map((m) => m.content)).toEqual([
      'Be nice.',
      'Hi',
      'Hello!',
      'How are you?',
      'Fine, thanks.',
      'Goodbye',
      'Bye!',
    ]);
    expect(b.messages).toEqual(c.messages.slice(0, 5));
    expect(a.messages).toEqual(c.messages.slice(0, 3));
  });

  it('keeps concurrent agent invocations on different threads apart', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const model = fakeModel()
          .respond(callTool(`call_${i}`, 'get_weather', { city: `City${i}` }))
          .respond(new AIMessage(`Weather ${i} is fine.`));
        const agent = createAgent({ model, tools: [getWeather] });
        await agent.invoke(
          { messages: [{ role: 'user', content: `Weather in City${i}?` }] },
          { callbacks: [handler], configurable: { thread_id: `thread-${i}` } },
        );
      }),
    );
    expect(trail.turns).toHaveLength(24);
    for (const turn of trail.turns) {
      const i = turn.threadId.slice('thread-'.length);
      expect(turn.messages[0].content).toBe(`Weather in City${i}?`);
      expect(turn.messages[1].toolCalls?.[0].id).toBe(`call_${i}`);
    }
    expect(handler.pendingRuns).toBe(0);
  });
});
