import { describe, expect, it } from 'vitest';
import {
  countTokens,
  messageText,
  scriptedReply,
  stableHash,
  streamPieces,
  type ToolIn,
} from './scripted-model.js';

const tools: ToolIn[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' }, unit: { enum: ['c', 'f'] } },
        required: ['city', 'unit'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'searchDocs',
      parameters: { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'number' } } },
    },
  },
];

describe('scriptedReply', () => {
  it('is deterministic and quotes the user', () => {
    const a = scriptedReply([{ role: 'user', content: 'Hello there' }], undefined);
    expect(a).toEqual(scriptedReply([{ role: 'user', content: 'Hello there' }], undefined));
    expect(a.content).toContain('Hello there');
    expect(a.finishReason).toBe('stop');
  });

  it('calls the tool whose name the user mentions, with schema-shaped arguments', () => {
    const reply = scriptedReply([{ role: 'user', content: 'What is the weather in Berlin?' }], tools);
    expect(reply.finishReason).toBe('tool_calls');
    expect(reply.toolCalls[0].name).toBe('get_weather');
    expect(JSON.parse(reply.toolCalls[0].arguments)).toEqual({ city: 'Berlin', unit: 'c' });
    const search = scriptedReply([{ role: 'user', content: 'please search the docs for retries' }], tools);
    expect(search.toolCalls[0].name).toBe('searchDocs');
    expect(JSON.parse(search.toolCalls[0].arguments)).toEqual({ query: 'retries', limit: 1 });
  });

  it('answers from a tool result, and ignores tools nobody asked for', () => {
    expect(
      scriptedReply(
        [
          { role: 'user', content: 'x' },
          { role: 'tool', content: '{"t":1}' },
        ],
        tools,
      ).content,
    ).toContain('{"t":1}');
    expect(scriptedReply([{ role: 'user', content: 'just chatting' }], tools).toolCalls).toEqual([]);
  });

  it('reads text parts of multi-part content', () => {
    expect(
      messageText([{ type: 'text', text: 'a' }, { type: 'image_url' }, { type: 'text', text: 'b' }]),
    ).toBe('a\nb');
  });
});

describe('helpers', () => {
  it('hashes stably, counts tokens roughly, and streams every character', () => {
    expect(stableHash('abc')).toBe(stableHash('abc'));
    expect(stableHash('abc')).not.toBe(stableHash('abd'));
    expect(countTokens('')).toBe(0);
    expect(countTokens('abcdefgh')).toBe(2);
    const text = 'Hello,  world!\nNew line ';
    expect(streamPieces(text).join('')).toBe(text);
  });
});
