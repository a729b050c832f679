import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chatGPTConversationToTurn } from './chatgpt-conversation-to-turn';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'conversations.json');
const [branched, python, images] = JSON.parse(readFileSync(FIXTURE, 'utf8')) as unknown[];
const origin = (line: number) => ({ file: 'conversations.json', fileName: 'conversations.json', line });

describe('chatGPTConversationToTurn', () => {
  it('follows the current branch, skips hidden messages, counts the other branches', () => {
    const turn = chatGPTConversationToTurn(branched, origin(1));
    expect(turn.threadId).toBe('6672a1b0-1111-8000-9aaa-0c0ffee00001');
    expect(turn.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', "What's a good name for a grey kitten? Just one, please."],
      ['assistant', 'Pebble.'],
      ['user', 'Why that one?'],
      ['assistant', 'It is small, round and grey, like a kitten curled up.'],
    ]);
    expect(turn.metadata).toEqual({
      imported_from: 'conversations.json:1',
      chatgpt: { title: 'Grey cat names', other_branches: 1, hidden_messages: 2 },
    });
    expect(turn.model).toEqual({ provider: 'openai', id: 'gpt-4o' });
    expect(turn.startedAt).toBe('2024-06-10T06:13:20.000Z');
    expect(turn.messages[0]!.createdAt).toBe('2024-06-10T06:14:20.000Z');
  });

  it('turns a message to a tool into a tool call, and the tool message into its result; skips thoughts', () => {
    const turn = chatGPTConversationToTurn(python, origin(2));
    expect(turn.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    const call = turn.messages[1]!;
    expect(call.content).toBe('');
    expect(call.toolCalls).toEqual([
      { id: 'a-3', name: 'python', args: expect.stringContaining('statistics') },
    ]);
    expect(turn.messages[2]!.toolResult).toEqual({
      toolCallId: 'a-3',
      name: 'python',
      output: '3.5 2.7774602993176543',
    });
    expect(turn.metadata!.chatgpt).toMatchObject({ other_branches: 0, hidden_messages: 2 });
  });

  it('keeps images as placeholders (size, shape, generated), never the asset pointer', () => {
    const turn = chatGPTConversationToTurn(images, origin(3));
    expect(turn.messages[0]!.content).toBe('[image: 179 KB, 1024×768]\nWhat plant is this?');
    expect(turn.messages[3]!.toolCalls).toEqual([
      {
        id: 'a-6',
        name: 'dalle.text2im',
        args: { prompt: 'A Monstera deliciosa in a pot, loose watercolour', size: '1024x1024', n: 1 },
      },
    ]);
    expect(turn.messages[4]!.toolResult).toMatchObject({
      toolCallId: 'a-6',
      output: '[image: 393 KB, 1024×1024, generated]',
    });
    expect(JSON.stringify(turn)).not.toContain('file-service://');
  });

  it('without current_node follows the newest leaf; a parent loop ends the walk', () => {
    const copy = structuredClone(branched) as Record<string, any>;
    delete copy.current_node;
    expect(chatGPTConversationToTurn(copy, origin(1)).messages.at(-1)!.content).toMatch(/kitten curled up/);
    copy.mapping['u-1b'].parent = 'a-2';
    copy.current_node = 'a-2';
    const looped = chatGPTConversationToTurn(copy, origin(1));
    expect(looped.messages.length).toBeLessThanOrEqual(4);
  });

  it('rejects what is not a conversation with a reason', () => {
    expect(() => chatGPTConversationToTurn([], origin(1))).toThrow(/not a JSON object/);
    expect(() => chatGPTConversationToTurn({ title: 'x' }, origin(1))).toThrow(/no "mapping"/);
    expect(() => chatGPTConversationToTurn({ mapping: {} }, origin(1))).toThrow(/no nodes/);
    expect(() =>
      chatGPTConversationToTurn({ mapping: { a: { id: 'a', message: null, children: [] } } }, origin(1)),
    ).toThrow(/no visible messages/);
  });
});
