import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openAIChatContentDelta } from './openai-chat-content-delta';

/** What a full parse of the chunk says, when the chunk is a lone content delta of choice 0. */
function contentOnly(data: string): string | undefined {
  let chunk: Record<string, unknown>;
  try {
    chunk = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (chunk === null || typeof chunk !== 'object' || Array.isArray(chunk)) return undefined;
  if (chunk.usage !== undefined && chunk.usage !== null) return undefined;
  if (chunk.error !== undefined && chunk.error !== null && typeof chunk.error === 'object') return undefined;
  const choices = chunk.choices;
  if (!Array.isArray(choices) || choices.length !== 1) return undefined;
  const choice = choices[0];
  if (choice === null || typeof choice !== 'object' || choice.index !== 0) return undefined;
  if (choice.finish_reason !== null && choice.finish_reason !== undefined) return undefined;
  const delta = choice.delta;
  if (delta === null || typeof delta !== 'object' || typeof delta.content !== 'string') return undefined;
  if (delta.refusal != null || delta.tool_calls != null || delta.function_call != null) return undefined;
  return delta.content;
}

const chunk = (content: unknown, extra: Record<string, unknown> = {}, choiceExtra = {}, deltaExtra = {}) =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'gpt-4o',
    system_fingerprint: null,
    choices: [
      { index: 0, delta: { ...deltaExtra, content }, logprobs: null, finish_reason: null, ...choiceExtra },
    ],
    ...extra,
  });

describe('openAIChatContentDelta', () => {
  it('reads the content of a plain content chunk, escapes and non-ASCII included', () => {
    for (const text of [
      'Hello',
      '',
      ' world',
      'line\nbreak "quoted" \\ back',
      'é€😀',
      '\u2028',
      '</script>',
    ]) {
      expect(openAIChatContentDelta(chunk(text))).toBe(text);
    }
    expect(
      openAIChatContentDelta(chunk('x', { obfuscation: 'abc', service_tier: 'default', usage: null })),
    ).toBe('x');
    expect(openAIChatContentDelta(chunk('x', {}, {}, { role: 'assistant' }))).toBe('x');
  });

  it('leaves every chunk that carries anything else to the full parse', () => {
    const others = [
      chunk('x', { usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }),
      chunk('x', {}, { finish_reason: 'stop' }),
      chunk('x', {}, { index: 1 }),
      chunk('x', {}, {}, { refusal: 'no' }),
      chunk('x', {}, {}, { tool_calls: [{ index: 0, function: { arguments: '{' } }] }),
      chunk('x', { error: { message: 'boom' } }),
      chunk(null),
      chunk(5),
      JSON.stringify({ id: 'c', choices: [] }),
      JSON.stringify({
        id: 'c',
        choices: [
          { index: 0, delta: { content: 'a' } },
          { index: 1, delta: { content: 'b' } },
        ],
      }),
      JSON.stringify({ id: 'c', choices: [{ delta: { content: 'no index' } }] }),
      JSON.stringify({ choices: [{ index: 0, delta: { content: 'a' } }], extra: { nested: true } }),
      JSON.stringify({ choices: [{ index: 0, delta: { content: 'a' } }] }, null, 2), // not compact
      '{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}],"n":01}',
      '{"choices":[{"index":0,"delta":{"content":"a\tb"},"finish_reason":null}]}', // raw control character
      '{"choices":[{"index":0,"delta":{"content":"a\\x"},"finish_reason":null}]}', // invalid escape
      '{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}trailing',
      '{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}],"choices":[]}',
      '{"choices":[{"index":0,"delta":{"content":"a"}',
      '[DONE]',
      '',
    ];
    for (const data of others) expect(openAIChatContentDelta(data)).toBeUndefined();
    // What it declines is still read by the full parse; here only the content-only shape is asserted.
  });

  it('never reads a chunk differently from the full parse (generated chunks)', () => {
    const scalar = fc.oneof(
      { arbitrary: fc.stringMatching(/^[a-z0-9 ]{0,8}$/), weight: 6 },
      { arbitrary: fc.string(), weight: 1 },
      { arbitrary: fc.integer(), weight: 2 },
      { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
      { arbitrary: fc.boolean(), weight: 1 },
      { arbitrary: fc.constant(null), weight: 3 },
    );
    const value = fc.oneof(
      { arbitrary: scalar, weight: 12 },
      { arbitrary: fc.dictionary(fc.string({ maxLength: 4 }), scalar, { maxKeys: 2 }), weight: 1 },
      { arbitrary: fc.array(scalar, { maxLength: 2 }), weight: 1 },
    );
    const keys = (names: string[]) => fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 2 });
    const chunks = fc
      .record({
        top: keys(['id', 'model', 'usage', 'error', 'created', 'obfuscation', 'choices']),
        after: keys(['usage', 'system_fingerprint', 'error']),
        choice: keys(['logprobs', 'finish_reason', 'index']),
        delta: keys(['role', 'refusal', 'tool_calls', 'content']),
        content: fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constant(null)),
        index: fc.constantFrom(0, 0, 0, 0, 1, undefined),
        more: fc.constantFrom(false, false, false, false, true),
      })
      .map(({ top, after, choice, delta, content, index, more }) => {
        const c: Record<string, unknown> = { index, delta: { ...delta, content }, ...choice };
        if (index === undefined) delete c.index;
        else c.index = index;
        if (!('finish_reason' in choice)) c.finish_reason = null;
        const { choices: _, ...rest } = top;
        return JSON.stringify({ ...rest, choices: more ? [c, c] : [c], ...after });
      });
    let answered = 0;
    fc.assert(
      fc.property(chunks, (data) => {
        const fast = openAIChatContentDelta(data);
        // Whenever it answers, the full parse agrees; it may decline what the parse would accept.
        if (fast !== undefined) {
          answered++;
          expect(fast).toBe(contentOnly(data));
        }
      }),
      { numRuns: 3_000 },
    );
    expect(answered).toBeGreaterThan(30); // the property was not vacuous
  });
});
