import { createChatTrail, melodi, mielto } from '@chattrail/core';
import { type DevServer, startDevServer } from '@chattrail/devserver';
import {
  AIMessage,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  trimMessages,
} from '@langchain/core/messages';
import { RunnableLambda } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChatTrailCallbackHandler } from '../../src/index';
import { melodiThread, mieltoConversation } from '../support/devserver-readback';
import { coreLine } from '../support/recording-trail';
import { ScriptedChatModel } from '../support/scripted-chat-models';

const lookupOrder = tool(
  async ({ orderId }: { orderId: string }) => JSON.stringify({ orderId, status: 'shipped' }),
  {
    name: 'lookup_order',
    description: 'Order status',
    schema: z.object({ orderId: z.string() }),
  },
);

/** A devserver and a trail writing to both its backends, flushed by the test rather than a timer. */
async function devServerAndTrail(melodiThreadMessages: 'merge' | 'replace') {
  const server = await startDevServer({ port: 0, melodiThreadMessages });
  const trail = createChatTrail({
    destinations: [
      mielto({ apiKey: 'demo', baseUrl: server.mieltoBaseUrl }),
      melodi({ apiKey: 'demo', projectId: 1, baseUrl: server.melodiBaseUrl }),
    ],
    flushIntervalMs: 60_000,
  });
  return { server, trail };
}

/** Mielto's conversation and Melodi's thread for `threadId` both hold exactly `expected`, in order. */
async function expectBothBackends(server: DevServer, threadId: string, expected: unknown[]) {
  const conversation = await mieltoConversation(server, threadId);
  expect(conversation.messages.map((m) => m.content)).toEqual(expected);
  const thread = await melodiThread(server, threadId);
  expect(thread.messages.map((m) => m.content)).toEqual(expected);
}

// Melodi's PUT /threads read both ways (the seed's "full thread object"): merging, or replacing.
describe.each(['merge', 'replace'] as const)(
  `handler → trail → devserver over HTTP (@langchain/core ${coreLine}, Melodi %s)`,
  (melodiMode) => {
    it('delivers a tool-using conversation resent on every request once to Mielto and whole to Melodi', async () => {
      const { server, trail } = await devServerAndTrail(melodiMode);
      try {
        const model = new ScriptedChatModel([
          new AIMessage({
            content: '',
            tool_calls: [
              { id: 'call_o1', name: 'lookup_order', args: { orderId: 'A-1' }, type: 'tool_call' },
            ],
          }),
          new AIMessage('Order A-1 has shipped.'),
          new AIMessage('You are welcome!'),
        ]);
        const agent = RunnableLambda.from(async (messages: BaseMessage[], config) => {
          const out = [...messages];
          for (;;) {
            const answer = await model.invoke(out, config);
            out.push(answer);
            if (!answer.tool_calls?.length) return out;
            for (const call of answer.tool_calls)
              out.push(await lookupOrder.invoke({ ...call, type: 'tool_call' }, config));
          }
        });
        const handler = new ChatTrailCallbackHandler({ trail, user: 'customer-7' });
        const config = { callbacks: [handler], metadata: { thread_id: `shared-${coreLine}` } };

        let history = await agent.invoke([new HumanMessage('Where is order A-1?')], config);
        history = await agent.invoke([...history, new HumanMessage('Thanks!')], config);
        expect((await trail.flush({ timeoutMs: 10_000 })).ok).toBe(true);

        const expected = [
          ['user', 'Where is order A-1?'],
          ['assistant', ''],
          ['tool', '{"orderId":"A-1","status":"shipped"}'],
          ['assistant', 'Order A-1 has shipped.'],
          ['user', 'Thanks!'],
          ['assistant', 'You are welcome!'],
        ];
        const conversation = await mieltoConversation(server, `shared-${coreLine}`);
        expect(conversation.messages.map((m) => [m.role, m.content])).toEqual(expected);
        expect(conversation.user_id).toBe('customer-7');
        const thread = await melodiThread(server, `shared-${coreLine}`);
        expect(thread.messages.map((m) => m.role)).toEqual(expected.map(([role]) => role));
        expect(handler.pendingRuns).toBe(0);
      } finally {
        await trail.shutdown({ timeoutMs: 5_000 });
        await server.close();
      }
    });

    it('delivers a conversation whose history trimMessages cuts to a window each turn, each message once', async () => {
      const { server, trail } = await devServerAndTrail(melodiMode);
      try {
        const answers = Array.from({ length: 6 }, (_, i) => new AIMessage(`Answer ${i + 1}.`));
        const model = new ScriptedChatModel(answers);
        // The system prompt plus the last three messages, starting on a question (a token counter of one
        // per message keeps the window exact).
        const trimmer = trimMessages({
          maxTokens: 4,
          strategy: 'last',
          tokenCounter: (messages: BaseMessage[]) => messages.length,
          includeSystem: true,
          startOn: 'human',
        });
        const handler = new ChatTrailCallbackHandler({ trail });
        const threadId = `trimmed-${coreLine}`;
        const config = { callbacks: [handler], metadata: { thread_id: threadId } };
        const system = new SystemMessage('Be brief.');
        const history: BaseMessage[] = [];
        for (let t = 1; t <= 6; t++) {
          history.push(new HumanMessage(`Question ${t}?`));
          const window = await trimmer.invoke([system, ...history]);
          history.push(await model.invoke(window, config));
          if (t <= 2) expect((await trail.flush({ timeoutMs: 10_000 })).ok).toBe(true);
        }
        expect((await trail.flush({ timeoutMs: 10_000 })).ok).toBe(true);

        const expected = ['Be brief.', ...history.map((message) => message.content)];
        await expectBothBackends(server, threadId, expected);
      } finally {
        await trail.shutdown({ timeoutMs: 5_000 });
        await server.close();
      }
    });

    it("turnMessages: 'new' for an app that keeps the history itself: a repeated question is stored again", async () => {
      const { server, trail } = await devServerAndTrail(melodiMode);
      try {
        const model = new ScriptedChatModel([
          new AIMessage('Sure!'),
          new AIMessage('Sure!'),
          new AIMessage('Done.'),
        ]);
        const handler = new ChatTrailCallbackHandler({ trail, turnMessages: 'new' });
        const threadId = `new-only-${coreLine}`;
        const config = { callbacks: [handler], metadata: { thread_id: threadId } };
        const system = new SystemMessage('Be brief.');
        for (const question of ['Shall we?', 'yes', 'yes']) {
          await model.invoke([system, new HumanMessage(question)], config); // the app keeps the history
        }
        expect((await trail.flush({ timeoutMs: 10_000 })).ok).toBe(true);

        const expected = ['Be brief.', 'Shall we?', 'Sure!', 'yes', 'Sure!', 'yes', 'Done.'];
        await expectBothBackends(server, threadId, expected);
      } finally {
        await trail.shutdown({ timeoutMs: 5_000 });
        await server.close();
      }
    });
  },
);
