import { describe, expect, it } from 'vitest';
import { ChatTrailError } from '../errors';
import { describeValue, optionChecker } from './option-checker';

describe('optionChecker', () => {
  const check = optionChecker('thing()');
  const message = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(ChatTrailError);
      return (error as Error).message;
    }
    throw new Error('did not throw');
  };

  it('gives the default for an option left out, and the value for a good one', () => {
    expect(check.positiveInteger('n', undefined, 7)).toBe(7);
    expect(check.positiveInteger('n', 3, 7)).toBe(3);
    expect(check.nonNegativeInteger('n', 0, 7)).toBe(0);
    expect(check.positiveNumber('n', 0.5, 7)).toBe(0.5);
    expect(check.nonNegativeNumber('n', 0, 7)).toBe(0);
    expect(check.rate('n', 0, 1)).toBe(0);
    expect(check.rate('n', 1, 0)).toBe(1);
    expect(check.boolean('b', false, true)).toBe(false);
    expect(check.string('s', undefined)).toBeUndefined();
    expect(check.oneOf('m', 'b', ['a', 'b'], 'a')).toBe('b');
    const fn = () => {};
    expect(check.fn('f', fn)).toBe(fn);
  });

  it('throws a ChatTrailError naming the option and the value, never clamping', () => {
    expect(message(() => check.positiveInteger('flushAt', -1, 20))).toBe(
      'thing(): flushAt must be a positive integer, got -1',
    );
    expect(message(() => check.positiveInteger('flushAt', 1.5, 20))).toBe(
      'thing(): flushAt must be a positive integer, got 1.5',
    );
    expect(message(() => check.positiveInteger('flushAt', 0, 20))).toMatch(/got 0$/);
    expect(message(() => check.nonNegativeInteger('lookupPages', -1, 3))).toBe(
      'thing(): lookupPages must be a non-negative integer, got -1',
    );
    expect(message(() => check.positiveNumber('timeoutMs', Number.NaN, 1))).toBe(
      'thing(): timeoutMs must be a positive number, got NaN',
    );
    expect(message(() => check.positiveNumber('timeoutMs', Number.POSITIVE_INFINITY, 1))).toMatch(
      /got Infinity$/,
    );
    expect(message(() => check.positiveNumber('timeoutMs', '100', 1))).toBe(
      'thing(): timeoutMs must be a positive number, got "100"',
    );
    expect(message(() => check.nonNegativeNumber('wait', -5, 1))).toMatch(
      /wait must be a non-negative number, got -5/,
    );
    expect(message(() => check.rate('sampleRate', 1.5, 1))).toBe(
      'thing(): sampleRate must be a number from 0 to 1, got 1.5',
    );
    expect(message(() => check.boolean('debug', 'yes', false))).toBe(
      'thing(): debug must be true or false, got "yes"',
    );
    expect(message(() => check.string('name', ''))).toBe('thing(): name must be a non-empty string, got ""');
    expect(message(() => check.oneOf('mode', 'all', ['history', 'new'], 'history'))).toBe(
      "thing(): mode must be one of 'history', 'new', got \"all\"",
    );
    expect(message(() => check.fn('onError', 'console'))).toBe(
      'thing(): onError must be a function, got "console"',
    );
  });

  it('describes values without showing an object’s contents (it may hold a secret)', () => {
    expect(describeValue({ apiKey: 'sk-secret' })).toBe('an object');
    expect(describeValue([1])).toBe('an array');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue('x'.repeat(100))).toBe(JSON.stringify(`${'x'.repeat(40)}…`));
  });
});
