import { describe, expect, it } from 'vitest';
import { readToolResultOutput } from './tool-result-output';

describe('readToolResultOutput', () => {
  it('reads every V2/V3/V4 output shape', () => {
    expect(readToolResultOutput({ type: 'text', value: 'hi' })).toEqual({ content: 'hi', output: 'hi' });
    expect(readToolResultOutput({ type: 'json', value: { a: 1 } })).toEqual({
      content: '{"a":1}',
      output: { a: 1 },
    });
    expect(readToolResultOutput({ type: 'error-text', value: 'boom' })).toEqual({
      content: 'boom',
      output: 'boom',
      isError: true,
    });
    expect(readToolResultOutput({ type: 'error-json', value: { code: 1 } })).toMatchObject({ isError: true });
    expect(readToolResultOutput({ type: 'execution-denied', reason: 'user said no' })).toEqual({
      content: '[tool execution denied: user said no]',
      output: { denied: true, reason: 'user said no' },
      isError: true,
    });
  });

  it('turns media in content outputs into placeholders (V2 media, V3 image-data, V4 file)', () => {
    const view = readToolResultOutput({
      type: 'content',
      value: [
        { type: 'text', text: 'chart:' },
        { type: 'media', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
        { type: 'image-data', data: 'AAAA', mediaType: 'image/jpeg' },
        {
          type: 'file',
          data: { type: 'url', url: new URL('https://x.test/a.pdf?sig=secret') },
          mediaType: 'application/pdf',
        },
      ],
    });
    expect(view.content).toBe(
      'chart:\n[image: image/png, 8 B]\n[image: image/jpeg, 3 B]\n[file: application/pdf, https://x.test/a.pdf]',
    );
    expect(JSON.stringify(view.output)).not.toContain('secret');
  });

  it('never throws on values JSON cannot encode', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => readToolResultOutput({ type: 'json', value: cyclic })).not.toThrow();
    expect(readToolResultOutput({ type: 'json', value: 10n }).content).toBe('10');
    expect(readToolResultOutput(undefined, { legacy: true }).content).toBe('{"legacy":true}');
  });
});

describe('readToolResultOutput never stores "[object Object]"', () => {
  it('keeps an object in a text or error-text output (a toModelOutput that breaks the spec) as JSON', () => {
    expect(readToolResultOutput({ type: 'text', value: { a: 1 } })).toEqual({
      content: '{"a":1}',
      output: { a: 1 },
    });
    expect(readToolResultOutput({ type: 'error-text', value: { code: 2 } })).toEqual({
      content: '{"code":2}',
      output: { code: 2 },
      isError: true,
    });
    expect(readToolResultOutput({ type: 'content', value: [{ type: 'text', text: { t: 1 } }] }).content).toBe(
      '{"t":1}',
    );
  });

  it('makes values JSON cannot encode into JSON: BigInt, cycles, Dates, bytes, undefined', () => {
    const cyclic: Record<string, unknown> = {
      n: 10n,
      at: new Date(0),
      bytes: new Uint8Array(4),
      gone: undefined,
    };
    cyclic.self = cyclic;
    const view = readToolResultOutput(undefined, cyclic);
    expect(view.output).toEqual({
      n: '10',
      at: '1970-01-01T00:00:00.000Z',
      bytes: '[file: 4 B]',
      self: '[Circular]',
    });
    expect(view.content).toBe(JSON.stringify(view.output));
    expect(readToolResultOutput({ type: 'json', value: [1n, Number.NaN] })).toEqual({
      content: '["1",null]',
      output: ['1', null],
    });
  });

  it('keeps plain JSON as the same object (no copy)', () => {
    const value = { a: [1, { b: 'c' }] };
    expect(readToolResultOutput({ type: 'json', value }).output).toBe(value);
  });
});
