import { describe, expect, it } from 'vitest';
import { contentText, roleOf, toMessageBody, withId } from './to-turn-message';

describe('roleOf', () => {
  it.each([
    [{ type: 'human' }, 'user'],
    [{ type: 'ai' }, 'assistant'],
    [{ type: 'system' }, 'system'],
    [{ type: 'developer' }, 'system'],
    [{ type: 'tool' }, 'tool'],
    [{ type: 'function' }, 'tool'],
    [{ _getType: () => 'ai' }, 'assistant'],
    [{ type: 'generic', role: 'assistant' }, 'assistant'],
    [{ type: 'generic', role: 'critic' }, 'user'],
  ] as const)('%o → %s', (message, role) => {
    expect(roleOf(message)).toBe(role);
  });
});

describe('contentText', () => {
  it('joins streamed text blocks into one text and puts other parts on their own lines', () => {
    expect(
      contentText([
        { type: 'text', text: 'Look ' },
        { type: 'text', text: 'here:' },
        { type: 'image', source_type: 'url', url: 'https://example.com/cat.png?sig=secret' },
        { type: 'text', text: 'and there.' },
      ]),
    ).toBe('Look here:\n[image: https://example.com/cat.png]\nand there.');
  });

  it('skips tool-use and reasoning blocks, which are carried elsewhere or not part of the answer', () => {
    expect(
      contentText([
        { type: 'thinking', thinking: 'hmm' },
        { type: 'text', text: 'Answer' },
        { type: 'tool_use', id: 't1', name: 'x', input: {} },
      ]),
    ).toBe('Answer');
  });

  it('handles strings, empty and odd content', () => {
    expect(contentText('plain')).toBe('plain');
    expect(contentText(undefined)).toBe('');
    expect(contentText(['a', 'b'])).toBe('ab');
    expect(contentText([null, 3, { type: 'text' }])).toBe('');
  });
});

describe('toMessageBody', () => {
  it('keeps tool calls with parsed arguments, and invalid ones with their raw text', () => {
    const body = toMessageBody({
      type: 'ai',
      content: '',
      tool_calls: [
        { id: 'c1', name: 'search', args: { q: 'x' } },
        { name: 'noid', args: {} },
      ],
      invalid_tool_calls: [{ id: 'c3', name: 'broken', args: '{"q":', error: 'bad json' }],
    });
    expect(body.toolCalls).toEqual([
      { id: 'c1', name: 'search', args: { q: 'x' } },
      { id: 'noid_1', name: 'noid', args: {} },
      { id: 'c3', name: 'broken', args: '{"q":' },
    ]);
  });

  it('turns a tool message into a tool result, parsing JSON output', () => {
    expect(
      toMessageBody({ type: 'tool', content: '{"a":1}', tool_call_id: 'c1', name: 'calc', status: 'error' }),
    ).toEqual({
      role: 'tool',
      content: '{"a":1}',
      toolResult: { toolCallId: 'c1', name: 'calc', output: { a: 1 }, isError: true },
    });
    expect(toMessageBody({ type: 'tool', content: 'not {json', tool_call_id: 'c2' }).toolResult).toEqual({
      toolCallId: 'c2',
      output: 'not {json',
    });
  });

  it('gives the same id to the same message at the same position, and another id elsewhere', () => {
    const body = toMessageBody({ type: 'human', content: 'ok' });
    expect(withId('t', 1, body).id).toBe(withId('t', 1, toMessageBody({ type: 'human', content: 'ok' })).id);
    expect(withId('t', 1, body).id).not.toBe(withId('t', 3, body).id);
    expect(withId('t', 1, body).id).not.toBe(withId('u', 1, body).id);
  });
});
