import { ChatTrailError } from '../errors';

/**
 * Validates the options of one constructor (`createChatTrail`, `mielto()`, a client, ...). The one policy
 * for options: an option left out gets its default; an option given with a bad value throws a
 * {@link ChatTrailError} naming the constructor, the option and the value
 * (`createChatTrail: flushAt must be a positive integer, got -1`). Nothing is clamped or replaced without
 * a word: a configuration mistake surfaces when the app starts, not as data that quietly goes missing.
 */
export interface OptionChecker {
  /** An integer ≥ 1. */
  positiveInteger(name: string, value: unknown, fallback: number): number;
  /** An integer ≥ 0. */
  nonNegativeInteger(name: string, value: unknown, fallback: number): number;
  /** A finite number > 0. */
  positiveNumber(name: string, value: unknown, fallback: number): number;
  /** A finite number ≥ 0. */
  nonNegativeNumber(name: string, value: unknown, fallback: number): number;
  /** A number from 0 to 1. */
  rate(name: string, value: unknown, fallback: number): number;
  boolean(name: string, value: unknown, fallback: boolean): boolean;
  /** A non-empty string. */
  string(name: string, value: unknown): string | undefined;
  /** One of `allowed`. */
  oneOf<const T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: NoInfer<T>): T;
  /** A function (hooks: `onError`, `redact`, `fetch`, ...). */
  fn<T>(name: string, value: T | undefined): T | undefined;
  /** Throws the policy's error for `name`: `must` says what it must be. */
  fail(name: string, must: string, value: unknown): never;
}

/** An {@link OptionChecker} whose messages start with `where` (`'createChatTrail'`, `'mielto()'`). */
export function optionChecker(where: string): OptionChecker {
  const fail = (name: string, must: string, value: unknown): never => {
    throw new ChatTrailError(`${where}: ${name} must be ${must}, got ${describeValue(value)}`);
  };
  const number = (
    name: string,
    value: unknown,
    fallback: number,
    must: string,
    ok: (n: number) => boolean,
  ): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) fail(name, must, value);
    return value as number;
  };
  return {
    positiveInteger: (name, value, fallback) =>
      number(name, value, fallback, 'a positive integer', (n) => Number.isInteger(n) && n >= 1),
    nonNegativeInteger: (name, value, fallback) =>
      number(name, value, fallback, 'a non-negative integer', (n) => Number.isInteger(n) && n >= 0),
    positiveNumber: (name, value, fallback) =>
      number(name, value, fallback, 'a positive number', (n) => n > 0),
    nonNegativeNumber: (name, value, fallback) =>
      number(name, value, fallback, 'a non-negative number', (n) => n >= 0),
    rate: (name, value, fallback) =>
      number(name, value, fallback, 'a number from 0 to 1', (n) => n >= 0 && n <= 1),
    boolean(name, value, fallback) {
      if (value === undefined) return fallback;
      if (typeof value !== 'boolean') fail(name, 'true or false', value);
      return value as boolean;
    },
    string(name, value) {
      if (value === undefined) return undefined;
      if (typeof value !== 'string' || value === '') fail(name, 'a non-empty string', value);
      return value as string;
    },
    oneOf(name, value, allowed, fallback) {
      if (value === undefined) return fallback;
      if (!allowed.includes(value as never)) {
        fail(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
      }
      return value as (typeof allowed)[number];
    },
    fn(name, value) {
      if (value !== undefined && typeof value !== 'function') fail(name, 'a function', value);
      return value;
    },
    fail,
  };
}

/**
 * A value as an error message shows it: numbers as JavaScript prints them (`-1`, `NaN`, `Infinity`),
 * strings quoted and cut, anything else by its kind. Never an object's contents: an option object may hold
 * a secret (a `client`, headers).
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
