import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { uiMessagesToTurn } from './ui-messages-to-turn';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures');
const chat = JSON.parse(readFileSync(join(FIXTURES, 'ui-chat.json'), 'utf8'));
const origin = { file: 'ui-chat.json', fileName: 'ui-chat.json', line: 1 };

describe('uiMessagesToTurn', () => {
  it('cuts assistant messages into steps: text with its tool calls, then one tool message per result', () => {
    const turn = uiMessagesToTurn(chat, origin);
    expect(turn.threadId).toBe('chat_Vq3nM8xK2pLw');
    expect(turn.user).toEqual({ id: 'user_17' });
    expect(turn.messages.map((m) => [m.role, m.content])).toEqual([
      ['system', 'You are a travel assistant.'],
      ['user', expect.stringMatching(/^\[image: image\/jpeg, ticket\.jpg, 540 B\]\nHere is my ticket\./)],
      ['assistant', 'Your ticket is for Lisbon, arriving at 14:40. Let me check the forecast.'],
      ['tool', '{"tempC":27,"sky":"sunny"}'],
      ['assistant', 'Sunny and 27 °C when you land.'],
      ['user', 'Book me a taxi from the airport.'],
      ['assistant', ''],
      ['tool', 'Taxi service unavailable'],
      ['assistant', 'Sorry, the taxi service is unavailable right now.'],
    ]);
    expect(turn.messages[2]!.toolCalls).toEqual([
      { id: 'call_Wx01', name: 'getWeather', args: { city: 'Lisbon', time: '2025-09-02T14:40' } },
    ]);
    expect(turn.messages[3]!.toolResult).toEqual({
      toolCallId: 'call_Wx01',
      name: 'getWeather',
      output: { tempC: 27, sky: 'sunny' },
    });
    expect(turn.messages[4]!.metadata).toMatchObject({
      model: 'gpt-5-mini',
      sources: [{ url: 'https://weather.example/lisbon', title: 'Lisbon forecast', sourceId: 'src_1' }],
    });
    expect(turn.messages[6]!.toolCalls![0]!.name).toBe('mcp_taxi_book');
    expect(turn.messages[7]!.toolResult).toMatchObject({ toolCallId: 'call_Tx02', isError: true });
    expect(turn.messages[1]!.createdAt).toBe('2025-09-02T08:15:03.120Z');
    expect(turn.startedAt).toBe('2025-09-02T08:15:00.000Z');
    // Reasoning, data parts and the file's bytes are not imported.
    expect(JSON.stringify(turn)).not.toMatch(/ticket says|base64|data-weather/);
  });

  it('takes a bare array of UIMessages, deriving the thread from the file name', () => {
    const turn = uiMessagesToTurn(chat.messages, origin);
    expect(turn.threadId).toBe('import:ui-chat.json:1');
    expect(turn.messages).toHaveLength(9);
  });

  it('keeps a tool call that never got a result without a tool message', () => {
    const turn = uiMessagesToTurn(
      [
        {
          id: 'a',
          role: 'assistant',
          parts: [{ type: 'tool-search', toolCallId: 'c', state: 'input-available', input: { q: 'x' } }],
        },
      ],
      origin,
    );
    expect(turn.messages).toEqual([
      { id: '', role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'search', args: { q: 'x' } }] },
    ]);
  });

  it('rejects what is not a UIMessage conversation with a reason', () => {
    expect(() => uiMessagesToTurn({ id: 'x' }, origin)).toThrow(/neither an array of UIMessages/);
    expect(() => uiMessagesToTurn([], origin)).toThrow(/empty/);
    expect(() => uiMessagesToTurn([{ role: 'bot', parts: [] }], origin)).toThrow(/unknown role "bot"/);
    expect(() => uiMessagesToTurn([{ role: 'user', parts: [{ text: 'x' }] }], origin)).toThrow(
      /parts\[0\] has no "type"/,
    );
    expect(() => uiMessagesToTurn([{ role: 'assistant', parts: [{ type: 'tool-x' }] }], origin)).toThrow(
      /without a tool name or "toolCallId"/,
    );
  });
});
