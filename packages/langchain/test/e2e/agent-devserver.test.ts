import { type ChatTrail, createChatTrail, melodi, mielto } from '@chattrail/core';
import { type DevServer, startDevServer } from '@chattrail/devserver';
import type { BaseMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { createAgent } from 'langchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChatTrailCallbackHandler } from '../../src/index';
import { melodiThread, mieltoConversation } from '../support/devserver-readback';

// Real HTTP end to end: a createAgent agent talks to the devserver's OpenAI-compatible completions
// endpoint through ChatOpenAI, the handler records its turns, and the trail delivers them to the same
// devserver's Mielto and Melodi APIs, which we read back.

const getWeather = tool(async ({ city }) => JSON.stringify({ city, temperature_c: 21, sky: 'sunny' }), {
  name: 'get_weather',
  description: 'Current weather for a city',
  schema: z.object({ city: z.string() }),
});

let server: DevServer;
let trail: ChatTrail;

function agentFor(options: { maxRetries?: number } = {}) {
  const model = new ChatOpenAI({
    model: 'scripted-1',
    apiKey: 'demo',
    maxRetries: options.maxRetries ?? 2,
    configuration: { baseURL: server.mieltoBaseUrl },
  });
  return createAgent({ model, tools: [getWeather], systemPrompt: 'You are a concise weather assistant.' });
}

beforeAll(async () => {
  server = await startDevServer({ port: 0 });
  trail = createChatTrail({
    destinations: [
      mielto({ apiKey: 'demo', baseUrl: server.mieltoBaseUrl }),
      melodi({ apiKey: 'demo', projectId: 1, baseUrl: server.melodiBaseUrl }),
    ],
    flushIntervalMs: 60_000,
  });
});

afterAll(async () => {
  await trail?.shutdown({ timeoutMs: 5_000 });
  await server?.close();
});

describe('agent → devserver completions → trail → devserver Mielto + Melodi', () => {
  it('logs three invocations that resend the history as one thread: each message once in Mielto, all of them in order in Melodi', async () => {
    const handler = new ChatTrailCallbackHandler({ trail, user: { id: 'user-ada', name: 'Ada' } });
    const agent = agentFor();
    // A stateless server: the client sends the whole conversation with every request.
    let history: BaseMessage[] | { role: string; content: string }[] = [];
    for (const text of ['What is the weather in Paris?', 'Thanks! Any tips?', 'And the weather in Lisbon?']) {
      const result = await agent.invoke(
        { messages: [...history, { role: 'user', content: text }] },
        { callbacks: [handler], configurable: { thread_id: 'e2e-resend' } },
      );
      history = result.messages;
    }
    const report = await trail.flush({ timeoutMs: 10_000 });
    expect(report).toMatchObject({ ok: true, pendingTurns: 0 });
    expect(handler.pendingRuns).toBe(0);

    const expected = [
      ['user', 'What is the weather in Paris?'],
      ['assistant', ''],
      ['tool', '{"city":"Paris","temperature_c":21,"sky":"sunny"}'],
      ['assistant', 'Here is what the tool returned: {"city":"Paris","temperature_c":21,"sky":"sunny"}'],
      ['user', 'Thanks! Any tips?'],
      ['assistant', expect.stringContaining('You said: "Thanks! Any tips?"')],
      ['user', 'And the weather in Lisbon?'],
      ['assistant', ''],
      ['tool', '{"city":"Lisbon","temperature_c":21,"sky":"sunny"}'],
      ['assistant', 'Here is what the tool returned: {"city":"Lisbon","temperature_c":21,"sky":"sunny"}'],
    ];

    const conversation = await mieltoConversation(server, 'e2e-resend');
    expect(conversation.user_id).toBe('user-ada');
    const mieltoMessages = conversation.messages.filter((m) => m.role !== 'system');
    expect(mieltoMessages.map((m) => [m.role, m.content])).toEqual(expected);
    const ids = conversation.messages.map((m) => m.meta_data?.chattrail_message_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(mieltoMessages[1].tool_calls?.[0].function).toEqual({
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
    });

    const thread = await melodiThread(server, 'e2e-resend');
    expect(thread.externalUser?.externalId).toBe('user-ada');
    const melodiMessages = thread.messages.filter((m) => m.role !== 'system');
    expect(melodiMessages.map((m) => m.role)).toEqual(expected.map(([role]) => role));
    expect(new Set(thread.messages.map((m) => m.externalId)).size).toBe(thread.messages.length);
    expect(thread.messages.map((m) => m.externalId)).toEqual(
      conversation.messages.map((m) => m.meta_data?.chattrail_message_id),
    );
  });

  it('keeps concurrent invocations on different threads in their own conversations', async () => {
    const handler = new ChatTrailCallbackHandler({ trail });
    const agent = agentFor();
    const cities = ['Oslo', 'Rome', 'Cairo', 'Quito', 'Hanoi', 'Perth'];
    await Promise.all(
      cities.map((city) =>
        agent.invoke(
          { messages: [{ role: 'user', content: `What is the weather in ${city}?` }] },
          {
            callbacks: [handler],
            configurable: { thread_id: `e2e-${city}` },
            metadata: { user_id: `u-${city}` },
          },
        ),
      ),
    );
    expect((await trail.flush({ timeoutMs: 10_000 })).ok).toBe(true);
    for (const city of cities) {
      const conversation = await mieltoConversation(server, `e2e-${city}`);
      expect(conversation.user_id).toBe(`u-${city}`);
      const texts = conversation.messages.map((m) => m.content).join('\n');
      expect(texts).toContain(`What is the weather in ${city}?`);
      for (const other of cities.filter((c) => c !== city)) expect(texts).not.toContain(other);
      const thread = await melodiThread(server, `e2e-${city}`);
      expect(thread.messages).toHaveLength(conversation.messages.length);
    }
    expect(handler.pendingRuns).toBe(0);
  });

  it('logs a failed model call with its status', async () => {
    server.addFault({ route: 'POST /api/v1/chat/completions', status: 500, times: 1 });
    const handler = new ChatTrailCallbackHandler({ trail });
    await expect(
      agentFor({ maxRetries: 0 }).invoke(
        { messages: [{ role: 'user', content: 'Is anyone there?' }] },
        { callbacks: [handler], configurable: { thread_id: 'e2e-error' } },
      ),
    ).rejects.toThrow();
    expect((await trail.flush({ timeoutMs: 10_000 })).ok).toBe(true);
    const conversation = await mieltoConversation(server, 'e2e-error');
    const user = conversation.messages.find((m) => m.role === 'user');
    expect(user?.content).toBe('Is anyone there?');
    // An error turn has no output for Mielto to annotate; Melodi's thread metadata carries its status.
    const thread = await melodiThread(server, 'e2e-error');
    expect(thread.metadata).toMatchObject({ status: 'error', source: 'langchain' });
    expect(handler.pendingRuns).toBe(0);
  });
});
