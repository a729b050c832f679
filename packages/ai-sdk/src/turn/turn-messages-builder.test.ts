import { turnMessageId } from '@chattrail/core/adapter';
import { describe, expect, it } from 'vitest';
import { addParts, addPromptMessages } from '../prompt/add-prompt-messages';
import { CONTENT_NOT_CAPTURED, TurnMessagesBuilder } from './turn-messages-builder';

describe('TurnMessagesBuilder', () => {
  it('an output message and the same message back in the next prompt get the same id', () => {
    const output = new TurnMessagesBuilder('t', true);
    addPromptMessages(output, [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
    output.begin('assistant');
    addParts(output, [
      { type: 'reasoning', text: 'thinking' },
      { type: 'text', text: 'Checking ' },
      { type: 'text', text: 'now.' },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'w', input: '{"x":1}' },
    ]);
    output.end();

    const next = new TurnMessagesBuilder('t', true);
    addPromptMessages(next, [
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'thinking' },
          { type: 'text', text: 'Checking ' },
          { type: 'text', text: '' },
          { type: 'text', text: 'now.' },
          { type: 'tool-call', toolCallId: 'c1', toolName: 'w', input: { x: 1 } },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'c1', toolName: 'w', output: { type: 'text', value: 'ok' } },
        ],
      },
    ]);
    expect(next.messages.slice(0, 2)).toEqual(output.messages);
    expect(output.messages[1]).toMatchObject({
      content: 'Checking now.',
      toolCalls: [{ id: 'c1', name: 'w', args: { x: 1 } }],
      metadata: { reasoning: 'thinking' },
    });
    expect(next.messages[2]!.id).toBe(turnMessageId('t', 2, next.messages[2]!));
  });

  it('splits a tool message with several results and puts provider tool results after their assistant message', () => {
    const builder = new TurnMessagesBuilder('t', true);
    addPromptMessages(builder, [
      {
        role: 'assistant',
        content: [
          { type: 'tool-call', toolCallId: 's', toolName: 'search', input: {}, providerExecuted: true },
          { type: 'tool-result', toolCallId: 's', toolName: 'search', output: { type: 'json', value: [1] } },
          { type: 'text', text: 'Found it.' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'a', toolName: 'x', output: { type: 'text', value: '1' } },
          { type: 'tool-approval-response', approvalId: 'p', approved: true },
          {
            type: 'tool-result',
            toolCallId: 'b',
            toolName: 'y',
            output: { type: 'error-text', value: 'no' },
          },
        ],
      },
    ]);
    expect(builder.messages.map((m) => [m.role, m.content, m.toolResult?.toolCallId])).toEqual([
      ['assistant', 'Found it.', undefined],
      ['tool', '[1]', 's'],
      ['tool', '1', 'a'],
      ['tool', 'no', 'b'],
    ]);
    expect(builder.messages[3]!.toolResult?.isError).toBe(true);
  });

  it('skips empty assistant messages and unknown roles; never throws on junk', () => {
    const builder = new TurnMessagesBuilder('t', true);
    addPromptMessages(builder, [
      null,
      42,
      { role: 'assistant', content: [] },
      { role: 'developer', content: 'x' },
      { role: 'user', content: 'plain string content' },
      { role: 'user', content: [{ type: 'custom', kind: 'x.y' }, null, { type: 'text', text: 7 }] },
    ]);
    expect(builder.messages.map((m) => m.content)).toEqual(['plain string content', '[custom]']);
  });

  it('captureContent false keeps roles, ids and tool names only', () => {
    const builder = new TurnMessagesBuilder('t', false);
    addPromptMessages(builder, [
      { role: 'system', content: 'secret' },
      {
        role: 'assistant',
        content: [{ type: 'tool-call', toolCallId: 'c', toolName: 'w', input: { q: 'secret' } }],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'c', toolName: 'w', output: { type: 'text', value: 'secret' } },
        ],
      },
    ]);
    expect(JSON.stringify(builder.messages)).not.toContain('secret');
    expect(builder.messages.map((m) => m.content)).toEqual([CONTENT_NOT_CAPTURED, '', CONTENT_NOT_CAPTURED]);
    expect(builder.messages[1]!.toolCalls).toEqual([{ id: 'c', name: 'w', args: null }]);
  });
});
