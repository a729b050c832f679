import { AIMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { FakeLLM } from '@langchain/core/utils/testing';
import { describe, expect, it, vi } from 'vitest';
import { ChatTrailCallbackHandler } from '../../src/index';
import { coreLine, recordingTrail } from '../support/recording-trail';
import {
  HangingChatModel,
  ScriptedChatModel,
  StreamingScriptedChatModel,
} from '../support/scripted-chat-models';

describe(`chat model turns (@langchain/core ${coreLine})`, () => {
  it('records the conversation, the tool calls and the usage of a chat model call', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    const model = new ScriptedChatModel([
      new AIMessage({
        content: '',
        tool_calls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Paris' }, type: 'tool_call' }],
        usage_metadata: {
          input_tokens: 12,
          output_tokens: 7,
          total_tokens: 19,
          input_token_details: { cache_read: 4 },
          output_token_details: { reasoning: 3 },
        },
      }),
    ]);

    await model.invoke([new SystemMessage('Be brief.'), new HumanMessage('Weather in Paris?')], {
      callbacks: [handler],
      metadata: { thread_id: 'thread-1' },
    });

    expect(trail.turns).toHaveLength(1);
    const [turn] = trail.turns;
    expect(turn).toMatchObject({
      threadId: 'thread-1',
      status: 'ok',
      source: 'langchain',
      usage: { inputTokens: 12, outputTokens: 7, totalTokens: 19, cachedInputTokens: 4, reasoningTokens: 3 },
    });
    expect(turn.messages.map((m) => [m.role, m.content])).toEqual([
      ['system', 'Be brief.'],
      ['user', 'Weather in Paris?'],
      ['assistant', ''],
    ]);
    expect(turn.messages[2].toolCalls).toEqual([
      { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } },
    ]);
    expect(new Set(turn.messages.map((m) => m.id)).size).toBe(3);
    expect(Date.parse(turn.endedAt)).toBeGreaterThanOrEqual(Date.parse(turn.startedAt));
    expect(handler.pendingRuns).toBe(0);
  });

  it('takes content, tool calls and usage from the aggregated stream, and the time to first token', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    const model = new StreamingScriptedChatModel({
      text: ['Let me ', 'check ', 'that.'],
      toolCall: { id: 'call_s1', name: 'get_weather', args: { city: 'Oslo' } },
      usage: { input_tokens: 30, output_tokens: 9, total_tokens: 39 },
      delayMs: 5,
    });

    const chunks: string[] = [];
    for await (const chunk of await model.stream('Weather in Oslo?', {
      callbacks: [handler],
      metadata: { thread_id: 'stream-thread' },
    })) {
      chunks.push(String(chunk.content));
    }

    expect(chunks.join('')).toBe('Let me check that.');
    expect(trail.turns).toHaveLength(1);
    const [turn] = trail.turns;
    expect(turn.messages.at(-1)).toMatchObject({
      role: 'assistant',
      content: 'Let me check that.',
      toolCalls: [{ id: 'call_s1', name: 'get_weather', args: { city: 'Oslo' } }],
    });
    expect(turn.usage).toEqual({ inputTokens: 30, outputTokens: 9, totalTokens: 39 });
    expect(turn.timeToFirstTokenMs).toBeGreaterThanOrEqual(4);
    const duration = Date.parse(turn.endedAt) - Date.parse(turn.startedAt);
    expect(turn.timeToFirstTokenMs).toBeLessThanOrEqual(duration);
    expect(handler.pendingRuns).toBe(0);
  });

  it('records the same streamed answer when the streaming model is invoked (aggregated by _generate)', async () => {
    const trail = recordingTrail();
    const model = new StreamingScriptedChatModel({
      text: ['Hello', ' there'],
      usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
    });
    await model.invoke('Hi', { callbacks: [new ChatTrailCallbackHandler({ trail })] });
    expect(trail.turns[0].messages.at(-1)).toMatchObject({ role: 'assistant', content: 'Hello there' });
    expect(trail.turns[0].usage).toEqual({ inputTokens: 3, outputTokens: 2, totalTokens: 5 });
    expect(trail.turns[0].timeToFirstTokenMs).toBeTypeOf('number');
  });

  it('records a failed model call as an error turn with the input and rethrows nothing of its own', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    const model = new ScriptedChatModel([new Error('provider is down')]);

    await expect(
      model.invoke('Hello?', { callbacks: [handler], metadata: { thread_id: 'err-thread' } }),
    ).rejects.toThrow('provider is down');

    expect(trail.turns).toHaveLength(1);
    expect(trail.turns[0]).toMatchObject({
      threadId: 'err-thread',
      status: 'error',
      error: { name: 'Error', message: 'provider is down' },
      messages: [{ role: 'user', content: 'Hello?' }],
    });
    expect(handler.pendingRuns).toBe(0);
  });

  it('records an aborted call as aborted', async () => {
    const trail = recordingTrail();
    const handler = new ChatTrailCallbackHandler({ trail });
    const controller = new AbortController();
    const model = new HangingChatModel();
    const pending = model.invoke('Hi', { callbacks: [handler], signal: controller.signal });
    // Aborted once the run has started (after a fixed 5 ms, a loaded machine could abort before it).
    await vi.waitFor(() => expect(handler.pendingRuns).toBe(1), { timeout: 10_000 });
    controller.abort();
    await expect(pending).rejects.toThrow();
    expect(trail.turns).toHaveLength(1);
    expect(trail.turns[0]).toMatchObject({ status: 'aborted', error: { name: 'AbortError' } });
    expect(handler.pendingRuns).toBe(0);
  });

  it('records plain LLMs through handleLLMStart: the prompt as the user message', async () => {
    const trail = recordingTrail();
    const llm = new FakeLLM({});
    const answer = await llm.invoke('Say hi', { callbacks: [new ChatTrailCallbackHandler({ trail })] });
    expect(trail.turns).toHaveLength(1);
    expect(trail.turns[0].messages).toMatchObject([
      { role: 'user', content: 'Say hi' },
      { role: 'assistant', content: answer },
    ]);
  });

  it('replaces text, tool arguments and outputs when captureContent is false', async () => {
    const trail = recordingTrail();
    const model = new ScriptedChatModel([
      new AIMessage({
        content: 'secret answer',
        tool_calls: [{ id: 'call_9', name: 'lookup', args: { ssn: '123-45-6789' }, type: 'tool_call' }],
      }),
    ]);
    await model.invoke('my secret question', {
      callbacks: [new ChatTrailCallbackHandler({ trail, captureContent: false })],
    });
    const json = JSON.stringify(trail.turns);
    expect(json).not.toContain('secret');
    expect(json).not.toContain('123-45-6789');
    expect(trail.turns[0].messages.at(-1)).toMatchObject({
      role: 'assistant',
      content: '[content not captured]',
      toolCalls: [{ id: 'call_9', name: 'lookup', args: {} }],
    });
  });

  it('keeps non-text parts as placeholders, never their bytes', async () => {
    const trail = recordingTrail();
    const model = new ScriptedChatModel([new AIMessage('A cat.')]);
    const image = `data:image/png;base64,${'A'.repeat(40_000)}`;
    await model.invoke(
      [
        new HumanMessage({
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url: image } },
          ],
        }),
      ],
      { callbacks: [new ChatTrailCallbackHandler({ trail })] },
    );
    const user = trail.turns[0].messages[0];
    expect(user.content).toMatch(/^What is in this picture\?\n\[image: image\/png, 29(\.\d)? KB\]$/);
    expect(JSON.stringify(trail.turns)).not.toContain('AAAAAAAA');
  });

  it('never lets a failing trail break the run', async () => {
    const handler = new ChatTrailCallbackHandler({
      trail: {
        record() {
          throw new Error('trail exploded');
        },
      },
    });
    const model = new ScriptedChatModel([new AIMessage('fine')]);
    const warn = console.warn;
    const warnings: unknown[] = [];
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      await expect(model.invoke('hi', { callbacks: [handler] })).resolves.toMatchObject({ content: 'fine' });
      await expect(model.invoke('hi', { callbacks: [handler] })).resolves.toBeDefined();
    } finally {
      console.warn = warn;
    }
    expect(warnings).toHaveLength(1);
    expect(handler.pendingRuns).toBe(0);
  });
});
