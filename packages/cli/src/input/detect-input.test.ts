import { describe, expect, it } from 'vitest';
import { detectInput } from './detect-input';

const ui = { id: 'c', messages: [{ id: 'm', role: 'user', parts: [{ type: 'text', text: 'hi' }] }] };
const openai = { messages: [{ role: 'user', content: 'hi' }] };
const chatgpt = { title: 't', mapping: { a: { id: 'a', message: null, parent: null, children: [] } } };

describe('detectInput', () => {
  it('tells the format and the container from the first bytes', () => {
    expect(detectInput(JSON.stringify([chatgpt]), 'x.json', 'auto')).toEqual({
      format: 'chatgpt',
      container: 'array',
    });
    expect(detectInput(`\uFEFF  ${JSON.stringify([chatgpt, chatgpt])}`, 'x', 'auto')).toEqual({
      format: 'chatgpt',
      container: 'array',
    });
    expect(detectInput(JSON.stringify(ui.messages, null, 2), 'chat.json', 'auto')).toEqual({
      format: 'ui-messages',
      container: 'whole',
    });
    expect(detectInput(JSON.stringify(ui, null, 2), 'chat.json', 'auto')).toEqual({
      format: 'ui-messages',
      container: 'whole',
    });
    expect(detectInput(`${JSON.stringify(ui)}\n${JSON.stringify(ui)}\n`, 'a.jsonl', 'auto')).toEqual({
      format: 'ui-messages',
      container: 'lines',
    });
    expect(detectInput(`${JSON.stringify(openai)}\n`, 'a.jsonl', 'auto')).toEqual({
      format: 'openai-jsonl',
      container: 'lines',
    });
  });

  it('looks past a malformed first line, and into a first conversation larger than the prefix', () => {
    expect(detectInput(`{"messages": [ cut\n${JSON.stringify(openai)}\n`, 'a.jsonl', 'auto')).toMatchObject({
      format: 'openai-jsonl',
    });
    const big = `[{"title":"x","create_time":1,"mapping":{"a":{"id":"a","message":{"content":{"parts":["${'x'.repeat(70_000)}`;
    expect(detectInput(big.slice(0, 65_536), 'export.json', 'auto')).toEqual({
      format: 'chatgpt',
      container: 'array',
    });
  });

  it('--format decides the format; the container still comes from the bytes', () => {
    expect(detectInput(JSON.stringify([chatgpt]), 'x', 'openai-jsonl')).toEqual({
      format: 'openai-jsonl',
      container: 'array',
    });
    expect(detectInput(JSON.stringify(ui.messages), 'x', 'ui-messages')).toEqual({
      format: 'ui-messages',
      container: 'whole',
    });
    expect(detectInput('{"anything": 1}\n', 'x', 'chatgpt')).toEqual({
      format: 'chatgpt',
      container: 'lines',
    });
  });

  it('says clearly when it cannot tell, and what to pass', () => {
    expect(detectInput('', 'x', 'auto')).toEqual({ error: 'the input is empty' });
    expect(detectInput('role,content\n', 'x.csv', 'auto')).toEqual({
      error: expect.stringMatching(
        /^cannot tell the format \(neither a JSON array nor JSON lines; it starts with "role,content\\n"\): pass --format openai-jsonl\|chatgpt\|ui-messages$/,
      ),
    });
    expect(detectInput('[1, 2]', 'x.json', 'auto')).toMatchObject({
      error: expect.stringMatching(/JSON array of neither/),
    });
    expect(detectInput('{"a":1}\n', 'x.jsonl', 'auto')).toMatchObject({
      error: expect.stringMatching(/without a "messages"/),
    });
  });
});
