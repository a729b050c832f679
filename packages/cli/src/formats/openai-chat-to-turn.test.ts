import { describe, expect, it } from 'vitest';
import { ImportInputError } from './import-input-error';
import { openAIChatToTurn } from './openai-chat-to-turn';

const origin = { file: 'logs/a.jsonl', fileName: 'a.jsonl', line: 3 };

describe('openAIChatToTurn', () => {
  it('maps roles, parts, tool calls and results; derives the thread from file name and line', () => {
    const turn = openAIChatToTurn(
      {
        created_at: 1_700_000_000,
        messages: [
          { role: 'developer', content: 'Be brief.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Look:' },
              { type: 'image_url', image_url: { url: 'https://x/y.png' } },
            ],
          },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: 'not json' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'ok' },
        ],
      },
      origin,
    );
    expect(turn.threadId).toBe('import:a.jsonl:3');
    expect(turn.startedAt).toBe('2023-11-14T22:13:20.000Z');
    expect(turn.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(turn.messages[1]!.content).toMatch(/^Look:\n\[image/);
    expect(turn.messages[2]!.toolCalls).toEqual([{ id: 'c1', name: 'f', args: 'not json' }]);
    expect(turn.messages[3]!.toolResult).toEqual({ toolCallId: 'c1', name: 'f', output: 'ok' });
  });

  it('keeps thread_id, user and model when given', () => {
    const turn = openAIChatToTurn(
      { thread_id: 't-9', user: 'u-1', model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
      origin,
    );
    expect(turn).toMatchObject({ threadId: 't-9', user: { id: 'u-1' }, model: { id: 'gpt-4o' } });
  });

  it.each([
    [[], 'not a JSON object'],
    [{}, 'no "messages" array'],
    [{ messages: [] }, '"messages" is empty'],
    [{ messages: [{ role: 'robot', content: 'x' }] }, 'unknown role'],
    [{ messages: [{ role: 'tool', content: 'x' }] }, 'without "tool_call_id"'],
    [{ messages: [{ role: 'user', content: 5 }] }, 'neither text nor a list of parts'],
  ])('rejects %j with a reason', (value, reason) => {
    expect(() => openAIChatToTurn(value, origin)).toThrow(ImportInputError);
    expect(() => openAIChatToTurn(value, origin)).toThrow(reason);
  });
});
